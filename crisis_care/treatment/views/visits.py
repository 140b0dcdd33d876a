"""Visits: an episode's visits by day, planning one or a pattern, the visit page (staffing,
moving, cancelling, telling the person) and "My visits today" on a phone.

The rules are the services' (services.visits); these views parse, call them, and show their
refusals against the fields with everything typed kept. Every page that shows a person's
record is audited; another team's visit is refused (403) with the refusal audited.
"""

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisis_care.core.audit import audit_list_view
from crisis_care.core.clock import LONDON, local_date
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.core.presenters import date_long
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_user

from ..forms.visits import (
    PATTERN_INITIAL,
    PATTERN_PHASES,
    AssignForm,
    UnassignForm,
    VisitCancelForm,
    VisitMoveForm,
    VisitPatternForm,
    VisitPlanForm,
)
from ..models import Episode, Visit, VisitStatus
from ..presenters import visits as presenters
from ..rules import TreatmentAction, role_may
from ..selectors import visits as selectors
from ..services import visits as services
from .common import audit_view, episode_or_refuse, refuse, require, user_of

SECTION = "visits"


# -- Shared helpers ----------------------------------------------------------------------


def optional_url(name: str, *args: Any) -> str | None:
    """The URL, or None while that page does not exist yet (another part of the work)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def visit_or_refuse(user: User, pk: uuid.UUID, section: str = "visit") -> Visit:
    """The visit if one of the user's teams holds its episode; 404 if there is no such
    visit; an audited 403 if another team holds it."""
    try:
        return selectors.visit_for_user(pk=pk, user=user)
    except Visit.DoesNotExist:
        if not selectors.visit_exists(pk=pk):
            raise Http404("No such visit") from None
    refuse(user, object_type="treatment.Visit", pk=pk, section=section)


def staff_choices(members: list[StaffMember], on: dt.date) -> list[tuple[str, str]]:
    return [(str(m.pk), presenters.staff_choice_label(m, on=on)) for m in members]


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def _episode_link(episode: Episode) -> dict[str, str]:
    return {
        "href": reverse("treatment:episode_visits", args=[episode.pk]),
        "text": "Back to the visits",
    }


# -- An episode's visits -----------------------------------------------------------------


@require_GET
def episode_visits(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    episode = episode_or_refuse(user, pk, SECTION)
    audit_view(user, episode, episode.person_id, SECTION)
    today = timezone.localdate()
    visits = selectors.visits_for_episode(episode=episode)
    coming = [v for v in visits if local_date(v.window_start) >= today]
    earlier = [v for v in visits if local_date(v.window_start) < today]
    earlier_days = list(reversed(presenters.by_london_day(earlier)))
    return render(
        request,
        "treatment/visits/episode_visits.jinja",
        {
            "title": "Visits",
            "episode": episode,
            "person": episode.person,
            "coming_days": presenters.by_london_day(coming),
            "earlier_days": earlier_days,
            "unplanned": selectors.unplanned_contacts_for_episode(episode=episode),
            "today": today,
            "p": presenters,
            "can_plan": role_may(user.role, TreatmentAction.PLAN_VISITS),
            "can_record": role_may(user.role, TreatmentAction.RECORD_CONTACT),
            "back_link": {
                "href": reverse("treatment:episode", args=[episode.pk]),
                "text": "Back to home treatment",
            },
        },
    )


# -- Planning a visit --------------------------------------------------------------------

_PLAN_FIELDS = {"staff": "staff_1"}


@require_http_methods(["GET", "POST"])
def visit_plan(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.PLAN_VISITS)
    episode = episode_or_refuse(user, pk, SECTION)
    team = selectors.team_staff(episode=episode)
    by_pk = {str(member.pk): member for member in team}
    choices = staff_choices(team, timezone.localdate())
    if request.method == "POST":
        form = VisitPlanForm(request.POST, staff_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = services.visit_plan(
                    episode=episode,
                    window_start=data["starts_at"],
                    window_end=data["ends_at"],
                    details=form.details(),
                    staff=[by_pk[pk] for pk in form.chosen_staff()],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error, _PLAN_FIELDS)
            else:
                messages.success(
                    request,
                    f"Visit planned for {date_long(visit.window_start)}, "
                    f"{presenters.window_text(visit)}.",
                )
                return redirect("treatment:visit", pk=visit.pk)
    else:
        audit_view(user, episode, episode.person_id, "visit planning")
        form = VisitPlanForm(
            initial={
                "date": _tomorrow(),
                "staff_needed": "2" if episode.paired_visits_required else "1",
            },
            staff_choices=choices,
        )
    return render(
        request,
        "treatment/visits/plan.jinja",
        {
            "title": "Plan a visit",
            "episode": episode,
            "person": episode.person,
            "form": form,
            "has_errors": bool(form.errors),
            "back_link": _episode_link(episode),
        },
    )


# -- Planning a pattern ------------------------------------------------------------------


def _pattern_args(form: VisitPatternForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "start_on": data["start_on"],
        "phases": data["phases"],
        "window_minutes": data["window_length"],
        "details": form.details(),
    }


def _posted_fields(request: HttpRequest) -> list[tuple[str, list[str]]]:
    """What was typed, to carry through the preview as hidden fields."""
    return [
        (name, values)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "action")
    ]


@require_http_methods(["GET", "POST"])
def visit_pattern(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Plan a pattern in two steps: the pattern, then a preview of every visit it makes
    (London dates and times) to confirm or change. Confirming creates them all in one
    transaction."""
    user = user_of(request)
    require(user, TreatmentAction.PLAN_VISITS)
    episode = episode_or_refuse(user, pk, SECTION)
    action = request.POST.get("action", "preview")
    context: dict[str, Any] = {
        "episode": episode,
        "person": episode.person,
        "back_link": _episode_link(episode),
    }
    if request.method == "GET":
        audit_view(user, episode, episode.person_id, "visit planning")
        form = VisitPatternForm(
            initial={
                **PATTERN_INITIAL,
                "start_on": _tomorrow(),
                "staff_needed": "2" if episode.paired_visits_required else "1",
            }
        )
    else:
        form = VisitPatternForm(request.POST)
        if form.is_valid() and action != "change":
            try:
                if action == "confirm":
                    visits = services.visit_pattern_create(
                        **_pattern_args(form), episode=episode, by=user
                    )
                else:
                    windows = services.visit_pattern_preview(**_pattern_args(form), episode=episode)
            except ValidationError as error:
                add_service_error(form, error, {"phases": "phase_1_days"})
            else:
                if action == "confirm":
                    made = [(v.window_start, v.window_end) for v in visits]
                    messages.success(
                        request,
                        f"{presenters.pattern_summary(len(made), made)} planned. Assign staff "
                        "to each visit nearer the day.",
                    )
                    return redirect("treatment:episode_visits", pk=episode.pk)
                return render(
                    request,
                    "treatment/visits/pattern_preview.jinja",
                    {
                        **context,
                        "title": "Check the visits before you create them",
                        "summary": presenters.pattern_summary(len(windows), windows),
                        "days": presenters.windows_by_day(windows, timezone.localdate()),
                        "hidden": _posted_fields(request),
                        "details": presenters.details_rows(form.details()),
                    },
                )
    return render(
        request,
        "treatment/visits/pattern.jinja",
        {
            **context,
            "title": "Plan a pattern of visits",
            "form": form,
            "has_errors": bool(form.errors),
            "phases": range(1, PATTERN_PHASES + 1),
        },
    )


