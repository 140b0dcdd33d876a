"""Recording a contact, in two minutes on a phone: at a planned visit or unplanned, and
writing up its note later (version-checked).

The rules are services.contacts'; the form asks "Did you phone the person to say you were
running late?" only when the start time typed is more than 15 minutes after the window.
"""

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.clock import LONDON, local_date
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.workforce.models import StaffMember

from ..forms.visits import ContactForm, WriteUpForm
from ..models import CareContact, Episode, Visit, VisitStatus
from ..presenters import visits as presenters
from ..rules import TreatmentAction
from ..selectors import visits as selectors
from ..services import contacts as services
from .common import audit_view, episode_or_refuse, refuse, require, user_of
from .visits import staff_choices, visit_or_refuse

SECTION = "contact"
_FIELDS = {"started_at": "start_time", "ended_at": "end_time"}


def _contact_or_refuse(user: User, pk: uuid.UUID) -> CareContact:
    try:
        return selectors.contact_for_user(pk=pk, user=user)
    except CareContact.DoesNotExist:
        if not selectors.contact_exists(pk=pk):
            raise Http404("No such contact") from None
    refuse(user, object_type="treatment.CareContact", pk=pk, section=SECTION)


def _minute(instant: dt.datetime) -> dt.datetime:
    """An instant to the whole minute, in UTC (arithmetic stays in UTC across a clock change)."""
    return instant.astimezone(dt.UTC).replace(second=0, microsecond=0)


def _initial(
    visit: Visit | None, me: StaffMember | None, assigned: list[StaffMember]
) -> dict[str, Any]:
    """Defaults for a contact just finished: from the window's start (if it has begun today;
    otherwise the expected length before now) to now, where the visit was planned, with the
    staff assigned (or the user)."""
    now = _minute(timezone.now())
    expected = visit.expected_minutes if visit is not None else 30
    start, end = now - dt.timedelta(minutes=expected), now
    if visit is not None and visit.window_start <= now:
        start = _minute(visit.window_start)
        if local_date(start) != local_date(now):
            # Recording an earlier day's visit: its window, for as long as it was expected.
            end = start + dt.timedelta(minutes=expected)
    if local_date(start) != local_date(end):
        start = end = now
    local_start, local_end = start.astimezone(LONDON), end.astimezone(LONDON)
    chosen = [str(m.pk) for m in assigned] or ([str(me.pk)] if me else [])
    return {
        "date": local_start.date(),
        "start_time": local_start.strftime("%H:%M"),
        "end_time": local_end.strftime("%H:%M"),
        "location": visit.location if visit is not None else "home",
        "location_detail": visit.location_detail if visit is not None else "",
        "staff": chosen,
    }


def _record(
    request: HttpRequest, user: User, episode: Episode, visit: Visit | None
) -> HttpResponseBase:
    team = selectors.team_staff(episode=episode)
    by_pk = {str(m.pk): m for m in team}
    me = next((m for m in team if m.user_id == user.pk), None)
    assigned = presenters.assigned_staff(visit) if visit is not None else []
    # Checkboxes for the staff on the visit and the user; anyone else in a list.
    present = [*assigned, *([me] if me and me not in assigned else [])]
    others = [m for m in team if m not in present]
    today = timezone.localdate()
    goals, interventions = selectors.care_plan_choices(episode=episode)
    kwargs: dict[str, Any] = {
        "staff_choices": staff_choices(present, today),
        "other_staff_choices": staff_choices(others, today),
        "goal_choices": [(str(g.pk), g.goal) for g in goals],
        "intervention_choices": [
            (str(i.pk), f"{i.get_kind_display()}: {i.detail}") for i in interventions
        ],
    }
    ask_lateness = False
    if request.method == "POST":
        form = ContactForm(request.POST, **kwargs)
        valid = form.is_valid()
        typed = form.cleaned_data
        if typed.get("started_at") and typed.get("attendance"):
            ask_lateness = services.is_late(visit, typed["started_at"], typed["attendance"])
        if valid:
            data = form.cleaned_data
            chosen_goals, chosen_interventions = selectors.goals_and_interventions(
                episode=episode,
                goal_ids=data.get("goals") or [],
                intervention_ids=data.get("interventions") or [],
            )
            try:
                contact = services.contact_record(
                    episode=episode,
                    visit=visit,
                    started_at=data["started_at"],
                    ended_at=data["ended_at"],
                    medium=data["medium"],
                    location=data.get("location") or "",
                    location_detail=data.get("location_detail") or "",
                    attendance=data["attendance"],
                    staff=[by_pk[pk] for pk in form.staff_ids()],
                    goals=chosen_goals,
                    interventions=chosen_interventions,
                    note=data.get("note") or "",
                    phoned_about_lateness=data["phoned"] if ask_lateness else None,
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error, _FIELDS)
            else:
                messages.success(
                    request,
                    f"Contact with {episode.person.full_name} recorded"
                    + ("." if contact.note else ". Write up the note today."),
                )
                if (
                    visit is not None
                    and me is not None
                    and me in assigned
                    and local_date(visit.window_start) == today
                ):
                    return redirect("treatment:my_visits")
                return redirect("treatment:episode_visits", pk=episode.pk)
    else:
        audit_view(user, visit or episode, episode.person_id, SECTION)
        form = ContactForm(initial=_initial(visit, me, assigned), **kwargs)
    back = (
        {"href": reverse("treatment:my_visits"), "text": "Back to my visits"}
        if visit is not None and me in assigned
        else {
            "href": reverse("treatment:episode_visits", args=[episode.pk]),
            "text": "Back to the visits",
        }
    )
    return render(
        request,
        "treatment/visits/contact.jinja",
        {
            "title": "Record a contact" if visit is None else "Record the visit",
            "episode": episode,
            "person": episode.person,
            "visit": visit,
            "form": form,
            "ask_lateness": ask_lateness,
            "has_plan_choices": bool(goals or interventions),
            "has_others": bool(others),
            "has_errors": bool(form.errors),
            "p": presenters,
            "back_link": back,
        },
    )


