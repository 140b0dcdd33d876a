"""Home, who is on now, the rota and the staff list. Thin: parse, read or write, render."""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User

from . import presenters, rules, selectors, services
from .forms import ShiftAssignForm, assign_form_prefix, parse_day
from .models import ShiftType, StaffMember, Team

WEEK = dt.timedelta(days=7)

# Display helpers the templates call (pure functions from presenters.py).
TEMPLATE_HELPERS: dict[str, Any] = {
    "shift_times": presenters.shift_times,
    "shift_name": presenters.shift_name,
    "shift_length": presenters.shift_length,
    "clock_change_note": presenters.clock_change_note,
    "day_long": presenters.day_long,
    "registration_text": presenters.registration_text,
    "registration_is_current": presenters.registration_is_current,
}


def _user(request: HttpRequest) -> User:
    """The signed-in user (LoginRequiredMiddleware sends everyone else to sign in)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"workforce/{template}", {**TEMPLATE_HELPERS, **context})


def _chosen_team(request: HttpRequest, teams: Sequence[Team]) -> Team | None:
    """The team asked for in ?team=, which must be one of the user's; else their first team."""
    wanted = request.GET.get("team")
    if not teams:
        return None
    if not wanted:
        return teams[0]
    for team in teams:
        if str(team.pk) == wanted:
            return team
    raise Http404("You are not in that team.")


def _rota_url(team: Team, day: dt.date) -> str:
    return f"{reverse('workforce:rota')}?{urlencode({'day': day.isoformat(), 'team': team.pk})}"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    now = timezone.now()
    teams = list(selectors.teams_for_user(user=user))
    staff = selectors.staff_for_user(user=user)
    assignments = (
        list(selectors.assignments_for_staff(staff=staff, start=now, end=now + WEEK))
        if staff
        else []
    )
    current = [a for a in assignments if a.shift.starts_at <= now]
    upcoming = next((a for a in assignments if a.shift.starts_at > now), None)
    summaries = [
        (team, presenters.team_summary(selectors.on_now(team=team, at=now))) for team in teams
    ]
    first_name = user.first_name or str(user)
    return _render(
        request,
        "home.jinja",
        {
            "title": "Home",
            "greeting": f"{presenters.greeting(now)}, {first_name}",
            "role_label": user.role_label,
            "teams": teams,
            "staff": staff,
            "current": current,
            "upcoming": upcoming,
            "summaries": summaries,
            "task_links": presenters.task_links(user.role),
        },
    )


