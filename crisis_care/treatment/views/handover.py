"""The shift handover (CORE item 33a-b): the summary for the next shift built from the records,
recording it as given (who gave it, who received it, the shift taking over), and the handovers
given before, each shown exactly as it was handed over.

Each view of the summary is audited once with the ids of the people it names (as the triage
queue is); so is each reading of a past handover.
"""

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_list_view
from crisis_care.core.models import User
from crisis_care.core.presenters import datetime_long
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.workforce import selectors as workforce_selectors
from crisis_care.workforce.models import StaffMember, Team

from ..forms.handover import HandoverForm
from ..models import Handover
from ..presenters import actions as action_presenters
from ..presenters import handover as presenters
from ..rules import TreatmentAction
from ..selectors import handover as selectors
from ..selectors.actions import may_oversee_team_tasks
from ..services import handover as services
from .common import refuse, require, user_of

SECTION = services.SECTION
SUMMARY_TEMPLATE = "treatment/handover/_summary.jinja"
PER_PAGE = 20


def _teams_of(user: User) -> list[Team]:
    teams = list(workforce_selectors.teams_for_user(user=user))
    if not teams:
        raise PermissionDenied("You are not a member of a team, so there is no handover to show.")
    return teams


def _chosen_team(request: HttpRequest, teams: list[Team]) -> Team:
    wanted = request.POST.get("team") or request.GET.get("team")
    return next((t for t in teams if str(t.pk) == wanted), teams[0])


def _audit_summary(user: User, team: Team, summary: selectors.HandoverSummary) -> None:
    """A row for the summary and one per person it shows."""
    audit_list_view(
        actor=user,
        object_type="treatment.handover_summary",
        object_id=team.pk,
        section=SECTION,
        person_ids=summary.person_ids,
    )


def _form(data: Any, found: selectors.Receivers, now: dt.datetime) -> HandoverForm:
    default = presenters.taking_over(found.shifts, now)
    return HandoverForm(
        data,
        shifts=[
            (str(shift.pk), presenters.shift_label(shift) + (" (starts next)" if nxt else ""))
            for shift, nxt in found.shifts
        ],
        people=[(str(r.staff.pk), str(r.staff)) for r in found.people],
        initial={"shift": str(default.pk) if default else ""},
    )


def _params(form: HandoverForm, found: selectors.Receivers) -> dict[str, Any]:
    """Radio and checkbox parameters, with each person's job and shift as a hint."""
    people = form_params.choice_params(form["received_by"])
    hints = {
        str(r.staff.pk): f"{r.staff.job_title}, {presenters.shift_label(r.shift)}"
        for r in found.people
    }
    for item in people["items"]:
        item["hint"] = {"text": hints[item["value"]]}
    return {"shift_params": form_params.choice_params(form["shift"]), "people_params": people}


def _summary_context(summary: selectors.HandoverSummary) -> dict[str, Any]:
    return {"summary": summary, "p": presenters, "ap": action_presenters, "now": summary.now}


def _page(
    request: HttpRequest,
    *,
    user: User,
    teams: list[Team],
    team: Team,
    giver: StaffMember | None,
    form: HandoverForm,
    summary: selectors.HandoverSummary,
    found: selectors.Receivers,
) -> HttpResponse:
    _audit_summary(user, team, summary)
    return render(
        request,
        "treatment/handover/page.jinja",
        {
            "title": "Shift handover",
            "team": team,
            "teams": teams,
            "giver": giver,
            "form": form,
            **_params(form, found),
            "has_receivers": bool(found.people),
            "has_errors": bool(form.errors),
            "team_tasks": may_oversee_team_tasks(user=user, team=team, at=summary.now),
            **_summary_context(summary),
        },
    )


@require_http_methods(["GET"])
def handover(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.HANDOVER)
    teams = _teams_of(user)
    team = _chosen_team(request, teams)
    now = timezone.now()
    giver = workforce_selectors.staff_for_user(user=user)
    next_slots = workforce_selectors.next_shift_start(team=team, after=now)
    summary = selectors.handover_summary(team=team, now=now, next_slots=next_slots)
    found = selectors.receivers(team=team, giver=giver, now=now, next_slots=next_slots)
    return _page(
        request,
        user=user,
        teams=teams,
        team=team,
        giver=giver,
        form=_form(None, found, now),
        summary=summary,
        found=found,
    )


@require_http_methods(["POST"])
def handover_give(request: HttpRequest) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.HANDOVER)
    teams = _teams_of(user)
    team = _chosen_team(request, teams)
    giver = workforce_selectors.staff_for_user(user=user)
    if giver is None:
        raise PermissionDenied("Your sign-in is not linked to a staff record.")
    now = timezone.now()
    next_slots = workforce_selectors.next_shift_start(team=team, after=now)
    summary = selectors.handover_summary(team=team, now=now, next_slots=next_slots)
    found = selectors.receivers(team=team, giver=giver, now=now, next_slots=next_slots)
    form = _form(request.POST, found, now)
    if form.is_valid():
        shift = next((s for s, _ in found.shifts if str(s.pk) == form.cleaned_data["shift"]), None)
        chosen = set(form.cleaned_data["received_by"])
        received = [r.staff for r in found.people if str(r.staff.pk) in chosen]
        try:
            given = services.handover_give(
                team=team,
                given_by=giver,
                received_by=received,
                shift=shift,
                notes=form.cleaned_data["notes"],
                # The summary as it stands at this moment, rendered by our own template.
                summary_html=render_to_string(SUMMARY_TEMPLATE, _summary_context(summary)),
                person_ids=summary.person_ids,
                by=user,
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request, f"Handover recorded as given to {presenters.names_text(received)}."
            )
            return redirect("treatment:handover_detail", pk=given.pk)
    return _page(
        request,
        user=user,
        teams=teams,
        team=team,
        giver=giver,
        form=form,
        summary=summary,
        found=found,
    )


@require_http_methods(["GET"])
def handover_history(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.HANDOVER)
    teams = _teams_of(user)
    team = _chosen_team(request, teams)
    page = Paginator(selectors.handovers_for_team(team=team), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "treatment/handover/history.jinja",
        {
            "title": "Handovers given",
            "team": team,
            "teams": teams,
            "page": page,
            "p": presenters,
            "back_link": {"href": reverse("treatment:handover"), "text": "Back to the handover"},
        },
    )


def _handover_or_refuse(user: User, pk: uuid.UUID) -> Handover:
    try:
        return selectors.handover_for_user(pk=pk, user=user)
    except Handover.DoesNotExist:
        if not selectors.handover_exists(pk=pk):
            raise Http404("No such handover") from None
    refuse(user, object_type="treatment.Handover", pk=pk, section=SECTION)


@require_http_methods(["GET"])
def handover_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.HANDOVER)
    given = _handover_or_refuse(user, pk)
    audit_list_view(
        actor=user,
        object_type="treatment.Handover",
        object_id=given.pk,
        section=SECTION,
        person_ids=list(given.person_ids),
    )
    return render(
        request,
        "treatment/handover/detail.jinja",
        {
            "title": f"Handover given {datetime_long(given.given_at)}",
            "handover": given,
            "p": presenters,
            "back_link": {
                "href": reverse("treatment:handover_history") + f"?team={given.team_id}",
                "text": "Back to the handovers given",
            },
        },
    )


urlpatterns = [
    path("handover/", handover, name="handover"),
    path("handover/give/", handover_give, name="handover_give"),
    path("handover/given/", handover_history, name="handover_history"),
    path("handover/given/<uuid:pk>/", handover_detail, name="handover_detail"),
]
