"""The caseload and the episode page, and the changes a qualified member of the team makes
to an episode: the named worker (CORE item 36), the six-week review (CORE item 10) and
paired visits (CORE item 32b).

Every page checks the role rule (rules.TreatmentAction) and that one of the user's teams
holds the episode (an audited 403 if another team does), and audits the view. The writes are
the services' (services/episodes.py); a stale save is refused with what was typed kept.
"""

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.assessments import selectors as assessment_selectors
from crisis_care.core.audit import audit_list_view
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.presenters import date_long
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version

from .. import extensions, presenters
from ..forms.episodes import (
    CaseloadFilterForm,
    EpisodeReviewForm,
    NamedWorkerForm,
    PairedVisitsForm,
)
from ..models import Episode, EpisodeStatus
from ..presenters import episodes as p
from ..rules import TreatmentAction, role_may
from ..selectors import caseload as caseload_selectors
from ..selectors import episodes as episode_selectors
from ..selectors import mdt as mdt_selectors
from ..services import episodes as episode_services
from .common import audit_view, episode_or_refuse, require, user_of


def _version(form: Form) -> int:
    try:
        return int(form.data.get("version") or 0)
    except ValueError:
        return 0


def _back_to(episode: Episode) -> dict[str, str]:
    return {"href": reverse("treatment:episode", args=[episode.pk]), "text": "Back to the episode"}


def _still_open(episode: Episode) -> Episode:
    """The episode, if it has not ended (an ended episode is a record, not changed)."""
    if episode.status != EpisodeStatus.OPEN:
        raise PermissionDenied("This episode has ended, so it can no longer be changed.")
    return episode


# -- The caseload ----------------------------------------------------------------------------