@require_http_methods(["GET", "POST"])
def contact_record(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Record what happened at a planned visit."""
    user = user_of(request)
    require(user, TreatmentAction.RECORD_CONTACT)
    visit = visit_or_refuse(user, pk, SECTION)
    if getattr(visit, "care_contact", None) is not None:
        messages.info(request, "A contact has already been recorded for this visit.")
        return redirect("treatment:visit", pk=visit.pk)
    if visit.status != VisitStatus.PLANNED:
        messages.info(
            request,
            f"This visit is recorded as {visit.get_status_display().lower()}. To record a "
            "contact, record an unplanned contact.",
        )
        return redirect("treatment:visit", pk=visit.pk)
    return _record(request, user, visit.episode, visit)


@require_http_methods(["GET", "POST"])
def contact_record_unplanned(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Record a contact with no planned visit: a call, or an extra visit."""
    user = user_of(request)
    require(user, TreatmentAction.RECORD_CONTACT)
    episode = episode_or_refuse(user, pk, SECTION)
    return _record(request, user, episode, None)


@require_http_methods(["GET", "POST"])
def contact_write_up(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Write up a contact's note (or revise it). Version-checked: if someone else saved the
    note first, what you typed is kept and their note is shown."""
    user = user_of(request)
    require(user, TreatmentAction.RECORD_CONTACT)
    contact = _contact_or_refuse(user, pk)
    stale = False
    if request.method == "POST":
        form = WriteUpForm(request.POST)
        if form.is_valid():
            try:
                services.contact_write_up(
                    contact=contact,
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"] or 0,
                    by=user,
                )
            except StaleEdit:
                contact = selectors.contact_for_user(pk=contact.pk, user=user)
                form, stale = keep_input_at_current_version(form, contact), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Note saved.")
                return redirect("treatment:episode_visits", pk=contact.episode_id)
    else:
        audit_view(user, contact, contact.episode.person_id, SECTION)
        form = WriteUpForm(initial={"note": contact.note, "version": contact.version})
    return render(
        request,
        "treatment/visits/write_up.jinja",
        {
            "title": "Write up the note",
            "contact": contact,
            "person": contact.episode.person,
            "summary": presenters.contact_summary(contact),
            "flags": presenters.contact_flags(contact, timezone.localdate()),
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "has_errors": bool(form.errors) or stale,
            "back_link": {
                "href": reverse("treatment:episode_visits", args=[contact.episode_id]),
                "text": "Back to the visits",
            },
        },
    )


urlpatterns: list[URLPattern] = [
    path("visits/<uuid:pk>/contact/", contact_record, name="contact_record"),
    path(
        "episodes/<uuid:pk>/contacts/new/",
        contact_record_unplanned,
        name="contact_record_unplanned",
    ),
    path("contacts/<uuid:pk>/write-up/", contact_write_up, name="contact_write_up"),
]
