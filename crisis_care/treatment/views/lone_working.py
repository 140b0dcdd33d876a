"""Lone working (CORE item 32a): staff check in on arrival and out on leaving; the team's
screen shows the shift coordinator who is out, who is overdue and what was done about it.

A check-in past its expected end with no check-out is an alert (the rules for what closes it
are in selectors/lone_working.py). The alert reaches the coordinator on every page through
`alert_banners`, a provider named in settings.CRISIS_CARE_ALERT_PROVIDERS (core/alerts.py).
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.core.presenters import time_short
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.workforce import selectors as workforce_selectors
from crisis_care.workforce.models import Team

from ..forms.lone_working import AdHocCheckInForm, AlertActionForm, CheckInForm, CheckOutForm
from ..models import LoneWorkingCheck, Visit
from ..presenters import lone_working as presenters
from ..rules import TreatmentAction, role_may
from ..selectors import lone_working as selectors
from ..services import lone_working as services
from .common import refuse, require, user_of

REFRESH_SECONDS = 30


def _after_check_in_or_out() -> HttpResponseBase:
    """Back to the member of staff's visits for today, where the visits pages exist."""
    try:
        return redirect(reverse("treatment:my_visits"))
    except NoReverseMatch:
        return redirect("treatment:lone_working")


def _checked_in_message(check: LoneWorkingCheck) -> str:
    return (
        "Checked in. If you have not checked out by "
        f"{time_short(check.expected_end_at)}, the shift coordinator is alerted."
    )


def _check_or_refuse(user: User, pk: uuid.UUID) -> LoneWorkingCheck:
    try:
        return selectors.check_for_user(pk=pk, user=user)
    except LoneWorkingCheck.DoesNotExist:
        if not selectors.check_exists(pk=pk):
            raise Http404("No such check-in") from None
    refuse(user, object_type="treatment.LoneWorkingCheck", pk=pk, section="lone working")


def _visit_or_refuse(user: User, pk: uuid.UUID) -> Visit:
    try:
        return selectors.visit_for_check_in(pk=pk, user=user)
    except Visit.DoesNotExist:
        if not selectors.visit_exists(pk=pk):
            raise Http404("No such visit") from None
    refuse(user, object_type="treatment.Visit", pk=pk, section="lone working")


def _chosen_team(request: HttpRequest, teams: list[Team]) -> Team:
    wanted = request.GET.get("team")
    if not wanted:
        return teams[0]
    for team in teams:
        if str(team.pk) == wanted:
            return team
    raise Http404("You are not in that team.")


def _board_url(team_id: object | None = None) -> str:
    url = reverse("treatment:lone_working")
    return f"{url}?team={team_id}" if team_id else url


# -- The team screen ------------------------------------------------------------------------


@require_http_methods(["GET"])
def lone_working(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.LONE_WORKING)
    teams = list(workforce_selectors.teams_for_user(user=user))
    own = selectors.open_check_for_user(user=user)
    context: dict[str, Any] = {
        "title": "Lone working",
        "teams": teams,
        "team": None,
        "own": own,
        "may_check_in": True,
        # The page is the alert screen and updates itself; its banner would not.
        "hide_alerts": True,
    }
    if not teams:
        return render(request, "treatment/lone_working/board.jinja", context)
    team = _chosen_team(request, teams)
    now = timezone.now()
    board = selectors.board_for_team(team=team, at=now)
    coordinators = [
        row for row in workforce_selectors.on_now(team=team, at=now) if row.is_coordinator
    ]
    # One audit row for the screen (it shows names, not records).
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="treatment.lone_working",
        object_id=team.pk,
        section="lone working",
        detail={"alerts": len(board.alerts), "checked_in": len(board.checked_in)},
    )
    context.update(
        {
            "team": team,
            "now": now,
            "board": board,
            "alerts": [presenters.check_card(c, now) for c in board.alerts],
            "checked_in": [presenters.check_card(c, now) for c in board.checked_in],
            "checked_out": [presenters.check_card(c, now) for c in board.checked_out_today],
            "coordinators": coordinators,
            "may_respond": role_may(user.role, TreatmentAction.RESPOND_TO_ALERT),
            "own_due": presenters.due_text(own, now) if own else "",
            "refresh_seconds": REFRESH_SECONDS,
        }
    )
    return render(request, "treatment/lone_working/board.jinja", context)