# -- The visit page: staffing, and its actions -------------------------------------------


def _assign_choices(visit: Visit) -> list[tuple[str, str]]:
    assigned = {link.staff_id for link in visit.staff_links.all()}
    team = [m for m in selectors.team_staff(episode=visit.episode) if m.pk not in assigned]
    return staff_choices(team, local_date(visit.window_start))


def _visit_page(
    request: HttpRequest,
    user: User,
    visit: Visit,
    *,
    assign_form: AssignForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_plan = role_may(user.role, TreatmentAction.PLAN_VISITS)
    planned = visit.status == VisitStatus.PLANNED
    places = presenters.places_left(visit)
    if assign_form is None and can_plan and planned and places:
        assign_form = AssignForm(staff_choices=_assign_choices(visit))
    contact = getattr(visit, "care_contact", None)
    return render(
        request,
        "treatment/visits/visit.jinja",
        {
            "title": "Visit",
            "visit": visit,
            "episode": visit.episode,
            "person": visit.episode.person,
            "rows": presenters.visit_rows(visit),
            "visit_day": local_date(visit.window_start),
            "staff": presenters.assigned_staff(visit),
            "places": places,
            "assign_form": assign_form if (can_plan and planned and places) else None,
            "contact": contact,
            "flags": presenters.contact_flags(contact, timezone.localdate()) if contact else [],
            "history": list(visit.status_history.all()),
            "errors": errors or [],
            "has_errors": bool(errors) or bool(assign_form and assign_form.errors),
            "planned": planned,
            "can_plan": can_plan,
            "can_record": role_may(user.role, TreatmentAction.RECORD_CONTACT),
            "p": presenters,
            "back_link": _episode_link(visit.episode),
        },
        status=status,
    )


@require_GET
def visit_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    visit = visit_or_refuse(user, pk)
    audit_view(user, visit, visit.episode.person_id, "visit")
    return _visit_page(request, user, visit)


@require_POST
def visit_assign(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.PLAN_VISITS)
    visit = visit_or_refuse(user, pk, "visit staffing")
    choices = _assign_choices(visit)
    form = AssignForm(request.POST, staff_choices=choices)
    if form.is_valid():
        team = {str(m.pk): m for m in selectors.team_staff(episode=visit.episode)}
        member = team[form.cleaned_data["staff"]]
        try:
            services.visit_assign(visit=visit, staff=member, by=user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{member} assigned to the visit.")
            return redirect("treatment:visit", pk=visit.pk)
    return _visit_page(request, user, visit, assign_form=form)


@require_POST
def visit_unassign(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.PLAN_VISITS)
    visit = visit_or_refuse(user, pk, "visit staffing")
    form = UnassignForm(request.POST)
    staff = {m.pk: m for m in presenters.assigned_staff(visit)}
    if form.is_valid() and form.cleaned_data["staff"] in staff:
        member = staff[form.cleaned_data["staff"]]
        try:
            services.visit_unassign(visit=visit, staff=member, by=user)
        except ValidationError as error:
            return _visit_page(request, user, visit, errors=error.messages)
        messages.success(request, f"{member} is no longer assigned to the visit.")
        return redirect("treatment:visit", pk=visit.pk)
    return _visit_page(
        request, user, visit, errors=["That member of staff is not assigned to this visit"]
    )


@require_http_methods(["GET", "POST"])
def visit_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.PLAN_VISITS)
    visit = visit_or_refuse(user, pk, "visit cancel")
    form = VisitCancelForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.visit_cancel(
                    visit=visit,
                    by_whom=form.cleaned_data["by_whom"],
                    reason=form.cleaned_data["reason"],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Visit cancelled. The staff are free at that time.")
                return redirect("treatment:visit", pk=visit.pk)
    else:
        audit_view(user, visit, visit.episode.person_id, "visit cancel")
    return render(
        request,
        "treatment/visits/cancel.jinja",
        {
            "title": "Cancel the visit",
            "visit": visit,
            "person": visit.episode.person,
            "form": form,
            "has_errors": bool(form.errors),
            "p": presenters,
            "back_link": {
                "href": reverse("treatment:visit", args=[visit.pk]),
                "text": "Back to the visit",
            },
        },
    )


def _move_conflicts(form: VisitMoveForm, current: Visit) -> list[str]:
    data = form.cleaned_data
    if data.get("starts_at") == current.window_start and data.get("ends_at") == current.window_end:
        return []
    return ["Window"]


@require_http_methods(["GET", "POST"])
def visit_move(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Move a visit's window (version-checked: two coordinators moving it at once cannot
    both win without seeing each other's change)."""
    user = user_of(request)
    require(user, TreatmentAction.PLAN_VISITS)
    visit = visit_or_refuse(user, pk, "visit move")
    stale = False
    if request.method == "POST":
        form = VisitMoveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.visit_move(
                    visit=visit,
                    window_start=data["starts_at"],
                    window_end=data["ends_at"],
                    expected_version=data["version"] or 0,
                    by=user,
                )
            except StaleEdit:
                current = selectors.visit_for_user(pk=visit.pk, user=user)
                form = keep_input_at_current_version(form, current, conflicts=_move_conflicts)
                visit, stale = current, True
            except ValidationError as error:
                add_service_error(form, error, {"staff": "window_start"})
            else:
                messages.success(
                    request,
                    "Visit moved. Tell the person the new window.",
                )
                return redirect("treatment:visit", pk=visit.pk)
    else:
        audit_view(user, visit, visit.episode.person_id, "visit move")
        start = visit.window_start.astimezone(LONDON)
        end = visit.window_end.astimezone(LONDON)
        form = VisitMoveForm(
            initial={
                "date": start.date(),
                "window_start": start.strftime("%H:%M"),
                "window_end": end.strftime("%H:%M"),
                "version": visit.version,
            }
        )
    return render(
        request,
        "treatment/visits/move.jinja",
        {
            "title": "Move the visit",
            "visit": visit,
            "person": visit.episode.person,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "p": presenters,
            "back_link": {
                "href": reverse("treatment:visit", args=[visit.pk]),
                "text": "Back to the visit",
            },
        },
    )


@require_POST
def visit_person_told(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.PLAN_VISITS)
    visit = visit_or_refuse(user, pk, "visit")
    try:
        services.visit_person_told(visit=visit, by=user)
    except ValidationError as error:
        return _visit_page(request, user, visit, errors=error.messages)
    messages.success(
        request, f"Recorded that {visit.episode.person.full_name} has been told the window."
    )
    return redirect("treatment:visit", pk=visit.pk)


# -- My visits today ---------------------------------------------------------------------


def _my_visit_card(visit: Visit, me: StaffMember | None) -> dict[str, Any]:
    check = presenters.open_check(visit)
    contact = getattr(visit, "care_contact", None)
    planned = visit.status == VisitStatus.PLANNED
    person = visit.episode.person
    return {
        "visit": visit,
        "person": person,
        "window": presenters.window_text(visit),
        "address": presenters.address_text(person),
        "tel": presenters.tel_href(person.phone) if person.phone else None,
        "with": presenters.visiting_with(visit, me),
        "needs": presenters.needs_text(visit),
        "paired": presenters.paired_warning(visit),
        "status": presenters.status_tag(visit),
        "lone": presenters.lone_working_text(visit),
        "check_in_href": optional_url("treatment:lone_check_in", visit.pk)
        if planned and check is None
        else None,
        "check_out_href": optional_url("treatment:lone_check_out", check.pk) if check else None,
        "visit_href": reverse("treatment:visit", args=[visit.pk]),
        "care_plan_href": optional_url("treatment:care_plan", visit.episode_id),
        "contact": contact,
        "contact_href": reverse("treatment:contact_record", args=[visit.pk])
        if planned and contact is None
        else None,
        "safety_plan_href": reverse(
            "assessments:safety_plan_detail",
            kwargs={"plan_pk": visit.safety_plan_id},  # type: ignore[attr-defined]
        )
        if getattr(visit, "safety_plan_id", None)
        else None,
    }


@require_GET
def my_visits(request: HttpRequest) -> HttpResponse:
    """The signed-in member of staff's visits today (London), phone-sized first. A fixed
    number of queries however many visits there are."""
    user = user_of(request)
    require(user, TreatmentAction.LONE_WORKING)
    today = timezone.localdate()
    me = staff_for_user(user=user)
    visits = selectors.my_visits_on(user=user, day=today)
    # A row for the list and one per person whose details it shows.
    audit_list_view(
        actor=user,
        object_type="treatment.my_visits",
        object_id=me.pk if me else None,
        section="my visits today",
        person_ids=[v.episode.person_id for v in visits],
    )
    return render(
        request,
        "treatment/visits/my_visits.jinja",
        {
            "title": "My visits today",
            "today": today,
            "cards": [_my_visit_card(visit, me) for visit in visits],
            "p": presenters,
            "can_record": role_may(user.role, TreatmentAction.RECORD_CONTACT),
        },
    )


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:pk>/visits/", episode_visits, name="episode_visits"),
    path("episodes/<uuid:pk>/visits/plan/", visit_plan, name="visit_plan"),
    path("episodes/<uuid:pk>/visits/pattern/", visit_pattern, name="visit_pattern"),
    path("visits/<uuid:pk>/", visit_detail, name="visit"),
    path("visits/<uuid:pk>/assign/", visit_assign, name="visit_assign"),
    path("visits/<uuid:pk>/unassign/", visit_unassign, name="visit_unassign"),
    path("visits/<uuid:pk>/cancel/", visit_cancel, name="visit_cancel"),
    path("visits/<uuid:pk>/move/", visit_move, name="visit_move"),
    path("visits/<uuid:pk>/person-told/", visit_person_told, name="visit_person_told"),
    path("my-visits/", my_visits, name="my_visits"),
]