@require_safe
def on_now(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    now = timezone.now()
    teams = list(selectors.teams_for_user(user=user))
    team = _chosen_team(request, teams)
    rows = selectors.on_now(team=team, at=now) if team else []
    coming = selectors.next_shift_start(team=team, after=now) if team else []
    return _render(
        request,
        "on_now.jinja",
        {
            "title": "Who is on now",
            "now": now,
            "teams": teams,
            "team": team,
            "rows": rows,
            "summary": presenters.team_summary(rows),
            "coming": coming,
        },
    )


def _rota_page(
    request: HttpRequest,
    *,
    user: User,
    teams: Sequence[Team],
    team: Team | None,
    day: dt.date,
    bound: ShiftAssignForm | None = None,
    bound_shift_type: ShiftType | None = None,
) -> HttpResponse:
    can_edit = rules.can_edit_rota(user.role)
    slots = selectors.rota_for_day(team=team, day=day) if team else []
    forms: dict[uuid.UUID, ShiftAssignForm] = {}
    if team and can_edit:
        options = list(selectors.staff_for_team(team=team, on=day))
        for slot in slots:
            if bound is not None and bound_shift_type == slot.shift_type:
                forms[slot.shift_type.pk] = bound
                continue
            forms[slot.shift_type.pk] = ShiftAssignForm(
                staff_options=options,
                shift_label=presenters.shift_name(slot.shift_type.name),
                prefix=assign_form_prefix(slot.shift_type),
            )
    has_errors = bound is not None and bool(bound.errors)
    return _render(
        request,
        "rota.jinja",
        {
            "title": f"Rota for {presenters.day_long(day)}",
            "has_errors": has_errors,
            "teams": teams,
            "team": team,
            "day": day,
            "today": timezone.localdate(),
            "slots": slots,
            "can_edit": can_edit,
            "forms": forms,
            "bound": bound,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "previous_url": _rota_url(team, day - dt.timedelta(days=1)) if team else "",
            "next_url": _rota_url(team, day + dt.timedelta(days=1)) if team else "",
            "today_url": _rota_url(team, timezone.localdate()) if team else "",
        },
    )


@require_safe
def rota(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    teams = list(selectors.teams_for_user(user=user))
    day = parse_day(request.GET.get("day")) or timezone.localdate()
    return _rota_page(request, user=user, teams=teams, team=_chosen_team(request, teams), day=day)


def _require_rota_editor(user: User, *, action: str, object_id: uuid.UUID) -> None:
    if rules.can_edit_rota(user.role):
        return
    audit_record(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        object_type="workforce.Shift",
        object_id=object_id,
        detail={"action": action},
    )
    raise PermissionDenied("Only team managers and administrators can change the rota.")


@require_POST
def rota_assign(request: HttpRequest, shift_type_pk: uuid.UUID, day: str) -> HttpResponse:
    user = _user(request)
    _require_rota_editor(user, action="assign", object_id=shift_type_pk)
    on = parse_day(day)
    shift_type = selectors.shift_type_for_user(user=user, pk=shift_type_pk)
    if on is None or shift_type is None:
        raise Http404("No such shift in your teams.")
    team = shift_type.team
    label = presenters.shift_name(shift_type.name)
    form = ShiftAssignForm(
        request.POST,
        staff_options=list(selectors.staff_for_team(team=team, on=on)),
        shift_label=label,
        prefix=assign_form_prefix(shift_type),
    )
    if form.is_valid():
        staff: StaffMember = form.cleaned_data["staff"]
        try:
            with transaction.atomic():
                shift = services.shift_get_or_create(shift_type=shift_type, day=on)
                services.shift_assign(
                    shift=shift,
                    staff=staff,
                    by=user,
                    is_coordinator=form.cleaned_data["is_coordinator"],
                )
        except ValidationError as error:
            form.add_error("staff", error)
        else:
            role = " as coordinator" if form.cleaned_data["is_coordinator"] else ""
            messages.success(
                request, f"{staff} is on the {label.lower()}{role} on {presenters.day_long(on)}."
            )
            return redirect(_rota_url(team, on))
    teams = list(selectors.teams_for_user(user=user))
    return _rota_page(
        request, user=user, teams=teams, team=team, day=on, bound=form, bound_shift_type=shift_type
    )


@require_POST
def rota_remove(
    request: HttpRequest, shift_pk: uuid.UUID, staff_pk: uuid.UUID
) -> HttpResponseRedirect:
    user = _user(request)
    _require_rota_editor(user, action="remove", object_id=shift_pk)
    shift = selectors.shift_for_user(user=user, pk=shift_pk)
    if shift is None:
        raise Http404("No such shift in your teams.")
    assignment = selectors.assignment_on_shift(shift=shift, staff_pk=staff_pk)
    if assignment is not None:
        services.shift_unassign(shift=shift, staff=assignment.staff, by=user)
        label = presenters.shift_name(shift.shift_type.name).lower()
        messages.success(
            request,
            f"{assignment.staff} is no longer on the {label} on {presenters.day_long(shift.day)}.",
        )
    return redirect(_rota_url(shift.team, shift.day))


@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    teams = list(selectors.teams_for_user(user=user))
    team = _chosen_team(request, teams)
    today = timezone.localdate()
    staff = list(selectors.staff_for_team(team=team, on=today)) if team else []
    rows = [(s, selectors.staff_is_registered_practitioner(s, on=today)) for s in staff]
    return _render(
        request,
        "staff_list.jinja",
        {"title": "Staff", "teams": teams, "team": team, "rows": rows, "today": today},
    )


@require_safe
def staff_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = _user(request)
    staff = selectors.staff_member_for_user(user=user, pk=pk)
    if staff is None:
        raise Http404("No such member of staff in your teams.")
    now = timezone.now()
    today = timezone.localdate()
    return _render(
        request,
        "staff_detail.jinja",
        {
            "title": str(staff),
            "staff": staff,
            "today": today,
            "registered": selectors.staff_is_registered_practitioner(staff, on=today),
            "registrations": list(staff.registrations.all()),
            "teams": list(selectors.teams_for_staff(staff=staff, on=today)),
            "upcoming": list(
                selectors.assignments_for_staff(staff=staff, start=now, end=now + WEEK)
            ),
            "back_link": {"href": reverse("workforce:staff_list"), "text": "Back to staff"},
        },
    )
