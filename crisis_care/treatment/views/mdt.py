"""The daily MDT review board (CORE items 29, 31e, 33): the team's open episodes with what the
team needs to decide, today's meeting and who attended, the review of each person in turn,
and setting the team's risk rating outside a meeting.

The board is for roles that may see the caseload (TreatmentAction.VIEW), for the user's own
teams only. Each view of the board writes one audit row naming the people it showed (as the
triage queue and task lists do); each review page is audited as a view of that person's
record. Running the meeting needs TreatmentAction.RUN_MDT; changing a rating, SET_RATING.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from crisis_care.core.audit import audit_list_view
from crisis_care.core.clock import local_date
from crisis_care.core.models import User
from crisis_care.workforce import selectors as workforce_selectors
from crisis_care.workforce.models import StaffMember, Team

from ..forms.mdt import ACTION_PREFIXES, ActionForm, AttendanceForm, RatingForm, ReviewForm
from ..models import DischargeReadiness, Episode, EpisodeStatus, MdtMeeting
from ..presenters import actions as action_presenters
from ..presenters import mdt as presenters
from ..rules import TreatmentAction, role_may
from ..selectors import mdt as selectors
from ..services import mdt as services
from .common import audit_view, episode_or_refuse, refuse, require, user_of

BOARD_SECTION = "mdt board"
REVIEW_SECTION = "mdt review"
NOT_REVIEWED = "not-reviewed"


def _board_url(team_id: uuid.UUID, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"team": str(team_id), **params}.items())
    return f"{reverse('treatment:mdt_board')}?{query}"


def _review_url(meeting: MdtMeeting, episode_pk: uuid.UUID) -> str:
    return reverse("treatment:mdt_review", args=[meeting.pk, episode_pk])


def _teams_of(user: User) -> list[Team]:
    teams = selectors.teams_for_board(user=user)
    if not teams:
        raise PermissionDenied("You are not a member of a team, so there is no board to show.")
    return teams


def _staff_of(user: User) -> StaffMember:
    staff = workforce_selectors.staff_for_user(user=user)
    if staff is None:
        raise PermissionDenied("Your sign-in is not linked to a staff record, so you cannot chair.")
    return staff


def _meeting_or_refuse(user: User, pk: uuid.UUID) -> MdtMeeting:
    try:
        return selectors.meeting_for_user(pk=pk, user=user)
    except MdtMeeting.DoesNotExist:
        if not selectors.meeting_exists(pk=pk):
            raise Http404("No such meeting") from None
    refuse(user, object_type="treatment.MdtMeeting", pk=pk, section=REVIEW_SECTION)


def _by_field(error: ValidationError) -> list[tuple[str | None, list[str]]]:
    """The service's messages by field (None: about the whole form)."""
    if hasattr(error, "error_dict"):
        return list(error.message_dict.items())
    return [(None, list(error.messages))]


# -- The board ---------------------------------------------------------------------------