@require_http_methods(["GET"])
def caseload(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    teams = caseload_selectors.teams_for_caseload(user=user)
    team = caseload_selectors.team_for_caseload(teams, request.GET.get("team"))
    if team is None:
        raise PermissionDenied("You are not a member of a team, so there is no caseload to show.")
    now = timezone.now()
    everyone = caseload_selectors.caseload(team=team, now=now)
    filters = CaseloadFilterForm(
        request.GET or None,
        workers=everyone.workers,
        localities=everyone.localities,
        flags=p.flag_choices(),
    )
    chosen = filters.chosen()
    rows = caseload_selectors.caseload_filtered(everyone.rows, **chosen)
    # A row for the list and one per person on it.
    audit_list_view(
        actor=user,
        object_type="treatment.caseload",
        object_id=team.pk,
        section="caseload",
        person_ids=[r.episode.person_id for r in rows],
        detail=dict(chosen),
    )
    return render(
        request,
        "treatment/episode/caseload.jinja",
        {
            "title": "Caseload",
            "team": team,
            "teams": teams,
            "caseload": everyone,
            "rows": rows,
            "filters": filters,
            "filtered": bool(chosen),
            "count_text": p.count_text(len(rows), everyone.total),
            "today": local_date(now),
            "episode_href": p.href_for("treatment:episode"),
            "p": p,
        },
    )


# -- The episode -----------------------------------------------------------------------------


@require_http_methods(["GET"])
def episode_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    episode = episode_or_refuse(user, pk)
    audit_view(user, episode, episode.person_id, "episode")
    history = episode_selectors.episode_history(episode=episode)
    today = local_date(timezone.now())
    due_on = episode_services.review_due_on(episode)
    may_manage = role_may(user.role, TreatmentAction.MANAGE_EPISODE) and (
        episode.status == EpisodeStatus.OPEN
    )
    decision = episode.decision
    return render(
        request,
        "treatment/episode/episode.jinja",
        {
            "title": "Home treatment",
            "episode": episode,
            "person": episode.person,
            "rows": p.episode_rows(episode, today=today, due_on=due_on, may_manage=may_manage),
            "history": history,
            "status_rows": p.status_rows(history.statuses),
            "named_worker_text": p.named_worker_text(episode, history.named_workers),
            "named_worker_rows": p.named_worker_rows(history.named_workers),
            "review_rows": p.review_rows(history.reviews),
            "paired_rows": p.paired_visits_rows(history.paired_visits),
            "review": p.review_summary(due_on=due_on, latest=history.latest_review, today=today),
            "may_manage": may_manage,
            "rating": mdt_selectors.current_rating(episode=episode),
            "may_rate": role_may(user.role, TreatmentAction.SET_RATING)
            and episode.status == EpisodeStatus.OPEN,
            "decision": decision,
            "decision_rows": presenters.decision_rows(decision, []),
            "safety_plan": assessment_selectors.current_safety_plan(person=episode.person),
            "panels": extensions.episode_panels(episode, user),
            "back_link": {"href": reverse("treatment:caseload"), "text": "Back to the caseload"},
        },
    )


# -- The named worker (CORE item 36) ---------------------------------------------------------


def _staff_items(form: NamedWorkerForm, episode: Episode) -> list[dict[str, Any]]:
    chosen = str(form["staff"].value() or "")
    items: list[dict[str, Any]] = [{"value": "", "text": "Choose a member of the team"}]
    for staff in episode_selectors.named_worker_choices(episode=episode):
        if staff.pk == episode.named_worker_id:
            continue
        items.append(
            {
                "value": str(staff.pk),
                "text": f"{p.staff_name(staff)}, {staff.job_title}",
                "selected": str(staff.pk) == chosen,
            }
        )
    return items


@require_http_methods(["GET", "POST"])
def named_worker_change(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.MANAGE_EPISODE)
    episode = _still_open(episode_or_refuse(user, pk, "named worker"))
    stale = False
    if request.method == "POST":
        form = NamedWorkerForm(request.POST)
        if form.is_valid():
            staff = episode_selectors.named_worker_candidate(
                episode=episode, pk=form.cleaned_data["staff"]
            )
            try:
                if staff is None:
                    raise ValidationError({"staff": "Select a member of the team"})
                episode = episode_services.named_worker_change(
                    episode=episode,
                    staff=staff,
                    reason=form.cleaned_data["reason"],
                    expected_version=_version(form),
                    by=user,
                )
            except StaleEdit:
                episode = episode_selectors.episode_for_change(episode=episode)
                form, stale = keep_input_at_current_version(form, episode), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{p.staff_name(staff)} is now the named worker.")
                return redirect("treatment:episode", pk=episode.pk)
    else:
        audit_view(user, episode, episode.person_id, "named worker")
        form = NamedWorkerForm(initial={"version": episode.version})
    episode = episode_selectors.episode_for_change(episode=episode) if stale else episode
    return render(
        request,
        "treatment/episode/named_worker.jinja",
        {
            "title": "Change the named worker",
            "episode": episode,
            "person": episode.person,
            "current": p.staff_name(episode.named_worker) or "No named worker",
            "form": form,
            "staff_params": form_params.select_params(
                form["staff"], {"items": _staff_items(form, episode)}
            ),
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": _back_to(episode),
        },
    )


# -- The six-week review (CORE item 10) ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def episode_review(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.MANAGE_EPISODE)
    episode = _still_open(episode_or_refuse(user, pk, "episode review"))
    if request.method == "POST":
        form = EpisodeReviewForm(request.POST)
        if form.is_valid():
            try:
                episode_services.episode_review_record(
                    episode=episode,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    next_review_on=form.cleaned_data["next_review_on"],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Review recorded.")
                return redirect("treatment:episode", pk=episode.pk)
    else:
        audit_view(user, episode, episode.person_id, "episode review")
        form = EpisodeReviewForm()
    now = timezone.now()
    today = local_date(now)
    due_on = episode_services.review_due_on(episode)
    latest_next = today + dt.timedelta(days=episode_services.NEXT_REVIEW_WITHIN_DAYS)
    example = today + dt.timedelta(days=7)
    return render(
        request,
        "treatment/episode/review.jinja",
        {
            "title": "Review home treatment",
            "episode": episode,
            "person": episode.person,
            "started": p.started_text(episode, today=today),
            "due_on": due_on,
            "form": form,
            "date_params": form_params.date_params(
                form["next_review_on"],
                {
                    "hint": {
                        "text": "If home treatment continues: within "
                        f"{episode_services.NEXT_REVIEW_WITHIN_DAYS} days, on or before "
                        f"{date_long(latest_next)}. For example, "
                        f"{example.day} {example.month} {example.year}"
                    }
                },
            ),
            "has_errors": bool(form.errors),
            "back_link": _back_to(episode),
        },
    )


# -- Paired visits (CORE item 32b) -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def paired_visits(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.MANAGE_EPISODE)
    episode = _still_open(episode_or_refuse(user, pk, "paired visits"))
    stale = False
    if request.method == "POST":
        form = PairedVisitsForm(request.POST)
        if form.is_valid():
            try:
                episode = episode_services.paired_visits_set(
                    episode=episode,
                    required=form.cleaned_data["required"],
                    reason=form.cleaned_data["reason"],
                    expected_version=_version(form),
                    by=user,
                )
            except StaleEdit:
                episode = episode_selectors.episode_for_change(episode=episode)
                form, stale = keep_input_at_current_version(form, episode), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    "Paired visits are now required: every visit needs two members of staff."
                    if episode.paired_visits_required
                    else "Paired visits are no longer required.",
                )
                return redirect("treatment:episode", pk=episode.pk)
    else:
        audit_view(user, episode, episode.person_id, "paired visits")
        # The page switches paired visits on, or off if they are on now.
        form = PairedVisitsForm(
            initial={
                "version": episode.version,
                "required": "no" if episode.paired_visits_required else "yes",
            }
        )
    switching_on = str(form["required"].value()) in ("yes", "True")
    return render(
        request,
        "treatment/episode/paired_visits.jinja",
        {
            "title": "Require paired visits" if switching_on else "Stop requiring paired visits",
            "switching_on": switching_on,
            "episode": episode,
            "person": episode.person,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": _back_to(episode),
        },
    )


urlpatterns: list[URLPattern] = [
    path("caseload/", caseload, name="caseload"),
    path("episodes/<uuid:pk>/", episode_detail, name="episode"),
    path("episodes/<uuid:pk>/named-worker/", named_worker_change, name="named_worker_change"),
    path("episodes/<uuid:pk>/review/", episode_review, name="episode_review"),
    path("episodes/<uuid:pk>/paired-visits/", paired_visits, name="paired_visits"),
]
