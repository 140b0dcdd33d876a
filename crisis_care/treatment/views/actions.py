"""Actions (CORE item 31e): a member of staff's task list, the team's open actions, an
episode's actions, and setting, completing or cancelling one.

Each view of a list that shows people writes one audit row with the ids of the people shown
(as the triage queue does); every change is audited by the service.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_list_view
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.workforce import selectors as workforce_selectors
from crisis_care.workforce.models import StaffMember, Team

from ..forms.actions import ActionCancelForm, ActionDoneForm, ActionForm, TeamTasksFilterForm
from ..models import Action, ActionStatus
from ..presenters import actions as presenters
from ..rules import TreatmentAction, role_may
from ..selectors import actions as selectors
from ..services import actions as services
from .common import audit_view, episode_or_refuse, refuse, require, user_of

SECTION = services.SECTION


def _staff_of(user: User) -> StaffMember:
    staff = workforce_selectors.staff_for_user(user=user)
    if staff is None:
        raise PermissionDenied(
            "Your sign-in is not linked to a staff record, so you have no tasks."
        )
    return staff


def _teams_of(user: User) -> list[Team]:
    teams = list(workforce_selectors.teams_for_user(user=user))
    if not teams:
        raise PermissionDenied("You are not a member of a team, so there are no tasks to show.")
    return teams


def _audit_list(user: User, *, object_type: str, object_id: uuid.UUID, shown: Any) -> None:
    """A row for the task list and one per person it showed."""
    audit_list_view(
        actor=user,
        object_type=object_type,
        object_id=object_id,
        section=SECTION,
        person_ids=presenters.person_ids(shown),
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _action_or_refuse(user: User, pk: uuid.UUID) -> Action:
    try:
        return selectors.action_for_user(pk=pk, user=user)
    except Action.DoesNotExist:
        if not selectors.action_exists(pk=pk):
            raise Http404("No such action") from None
    refuse(user, object_type="treatment.Action", pk=pk, section=SECTION)


# -- Lists -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def my_tasks(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.MANAGE_ACTIONS)
    staff = _staff_of(user)
    teams = _teams_of(user)
    now = timezone.now()
    actions = list(selectors.open_actions_for_staff(user=user, staff=staff))
    _audit_list(user, object_type="treatment.my_tasks", object_id=staff.pk, shown=actions)
    oversees = [
        team for team in teams if selectors.may_oversee_team_tasks(user=user, team=team, at=now)
    ]
    return render(
        request,
        "treatment/actions/my_tasks.jinja",
        {
            "title": "My tasks",
            "groups": presenters.group_tasks(actions, now),
            "now": now,
            "p": presenters,
            "team_tasks_teams": oversees,
            "next": request.get_full_path(),
        },
    )


@require_http_methods(["GET"])
def team_tasks(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.MANAGE_ACTIONS)
    teams = _teams_of(user)
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0])
    now = timezone.now()
    if not selectors.may_oversee_team_tasks(user=user, team=team, at=now):
        raise PermissionDenied(
            "The team's task list is for the team manager and the shift coordinator."
        )
    owners = selectors.owner_choices(team=team)
    filters = TeamTasksFilterForm(request.GET or None, owners=owners)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    owner = next((s for s in owners if str(s.pk) == chosen.get("owner")), None)
    actions = list(
        selectors.open_actions_for_team(
            team=team, owner=owner, overdue_only=bool(chosen.get("overdue")), now=now
        )
    )
    _audit_list(user, object_type="treatment.team_tasks", object_id=team.pk, shown=actions)
    return render(
        request,
        "treatment/actions/team_tasks.jinja",
        {
            "title": "The team's tasks",
            "team": team,
            "teams": teams,
            "filters": filters,
            "owner_params": form_params.select_params(filters["owner"]),
            "groups": presenters.group_tasks(actions, now),
            "filtered": bool(owner or chosen.get("overdue")),
            "now": now,
            "p": presenters,
            "next": request.get_full_path(),
            "back_link": {"href": reverse("treatment:my_tasks"), "text": "Back to my tasks"},
        },
    )


@require_http_methods(["GET"])
def episode_actions(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    episode = episode_or_refuse(user, pk, SECTION)
    actions = list(selectors.actions_for_episode(episode=episode))
    audit_view(user, episode, episode.person_id, SECTION)
    return render(
        request,
        "treatment/actions/episode.jinja",
        {
            "title": f"Actions for {episode.person.full_name}",
            "episode": episode,
            "person": episode.person,
            "open_actions": [a for a in actions if a.status == ActionStatus.OPEN],
            "closed_actions": [a for a in actions if a.status != ActionStatus.OPEN],
            "now": timezone.now(),
            "p": presenters,
            "may_manage": role_may(user.role, TreatmentAction.MANAGE_ACTIONS),
            "next": request.get_full_path(),
            "back_link": {
                "href": reverse("treatment:episode", args=[episode.pk]),
                "text": "Back to the episode",
            },
        },
    )


# -- Changes -----------------------------------------------------------------------------


# The service names the due instant; the form asks for a date and a time.
SERVICE_FIELDS = {"due_at": "due_time"}


@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.MANAGE_ACTIONS)
    episode = episode_or_refuse(user, pk, SECTION)
    owners = selectors.owner_choices(team=episode.team)
    initial = {}
    staff = workforce_selectors.staff_for_user(user=user)
    if staff is not None and any(o.pk == staff.pk for o in owners):
        initial["owner"] = str(staff.pk)
    form = ActionForm(
        request.POST if request.method == "POST" else None, owners=owners, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        owner = next(o for o in owners if str(o.pk) == form.cleaned_data["owner"])
        try:
            action = services.action_create(
                episode=episode,
                description=form.cleaned_data["description"],
                owner=owner,
                due_at=form.due_at(),
                by=user,
            )
        except ValidationError as error:
            add_service_error(form, error, SERVICE_FIELDS)
        else:
            messages.success(
                request,
                f"Action set for {action.owner}: it is on their task list, due "
                f"{presenters.due_text(action.due_at, timezone.now()).lower()}.",
            )
            return redirect("treatment:episode_actions", pk=episode.pk)
    audit_view(user, episode, episode.person_id, SECTION, page="add action")
    return render(
        request,
        "treatment/actions/add.jinja",
        {
            "title": "Set an action",
            "episode": episode,
            "person": episode.person,
            "form": form,
            "has_errors": bool(form.errors),
            "back_link": {
                "href": reverse("treatment:episode_actions", args=[episode.pk]),
                "text": "Back to the actions",
            },
        },
    )


def _close_page(
    request: HttpRequest,
    pk: uuid.UUID,
    *,
    form_class: type[ActionDoneForm] | type[ActionCancelForm],
    template: str,
    title: str,
    done: bool,
) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.MANAGE_ACTIONS)
    action = _action_or_refuse(user, pk)
    back = _safe_next(request, reverse("treatment:my_tasks"))
    stale = False
    if request.method == "POST":
        form: ActionDoneForm | ActionCancelForm = form_class(request.POST)
        if form.is_valid():
            try:
                if done:
                    services.action_complete(
                        action=action,
                        note=form.cleaned_data["note"],
                        expected_version=form.cleaned_data["version"],
                        by=user,
                    )
                else:
                    services.action_cancel(
                        action=action,
                        reason=form.cleaned_data["reason"],
                        expected_version=form.cleaned_data["version"],
                        by=user,
                    )
            except StaleEdit:
                action = selectors.action_for_user(pk=pk, user=user)
                form, stale = keep_input_at_current_version(form, action), True
            except ValidationError as error:
                action = selectors.action_for_user(pk=pk, user=user)
                add_service_error(form, error, SERVICE_FIELDS)
            else:
                messages.success(
                    request,
                    f"Marked as done: {action.description}"
                    if done
                    else f"Cancelled: {action.description}",
                )
                return redirect(back)
    else:
        form = form_class(initial={"version": action.version})
    audit_view(user, action, action.episode.person_id, SECTION)
    closed_by = (
        selectors.last_status_change_by(action=action)
        if action.status != ActionStatus.OPEN
        else None
    )
    return render(
        request,
        template,
        {
            "title": title,
            "action": action,
            "person": action.episode.person,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "closed_by": closed_by,
            "has_errors": bool(form.errors) or stale,
            "now": timezone.now(),
            "p": presenters,
            "next": back,
            "back_link": {"href": back, "text": "Back"},
        },
    )


@require_http_methods(["GET", "POST"])
def action_done(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    return _close_page(
        request,
        pk,
        form_class=ActionDoneForm,
        template="treatment/actions/done.jinja",
        title="Mark the action as done",
        done=True,
    )


@require_http_methods(["GET", "POST"])
def action_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    return _close_page(
        request,
        pk,
        form_class=ActionCancelForm,
        template="treatment/actions/cancel.jinja",
        title="Cancel the action",
        done=False,
    )


urlpatterns = [
    path("tasks/", my_tasks, name="my_tasks"),
    path("tasks/team/", team_tasks, name="team_tasks"),
    path("episodes/<uuid:pk>/actions/", episode_actions, name="episode_actions"),
    path("episodes/<uuid:pk>/actions/add/", action_add, name="action_add"),
    path("actions/<uuid:pk>/done/", action_done, name="action_done"),
    path("actions/<uuid:pk>/cancel/", action_cancel, name="action_cancel"),
]
