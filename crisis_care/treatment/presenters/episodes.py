"""Display values for the caseload and the episode page: flag tags, the next visit, days in
treatment, the six-week review and the history tables. Pure functions of their arguments."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from crisis_care.core.clock import local_date
from crisis_care.core.models import User
from crisis_care.core.presenters import date_long, datetime_long, format_nhs_number, time_short
from crisis_care.workforce.models import StaffMember

from ..models import (
    Episode,
    EpisodeReview,
    EpisodeStatus,
    EpisodeStatusChange,
    NamedWorkerChange,
    PairedVisitsChange,
    ReviewOutcome,
)
from ..selectors.caseload import REVIEW_WARNING_DAYS, Flag
from . import admission_text

FLAG_LABELS: dict[Flag, str] = {
    Flag.NO_VISIT_TODAY: "No visit today",
    Flag.PLAN_NOT_GIVEN: "Plan not given",
    Flag.REVIEW_DUE: "Six-week review due",
}
FLAG_TAG_CLASSES: dict[Flag, str] = {
    Flag.NO_VISIT_TODAY: "nhsuk-tag--red",
    Flag.PLAN_NOT_GIVEN: "nhsuk-tag--orange",
    Flag.REVIEW_DUE: "nhsuk-tag--yellow",
}
FLAG_HINTS: dict[Flag, str] = {
    Flag.NO_VISIT_TODAY: "no visit planned today and nobody seen face to face today",
    Flag.PLAN_NOT_GIVEN: "the written treatment plan has not been given (CORE item 12b)",
    Flag.REVIEW_DUE: (
        f"within {REVIEW_WARNING_DAYS} days of day 42, or past it, with no review holding "
        "(CORE item 10)"
    ),
}


def href_for(name: str) -> Callable[[uuid.UUID], str]:
    """A URL with one `<uuid:pk>` for many rows: reverse() once, then fill in each pk (a list
    of 130 people would otherwise resolve the URL 130 times)."""
    placeholder = uuid.UUID(int=0)
    head, tail = reverse(name, args=[placeholder]).split(str(placeholder))
    return lambda pk: f"{head}{pk}{tail}"


def flag_tag(flag: Flag) -> dict[str, str]:
    return {"text": FLAG_LABELS[flag], "classes": FLAG_TAG_CLASSES[flag]}


def flag_choices() -> list[tuple[str, str]]:
    return [(flag.value, FLAG_LABELS[flag]) for flag in Flag]


def person_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def staff_name(staff: StaffMember | None) -> str:
    return person_name(staff.user) if staff is not None else ""


def days_text(day: int) -> str:
    """Days since the episode started: 'Started today', '1 day', '12 days'."""
    if day <= 0:
        return "Started today"
    return "1 day" if day == 1 else f"{day} days"


def _day_name(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "Today"
    if day == today + dt.timedelta(days=1):
        return "Tomorrow"
    return f"{day:%a} {day.day} {day:%b}"


def visit_window_text(start: dt.datetime | None, end: dt.datetime | None, *, today: dt.date) -> str:
    """'Today, 9am to 10am', 'Tomorrow, 2:30pm to 3:30pm', 'Mon 9 Mar, 9am to 10am'."""
    if start is None or end is None:
        return "None planned"
    start_day = local_date(start)
    next_day = " next day" if local_date(end) != start_day else ""
    return f"{_day_name(start_day, today)}, {time_short(start)} to {time_short(end)}{next_day}"


def seen_text(count: int) -> str:
    if count == 0:
        return "Not seen"
    return "Seen once" if count == 1 else f"Seen {count} times"


def count_text(shown: int, total: int) -> str:
    """'Showing all 104 people' or 'Showing 12 of 104 people'."""
    noun = "person" if total == 1 else "people"
    if shown == total:
        return f"Showing all {total} {noun}" if total != 1 else "Showing 1 person"
    return f"Showing {shown} of {total} {noun}"


# -- The episode page ----------------------------------------------------------------------


def _row(key: str, value: str, action: dict[str, str] | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"key": {"text": key}, "value": {"text": value}}
    if action:
        row["actions"] = {"items": [action]}
    return row


def episode_rows(
    episode: Episode, *, today: dt.date, due_on: dt.date, may_manage: bool
) -> list[dict[str, Any]]:
    """The episode at a glance. Change links only for those who may manage the episode."""
    person = episode.person
    who = person.full_name
    if person.nhs_number:
        who += f" (NHS number {format_nhs_number(person.nhs_number)})"
    worker = staff_name(episode.named_worker) or "No named worker"
    rows = [
        _row("Person", who),
        _row("Started", started_text(episode, today=today)),
        _row("Team", episode.team.name),
        _row("Status", episode.get_status_display()),
        _row(
            "Named worker",
            worker,
            {
                "href": reverse("treatment:named_worker_change", args=[episode.pk]),
                "text": "Change",
                "visuallyHiddenText": "the named worker",
            }
            if may_manage
            else None,
        ),
        _row("Locality", episode.locality or "Not known"),
        _row("Six-week review due", date_long(due_on)),
        _row(
            "Paired visits",
            "Required" if episode.paired_visits_required else "Not required",
            {
                "href": reverse("treatment:paired_visits", args=[episode.pk]),
                "text": "Change",
                "visuallyHiddenText": "whether paired visits are required",
            }
            if may_manage
            else None,
        ),
    ]
    if episode.status != EpisodeStatus.OPEN and episode.closed_at is not None:
        rows.insert(4, _row("Ended", datetime_long(episode.closed_at)))
    if episode.early_discharge_from is not None:
        rows.append(
            _row("Early supported discharge from", admission_text(episode.early_discharge_from))
        )
    return rows


def started_text(episode: Episode, *, today: dt.date) -> str:
    """'3 March 2026 at 2:15pm (day 12)': the day count is the one the caseload shows."""
    day = (today - local_date(episode.started_at)).days
    return f"{datetime_long(episode.started_at)} ({days_text(day).lower()})"


def status_rows(changes: list[EpisodeStatusChange]) -> list[list[dict[str, str]]]:
    """The status history as table rows: status, when, by whom, note."""
    return [
        [
            {"text": change.get_status_display()},
            {"text": datetime_long(change.changed_at)},
            {"text": person_name(change.changed_by)},
            {"text": change.note or ""},
        ]
        for change in changes
    ]


def named_worker_rows(changes: list[NamedWorkerChange]) -> list[list[dict[str, str]]]:
    """Who was named worker from when, why, and who changed it; the newest first."""
    return [
        [
            {"text": staff_name(change.staff)},
            {"text": datetime_long(change.changed_at)},
            {"text": change.reason},
            {"text": person_name(change.changed_by)},
        ]
        for change in reversed(changes)
    ]


def named_worker_text(episode: Episode, changes: list[NamedWorkerChange]) -> str:
    """'Nia Okoro (Mental health nurse) since 3 March 2026.' or that there is none."""
    worker = episode.named_worker
    if worker is None:
        return f"{episode.person.full_name} has no named worker."
    since = next((c.changed_at for c in reversed(changes) if c.staff_id == worker.pk), None)
    text = f"{staff_name(worker)} ({worker.job_title})"
    return f"{text} since {date_long(since)}." if since else f"{text}."


def paired_visits_rows(changes: list[PairedVisitsChange]) -> list[list[dict[str, str]]]:
    return [
        [
            {"text": "Required" if change.required else "No longer required"},
            {"text": datetime_long(change.changed_at)},
            {"text": change.reason},
            {"text": person_name(change.changed_by)},
        ]
        for change in reversed(changes)
    ]


def review_rows(reviews: list[EpisodeReview]) -> list[list[dict[str, str]]]:
    return [
        [
            {"text": datetime_long(review.reviewed_at)},
            {"text": ReviewOutcome(review.outcome).label},
            {"text": review.reason},
            {"text": date_long(review.next_review_on) if review.next_review_on else "None"},
            {"text": person_name(review.reviewed_by)},
        ]
        for review in reversed(reviews)
    ]


def review_summary(
    *, due_on: dt.date, latest: EpisodeReview | None, today: dt.date
) -> dict[str, str]:
    """What the episode page says about the six-week review: a heading-sized line and detail."""
    if latest is not None and latest.outcome == ReviewOutcome.PLAN_DISCHARGE:
        return {
            "text": f"Reviewed on {date_long(latest.reviewed_at)}: plan discharge.",
            "detail": "The review decided to plan discharge from home treatment.",
        }
    if latest is not None and latest.next_review_on is not None:
        if latest.next_review_on > today:
            return {
                "text": f"Next review on {date_long(latest.next_review_on)}.",
                "detail": f"Last reviewed on {date_long(latest.reviewed_at)}: continue.",
            }
        return {
            "text": f"The next review was due on {date_long(latest.next_review_on)}.",
            "detail": f"Last reviewed on {date_long(latest.reviewed_at)}: continue.",
        }
    days = (due_on - today).days
    if days > 0:
        when = "tomorrow" if days == 1 else f"in {days} days"
        return {
            "text": f"The six-week review is due on {date_long(due_on)} ({when}).",
            "detail": "Home treatment is brief: every episode is reviewed by day 42.",
        }
    if days == 0:
        return {"text": f"The six-week review is due today ({date_long(due_on)}).", "detail": ""}
    return {
        "text": f"The six-week review was due on {date_long(due_on)}.",
        "detail": f"It is {-days} {'day' if days == -1 else 'days'} overdue.",
    }
