"""Display values for lone working: durations, how overdue a check-in is, who was visited,
the actions a coordinator took, and the alert banner's wording."""

import datetime as dt
import math
from typing import Any

from crisis_care.core.presenters import time_short

from ..models import AlertAction, LoneWorkingAlertAction, LoneWorkingCheck, Visit, VisitLocation
from ..services.lone_working import MAX_MINUTES, MIN_MINUTES


def minutes_text(minutes: int) -> str:
    """'1 minute', '45 minutes', '1 hour', '1 hour 5 minutes', '2 hours 30 minutes'."""
    hours, rest = divmod(max(minutes, 0), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def whole_minutes(delta: dt.timedelta) -> int:
    return max(0, math.floor(delta.total_seconds() / 60))


def overdue_text(check: LoneWorkingCheck, at: dt.datetime) -> str:
    """How long past its expected end a check-in is: 'Overdue by 25 minutes'."""
    minutes = whole_minutes(at - check.expected_end_at)
    if minutes < 1:
        return "Overdue by less than a minute"
    return f"Overdue by {minutes_text(minutes)}"


def due_text(check: LoneWorkingCheck, at: dt.datetime) -> str:
    """When someone checked in expects to finish: 'Due out by 10:45am (in 20 minutes)'."""
    end = time_short(check.expected_end_at)
    if check.expected_end_at <= at:
        return f"Was due out by {end}"
    minutes = math.ceil((check.expected_end_at - at).total_seconds() / 60)
    return f"Due out by {end} (in {minutes_text(minutes)})"


def visited_text(check: LoneWorkingCheck) -> str:
    """Who the member of staff is with: the person on a planned visit, else what it is for."""
    if check.visit_id is not None and check.visit is not None:
        return check.visit.episode.person.full_name
    return check.purpose or "Not recorded"


def action_text(action: LoneWorkingAlertAction) -> str:
    """'Phoned the member of staff: safe. Recorded by Ana Lee at 10:52am.'"""
    text = AlertAction(action.action).label
    if action.new_expected_end_at is not None:
        text += f", now due out by {time_short(action.new_expected_end_at)}"
    return f"{text}. Recorded by {action.taken_by} at {time_short(action.taken_at)}."


def action_hint(action: str) -> str:
    return {
        AlertAction.PHONED_STAFF: "They are safe and leaving now. This closes the alert; they stay "
        "checked in until they check out.",
        AlertAction.EXTENDED: "They are safe and staying longer. Enter the new time: the alert "
        "comes back if they are not out by then.",
        AlertAction.ESCALATED: "The alert stays until they are reached or check out.",
        AlertAction.POLICE: "The alert stays until they are reached or check out.",
    }[AlertAction(action)]


def address_text(*parts: str) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


def default_location(visit: Visit) -> str:
    """Where a visit happens: the person's address at home, the team base, or as planned."""
    person = visit.episode.person
    if visit.location == VisitLocation.HOME:
        home = address_text(
            person.address_line_1, person.address_line_2, person.town, person.postcode
        )
        return address_text(home, visit.location_detail) if home else visit.location_detail
    if visit.location == VisitLocation.TEAM_BASE:
        team = visit.episode.team
        return visit.location_detail or address_text(team.base_address, team.base_postcode)
    return visit.location_detail


def default_minutes(visit: Visit | None) -> int:
    """The visit's expected length, kept within what a check-in allows."""
    if visit is None:
        return 60
    return min(MAX_MINUTES, max(MIN_MINUTES, visit.expected_minutes))


def banner_text(count: int) -> str:
    return f"{count} lone working visit{'s' if count != 1 else ''} overdue"


def own_check_text(location: str, expected_end_at: dt.datetime, at: dt.datetime) -> str:
    """The reminder on every page while the user is checked in."""
    if expected_end_at <= at:
        return (
            f"You were due out of {location} by {time_short(expected_end_at)}: "
            "check out now, or phone the shift coordinator"
        )
    return (
        f"You are checked in at {location}, due out by {time_short(expected_end_at)}: "
        "check out when you leave"
    )


def check_rows(check: LoneWorkingCheck, at: dt.datetime) -> list[dict[str, Any]]:
    """Summary rows for one check-in (the alert action and check-out pages)."""
    rows = [
        ("Member of staff", str(check.staff)),
        ("Phone", check.staff.phone or "Not recorded"),
        ("Where", check.location),
        ("Visiting", visited_text(check)),
        ("Checked in", time_short(check.checked_in_at)),
        ("Expected to finish", time_short(check.expected_end_at)),
    ]
    if check.checked_out_at is not None:
        rows.append(("Checked out", time_short(check.checked_out_at)))
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]


def phone_href(phone: str) -> str:
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def check_card(check: LoneWorkingCheck, at: dt.datetime) -> dict[str, Any]:
    """What the team screen shows for one check-in."""
    episode = check.visit.episode if check.visit_id and check.visit else None
    return {
        "check": check,
        "staff": str(check.staff),
        "phone": check.staff.phone,
        "phone_href": phone_href(check.staff.phone) if check.staff.phone else "",
        "location": check.location,
        "visiting": visited_text(check),
        "episode_pk": episode.pk if episode else None,
        "checked_in": time_short(check.checked_in_at),
        "due": due_text(check, at),
        "overdue": overdue_text(check, at) if check.expected_end_at <= at else "",
        "actions": [action_text(a) for a in check.alert_actions.all()],
        "checked_out": time_short(check.checked_out_at) if check.checked_out_at else "",
        "checked_out_by_other": bool(
            check.checked_out_by_id and check.checked_out_by_id != check.staff.user_id
        ),
        "checked_out_by": str(check.checked_out_by) if check.checked_out_by_id else "",
        "check_out_note": check.check_out_note,
    }