# -- Checking in and out ----------------------------------------------------------------------


def _check_in_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    form = context["form"]
    return render(
        request,
        template,
        {
            **context,
            "has_errors": bool(form.errors),
            "minutes_params": form_params.input_params(
                form["minutes"],
                {
                    "classes": "nhsuk-input--width-3",
                    "inputmode": "numeric",
                    "suffix": {"text": "minutes"},
                },
            ),
            "back_link": {"href": _board_url(), "text": "Back to lone working"},
        },
    )


@require_http_methods(["GET", "POST"])
def lone_check_in(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Check in on arrival at a planned visit."""
    user = user_of(request)
    require(user, TreatmentAction.LONE_WORKING)
    visit = _visit_or_refuse(user, pk)
    already = selectors.open_check_for_user(user=user)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                check = services.check_in(
                    by=user,
                    team=visit.episode.team,
                    visit=visit,
                    location=form.cleaned_data["location"],
                    minutes=form.cleaned_data["minutes"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _checked_in_message(check))
                return _after_check_in_or_out()
    else:
        form = CheckInForm(
            initial={
                "minutes": presenters.default_minutes(visit),
                "location": presenters.default_location(visit),
            }
        )
    return _check_in_page(
        request,
        "treatment/lone_working/check_in.jinja",
        {
            "title": "Check in",
            "form": form,
            "visit": visit,
            "person": visit.episode.person,
            "already": already,
        },
    )


@require_http_methods(["GET", "POST"])
def lone_check_in_adhoc(request: HttpRequest) -> HttpResponseBase:
    """Check in somewhere that is not a planned visit (an assessment at a house, say)."""
    user = user_of(request)
    require(user, TreatmentAction.LONE_WORKING)
    teams = list(workforce_selectors.teams_for_user(user=user))
    if not teams:
        raise PermissionDenied(
            "You are not in a team, so there is no one to alert. Ask your "
            "team manager to add you to your team."
        )
    choices = [(str(t.pk), t.name) for t in teams]
    already = selectors.open_check_for_user(user=user)
    if request.method == "POST":
        form = AdHocCheckInForm(request.POST, teams=choices)
        if form.is_valid():
            team = next(t for t in teams if str(t.pk) == form.cleaned_data["team"])
            try:
                check = services.check_in(
                    by=user,
                    team=team,
                    location=form.cleaned_data["location"],
                    minutes=form.cleaned_data["minutes"],
                    purpose=form.cleaned_data["purpose"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _checked_in_message(check))
                return _after_check_in_or_out()
    else:
        form = AdHocCheckInForm(
            initial={"minutes": presenters.default_minutes(None)}, teams=choices
        )
    return _check_in_page(
        request,
        "treatment/lone_working/check_in.jinja",
        {
            "title": "Check in without a planned visit",
            "form": form,
            "visit": None,
            "person": None,
            "already": already,
            "team_params": form_params.choice_params(form["team"]) if len(teams) > 1 else None,
        },
    )


@require_http_methods(["GET", "POST"])
def lone_check_out(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """The member of staff checks out (one button); a coordinator may check them out on their
    behalf, with a note of how they know they have left safely."""
    user = user_of(request)
    require(user, TreatmentAction.LONE_WORKING)
    check = _check_or_refuse(user, pk)
    own = check.staff.user_id == user.pk
    if not own and not role_may(user.role, TreatmentAction.RESPOND_TO_ALERT):
        raise PermissionDenied(
            "Only the member of staff who checked in, or the shift coordinator on their "
            "behalf, can check out."
        )
    if check.checked_out_at is not None:
        messages.info(request, f"{check.staff} has already checked out.")
        return redirect(_board_url(check.team_id))
    form = CheckOutForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_out(check=check, by=user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if own:
                messages.success(request, "You have checked out. Thank you.")
                return _after_check_in_or_out()
            messages.success(request, f"{check.staff} is checked out.")
            return redirect(_board_url(check.team_id))
    now = timezone.now()
    return render(
        request,
        "treatment/lone_working/check_out.jinja",
        {
            "title": "Check out" if own else f"Check out {check.staff}",
            "check": check,
            "own": own,
            "form": form,
            "has_errors": bool(form.errors),
            "rows": presenters.check_rows(check, now),
            "due": presenters.due_text(check, now),
            "back_link": {"href": _board_url(check.team_id), "text": "Back to lone working"},
        },
    )


# -- The coordinator's action on an alert ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def alert_action(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.RESPOND_TO_ALERT)
    check = _check_or_refuse(user, pk)
    now = timezone.now()
    closed = check.alert_closed  # type: ignore[attr-defined]
    if not selectors.is_alert(check, at=now, closed=closed):
        if check.checked_out_at is not None:
            messages.info(request, f"{check.staff} has checked out: there is no alert.")
        elif closed:
            messages.info(request, f"Someone has already recorded that {check.staff} is safe.")
        else:
            messages.info(request, f"{check.staff}'s visit is not overdue yet.")
        return redirect(_board_url(check.team_id))
    form = AlertActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            taken = services.alert_action_record(
                check=check,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
                new_expected_end_at=form.new_expected_end_at(),
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"Recorded for {check.staff}: {presenters.action_text(taken)}"
            )
            return redirect(_board_url(check.team_id))
    action_params = form_params.choice_params(form["action"])
    for item in action_params["items"]:
        item["hint"] = {"text": presenters.action_hint(item["value"])}
    return render(
        request,
        "treatment/lone_working/alert_action.jinja",
        {
            "title": "Record the action taken",
            "check": check,
            "form": form,
            "has_errors": bool(form.errors),
            "rows": presenters.check_rows(check, now),
            "overdue": presenters.overdue_text(check, now),
            "actions": [presenters.action_text(a) for a in check.alert_actions.all()],
            "action_params": action_params,
            "back_link": {"href": _board_url(check.team_id), "text": "Back to lone working"},
        },
    )


# -- The banner on every page ---------------------------------------------------------------


def alert_banners(*, user: User) -> list[tuple[str, str]] | None:
    """For CRISIS_CARE_ALERT_PROVIDERS: the overdue count for those who may respond to alerts
    in their teams, and a reminder to check out for anyone checked in. One query; none for
    roles that do no lone working."""
    if not role_may(user.role, TreatmentAction.LONE_WORKING):
        return None
    may_respond = role_may(user.role, TreatmentAction.RESPOND_TO_ALERT)
    now = timezone.now()
    rows = selectors.banner_checks(user=user, may_respond=may_respond, at=now)
    banners: list[tuple[str, str]] = []
    alerts = [row for row in rows if row.team_alert]
    if alerts:
        banners.append((presenters.banner_text(len(alerts)), _board_url(alerts[0].team_id)))
    for row in rows:
        if row.own:
            banners.append(
                (
                    presenters.own_check_text(row.location, row.expected_end_at, now),
                    reverse("treatment:lone_check_out", args=[row.pk]),
                )
            )
    return banners


urlpatterns: list[URLPattern] = [
    path("lone-working/", lone_working, name="lone_working"),
    path("lone-working/check-in/", lone_check_in_adhoc, name="lone_check_in_adhoc"),
    path("visits/<uuid:pk>/check-in/", lone_check_in, name="lone_check_in"),
    path("lone-working/<uuid:pk>/check-out/", lone_check_out, name="lone_check_out"),
    path("lone-working/<uuid:pk>/action/", alert_action, name="alert_action"),
]
