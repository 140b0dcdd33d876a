"""Display values for the shift handover: rating tags and changes, the period the summary
covers, visit windows and staffing gaps, and shift labels."""

import datetime as dt
from typing import Any

from crisis_care.core.clock import LONDON, local_date
from crisis_care.core.presenters import date_long, datetime_long, time_short
from crisis_care.workforce.models import Shift

from ..models import LoneWorkingAlertAction, Rating, Visit
from ..selectors.handover import HandoverSummary, RiskRow

_RATING_CLASSES = {
    Rating.RED: "nhsuk-tag--red",
    Rating.AMBER: "nhsuk-tag--orange",
    Rating.GREEN: "nhsuk-tag--green",
}


def rating_label(rating: str | None) -> str:
    return Rating(rating).label if rating else "Not rated"


def rating_tag(rating: str | None) -> dict[str, Any]:
    if not rating:
        return {"text": "Not rated", "classes": "nhsuk-tag--grey"}
    return {"text": rating_label(rating), "classes": _RATING_CLASSES[Rating(rating)]}


def change_text(row: RiskRow) -> str:
    """What changed since the last handover, in words ('' if nothing did)."""
    if not row.changed:
        return ""
    if row.before is None:
        return f"First rated {rating_label(row.rating).lower()} since the last handover"
    return f"Changed from {rating_label(row.before).lower()} to {rating_label(row.rating).lower()}"


def when_text(instant: dt.datetime, now: dt.datetime) -> str:
    """'9:05am' today, 'yesterday at 11pm', else the date and time."""
    day, today = local_date(instant), local_date(now)
    if day == today:
        return time_short(instant)
    if day == today - dt.timedelta(days=1):
        return f"yesterday at {time_short(instant)}"
    if day == today + dt.timedelta(days=1):
        return f"tomorrow at {time_short(instant)}"
    return datetime_long(instant)


def when_phrase(instant: dt.datetime, now: dt.datetime) -> str:
    """when_text to follow a verb: 'at 9:05am', 'yesterday at 11pm', 'on 3 March 2026 at 9am'."""
    text = when_text(instant, now)
    if local_date(instant) == local_date(now):
        return f"at {text}"
    if text[0].isdigit():
        return f"on {text}"
    return text


def since_text(summary: HandoverSummary) -> str:
    """The period the events cover."""
    last = summary.last_handover
    if last is not None and last.given_at >= summary.since:
        return (
            f"Since the last handover, given by {last.given_by} "
            f"{when_phrase(last.given_at, summary.now)}"
        )
    return (
        "In the last 24 hours (no handover has been recorded since "
        f"{when_text(summary.since, summary.now)})"
    )


def until_text(summary: HandoverSummary) -> str:
    """Up to the end of the next shift, or midnight tonight."""
    until = summary.until.astimezone(LONDON)
    if until.time() == dt.time(0, 0) and local_date(until) == local_date(
        summary.now
    ) + dt.timedelta(days=1):
        return "Until midnight tonight"
    return f"Until {when_text(summary.until, summary.now)}"


def window_text(visit: Visit, now: dt.datetime) -> str:
    start = when_text(visit.window_start, now)
    return f"{start} to {time_short(visit.window_end)}"


def staffing_gap(visit: Visit) -> int:
    """How many more staff the visit needs (0 if fully staffed)."""
    assigned = getattr(visit, "assigned", None)
    if assigned is None:
        assigned = len(visit.staff_links.all())
    return max(visit.staff_needed - assigned, 0)


def staffing_text(visit: Visit) -> str:
    names = [str(link.staff) for link in visit.staff_links.all()]
    gap = staffing_gap(visit)
    if not names:
        return f"Nobody assigned (needs {visit.staff_needed})"
    shown = ", ".join(names)
    return f"{shown} (needs {visit.staff_needed})" if gap else shown


def visit_tags(visit: Visit, now: dt.datetime) -> list[dict[str, Any]]:
    tags = []
    if staffing_gap(visit):
        tags.append({"text": "Staffing gap", "classes": "nhsuk-tag--red"})
    if visit.window_end < now:
        tags.append({"text": "Window passed: no contact recorded", "classes": "nhsuk-tag--orange"})
    return tags


def alert_person(alert: LoneWorkingAlertAction) -> str:
    visit = alert.lone_check.visit
    return visit.episode.person.full_name if visit is not None else ""


def names_text(people: Any) -> str:
    """'Nia Okoro', 'Nia Okoro and Tom Reyes', 'A, B and C'."""
    names = [str(person) for person in people]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def shift_label(shift: Shift | None) -> str:
    if shift is None:
        return "No shift recorded"
    return (
        f"{shift.shift_type.name}, {time_short(shift.starts_at)} to {time_short(shift.ends_at)} "
        f"on {date_long(shift.starts_at)}"
    )


def taking_over(shifts: list[tuple[Shift, bool]], now: dt.datetime) -> Shift | None:
    """The shift most likely taking over: the one starting nearest to now (just started or
    about to), so a 7:30am handover to the day shift that started at 7:30am picks it."""
    if not shifts:
        return None
    return min(shifts, key=lambda pair: abs((pair[0].starts_at - now).total_seconds()))[0]