def mdt_board(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    require(user, TreatmentAction.VIEW)
    teams = _teams_of(user)
    team = selectors.team_chosen(teams, request.GET.get("team"))
    assert team is not None
    board = selectors.board(team=team)
    show = NOT_REVIEWED if request.GET.get("show") == NOT_REVIEWED else ""
    rows = [r for r in board.rows if not r.reviewed_today] if show else board.rows
    # A row for the board and one per person it showed.
    audit_list_view(
        actor=user,
        object_type="treatment.mdt_board",
        object_id=team.pk,
        section=BOARD_SECTION,
        person_ids=[r.episode.person_id for r in rows],
        detail={"filter": show or "everyone"},
    )
    next_up = None
    if board.meeting is not None:
        next_up = next((r for r in board.rows if not r.reviewed_in_meeting), None)
    return render(
        request,
        "treatment/mdt/board.jinja",
        {
            "title": "Daily review board",
            "team": team,
            "teams": teams,
            "board": board,
            "rows": rows,
            "show": show,
            "next_up": next_up,
            "may_run": role_may(user.role, TreatmentAction.RUN_MDT),
            "may_rate": role_may(user.role, TreatmentAction.SET_RATING),
            "board_url": _board_url,
            "p": presenters,
            "ap": action_presenters,
        },
    )


# -- The meeting -------------------------------------------------------------------------


def _attendance_errors(form: AttendanceForm, error: ValidationError) -> None:
    for key, messages_ in _by_field(error):
        form.add_error(key if key in form.fields else None, messages_)


@require_http_methods(["GET", "POST"])
def mdt_start(request: HttpRequest) -> HttpResponseBase:
    """Start today's meeting for the team, chaired by the user, with who is attending."""
    user = user_of(request)
    require(user, TreatmentAction.RUN_MDT)
    teams = _teams_of(user)
    team = selectors.team_chosen(teams, request.POST.get("team") or request.GET.get("team"))
    assert team is not None
    chair = _staff_of(user)
    running = selectors.open_meeting_today(team=team)
    if running is not None:
        messages.info(request, f"{running.chair} is already chairing today's meeting.")
        return redirect(_board_url(team.pk))
    staff = [s for s in selectors.team_staff(team=team) if s.pk != chair.pk]
    form = AttendanceForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.mdt_start(team=team, attendees=form.chosen(), by=user)
        except ValidationError as error:
            _attendance_errors(form, error)
        else:
            messages.success(request, "Today's meeting has started. Who attended is recorded.")
            return redirect(_board_url(team.pk))
    return render(
        request,
        "treatment/mdt/attendance.jinja",
        {
            "title": "Start today's meeting",
            "team": team,
            "form": form,
            "chair": chair,
            "meeting": None,
            "action": reverse("treatment:mdt_start"),
            "submit": "Start the meeting",
            "has_errors": bool(form.errors),
            "back_link": {"href": _board_url(team.pk), "text": "Back to the board"},
        },
    )


@require_http_methods(["GET", "POST"])
def mdt_attendance(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Change who is attending while the meeting is open."""
    user = user_of(request)
    require(user, TreatmentAction.RUN_MDT)
    meeting = _meeting_or_refuse(user, pk)
    if meeting.ended_at is not None:
        messages.info(request, "That meeting has ended, so who attended can no longer change.")
        return redirect(_board_url(meeting.team_id))
    staff = [s for s in selectors.team_staff(team=meeting.team) if s.pk != meeting.chair_id]
    attending = [str(row.staff_id) for row in selectors.attendance_for(meeting=meeting)]
    form = AttendanceForm(request.POST or None, staff=staff, initial={"attendees": attending})
    if request.method == "POST" and form.is_valid():
        try:
            services.mdt_attendance_set(meeting=meeting, attendees=form.chosen(), by=user)
        except ValidationError as error:
            _attendance_errors(form, error)
        else:
            messages.success(request, "Who is attending has been updated.")
            return redirect(_board_url(meeting.team_id))
    return render(
        request,
        "treatment/mdt/attendance.jinja",
        {
            "title": "Who is attending",
            "team": meeting.team,
            "form": form,
            "chair": meeting.chair,
            "meeting": meeting,
            "action": reverse("treatment:mdt_attendance", args=[meeting.pk]),
            "submit": "Save who is attending",
            "has_errors": bool(form.errors),
            "back_link": {"href": _board_url(meeting.team_id), "text": "Back to the board"},
        },
    )


@require_POST
def mdt_end(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    require(user, TreatmentAction.RUN_MDT)
    meeting = _meeting_or_refuse(user, pk)
    try:
        services.mdt_end(meeting=meeting, by=user)
    except ValidationError as error:
        for _, texts in _by_field(error):
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, "The meeting has ended. The reviews are kept as recorded.")
    return redirect(_board_url(meeting.team_id))


# -- Reviewing one person ----------------------------------------------------------------


def _show_review_errors(
    error: ValidationError,
    *,
    review_form: ReviewForm,
    rating_form: RatingForm | None,
    filled: list[ActionForm],
) -> None:
    """The service's messages against the fields they are about."""
    for key, messages_ in _by_field(error):
        if key is None:
            review_form.add_error(None, messages_)
        elif key.startswith("actions."):
            _, n, name = key.split(".")
            filled[int(n)].add_error("due_time" if name == "due_at" else name, messages_)
        elif key in review_form.fields:
            review_form.add_error(key, messages_)
        elif rating_form is not None and key in rating_form.fields:
            rating_form.add_error(key, messages_)
        else:
            review_form.add_error(None, messages_)


def _rating_form_at_current(request: HttpRequest, current_pk: uuid.UUID | None) -> RatingForm:
    """The user's input kept, now carrying the current rating as the one seen (so saving again,
    after checking, changes it knowingly)."""
    data = request.POST.copy()
    data["seen"] = str(current_pk) if current_pk else ""
    form = RatingForm(data)
    form.is_valid()
    return form


def _initial_rating(row: selectors.BoardRow) -> dict[str, Any]:
    if row.rating is None:
        return {}
    return {"rating": row.rating.rating, "summary": row.rating.summary, "seen": row.rating.pk}


def _actions_from(forms: list[ActionForm]) -> list[services.ActionInput]:
    return [
        services.ActionInput(
            description=form.cleaned_data["description"],
            owner=form.owner_member,  # type: ignore[arg-type]
            due_at=form.due_at,  # type: ignore[arg-type]
        )
        for form in forms
    ]


def _record_links(episode: Episode) -> list[tuple[str, str]]:
    """Links to the parts of the person's record the team may want during the review (those
    pages that exist: some are still being built)."""
    pages = [
        ("Care plan", "treatment:care_plan"),
        ("Visits", "treatment:episode_visits"),
        ("Medication", "treatment:medication"),
    ]
    links = []
    for text, name in pages:
        href = presenters.url_or_none(name, episode.pk)
        if href is not None:
            links.append((text, href))
    return links


@require_http_methods(["GET", "POST"])
def mdt_review(request: HttpRequest, pk: uuid.UUID, episode_pk: uuid.UUID) -> HttpResponseBase:
    """One person's board details and the team's review: decision, discharge readiness, a
    change of rating and up to three actions; saving goes on to the next person."""
    user = user_of(request)
    require(user, TreatmentAction.RUN_MDT)
    meeting = _meeting_or_refuse(user, pk)
    now = timezone.now()
    if meeting.ended_at is not None or local_date(meeting.started_at) != local_date(now):
        messages.info(request, "That meeting is no longer running: start today's meeting.")
        return redirect(_board_url(meeting.team_id))
    episode = episode_or_refuse(user, episode_pk, section=REVIEW_SECTION)
    if episode.team_id != meeting.team_id:
        raise Http404("This person is not on this team's board")
    if episode.status != EpisodeStatus.OPEN:
        messages.info(request, f"{episode.person.full_name}'s episode has ended.")
        return redirect(_board_url(meeting.team_id))

    sequence = selectors.review_sequence(team=meeting.team, meeting=meeting)
    rows = selectors.board_rows(
        team=meeting.team, now=now, meeting=meeting, episode_pks=[episode.pk]
    )
    row = rows[0]
    owners = selectors.team_staff(team=meeting.team)
    may_rate = role_may(user.role, TreatmentAction.SET_RATING)
    data = request.POST if request.method == "POST" else None
    last = row.last_review
    review_form = ReviewForm(
        data,
        initial={
            "discharge_readiness": last.discharge_readiness if last else DischargeReadiness.NOT_YET
        },
    )
    rating_form = RatingForm(data, initial=_initial_rating(row)) if may_rate else None
    action_forms = [ActionForm(data, prefix=prefix, owners=owners) for prefix in ACTION_PREFIXES]

    if request.method == "POST":
        forms: list[Form] = [review_form, *action_forms]
        if rating_form is not None:
            forms.append(rating_form)
        valid = [form.is_valid() for form in forms]  # every form cleaned, to show all errors
        if all(valid):
            filled = [form for form in action_forms if form.has_input()]
            rating = None
            if rating_form is not None:
                rating = services.RatingInput(
                    rating=rating_form.cleaned_data["rating"],
                    summary=rating_form.cleaned_data["summary"],
                    reason=rating_form.cleaned_data["reason"],
                    seen=rating_form.seen_pk,
                )
            try:
                services.mdt_review_record(
                    meeting=meeting,
                    episode=episode,
                    decision=review_form.cleaned_data["decision"],
                    discharge_readiness=review_form.cleaned_data["discharge_readiness"],
                    rating=rating,
                    actions=_actions_from(filled),
                    by=user,
                )
            except ValidationError as error:
                current = selectors.current_rating(episode=episode)
                if rating_form is not None and rating_form.seen_pk != (
                    current.pk if current else None
                ):
                    rating_form = _rating_form_at_current(request, current.pk if current else None)
                    row = selectors.board_rows(
                        team=meeting.team, now=now, meeting=meeting, episode_pks=[episode.pk]
                    )[0]
                _show_review_errors(
                    error, review_form=review_form, rating_form=rating_form, filled=filled
                )
            else:
                messages.success(request, f"Review of {episode.person.full_name} saved.")
                following = sequence.next_to_review(after=episode.pk)
                if following is None:
                    messages.success(
                        request, "Everyone on the board has been reviewed in this meeting."
                    )
                    return redirect(_board_url(meeting.team_id))
                return redirect(_review_url(meeting, following))

    audit_view(user, episode, episode.person_id, REVIEW_SECTION, meeting=str(meeting.pk))
    all_forms: list[Form] = [review_form, *([rating_form] if rating_form else []), *action_forms]
    has_errors = any(form.errors for form in all_forms)
    skip_to = sequence.next_to_review(after=episode.pk)
    previous = sequence.previous(episode.pk)
    heading = presenters.review_heading(
        sequence.position(episode.pk), len(sequence.order), episode.person.full_name
    )
    return render(
        request,
        "treatment/mdt/review.jinja",
        {
            "title": heading,
            "heading": heading,
            "meeting": meeting,
            "team": meeting.team,
            "episode": episode,
            "row": row,
            "now": now,
            "review_form": review_form,
            "rating_form": rating_form,
            "action_forms": action_forms,
            "more_open": any(form.has_input() for form in action_forms[1:]),
            "all_forms": all_forms,
            "has_errors": has_errors,
            "earlier": selectors.reviews_in_meeting(meeting=meeting, episode=episode),
            "record_links": _record_links(episode),
            "skip_url": _review_url(meeting, skip_to) if skip_to else None,
            "previous_url": _review_url(meeting, previous) if previous else None,
            "remaining": sequence.remaining,
            "board_url": _board_url(meeting.team_id),
            "back_link": {"href": _board_url(meeting.team_id), "text": "Back to the board"},
            "p": presenters,
            "ap": action_presenters,
        },
    )


# -- The rating outside a meeting --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def risk_rating_set(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Set or change the team's red/amber/green rating between meetings, with a reason."""
    user = user_of(request)
    require(user, TreatmentAction.SET_RATING)
    episode = episode_or_refuse(user, pk, section=services.RATING_SECTION)
    if episode.status != EpisodeStatus.OPEN:
        messages.info(request, f"{episode.person.full_name}'s episode has ended.")
        return redirect(_board_url(episode.team_id))
    history = selectors.rating_history(episode=episode)
    current = history[0] if history else None
    initial = (
        {"rating": current.rating, "summary": current.summary, "seen": current.pk}
        if current
        else {}
    )
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        given = services.RatingInput(
            rating=form.cleaned_data["rating"],
            summary=form.cleaned_data["summary"],
            reason=form.cleaned_data["reason"],
            seen=form.seen_pk,
        )
        try:
            services.risk_rating_set(episode=episode, given=given, by=user)
        except ValidationError as error:
            history = selectors.rating_history(episode=episode)
            current = history[0] if history else None
            if form.seen_pk != (current.pk if current else None):
                form = _rating_form_at_current(request, current.pk if current else None)
            for key, messages_ in _by_field(error):
                form.add_error(key if key in form.fields else None, messages_)
        else:
            messages.success(request, f"Rating for {episode.person.full_name} saved.")
            return redirect(_board_url(episode.team_id))
    audit_view(user, episode, episode.person_id, services.RATING_SECTION)
    return render(
        request,
        "treatment/mdt/rating.jinja",
        {
            "title": f"Risk rating: {episode.person.full_name}",
            "episode": episode,
            "form": form,
            "current": current,
            "history": history,
            "has_errors": bool(form.errors),
            "back_link": {"href": _board_url(episode.team_id), "text": "Back to the board"},
            "p": presenters,
        },
    )


urlpatterns = [
    path("mdt/", mdt_board, name="mdt_board"),
    path("mdt/start/", mdt_start, name="mdt_start"),
    path("mdt/meetings/<uuid:pk>/attendance/", mdt_attendance, name="mdt_attendance"),
    path("mdt/meetings/<uuid:pk>/end/", mdt_end, name="mdt_end"),
    path("mdt/meetings/<uuid:pk>/review/<uuid:episode_pk>/", mdt_review, name="mdt_review"),
    path("episodes/<uuid:pk>/risk-rating/", risk_rating_set, name="risk_rating_set"),
]
