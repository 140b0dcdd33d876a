"""Display values for the directory: opening times in words, phone links, areas and tags.

Pure functions over model instances (and their prefetched children), unit-tested.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crisis_care.core.presenters import date_long, time_short

from .models import WEEKDAY_ORDER, Area, Phone, RegularSchedule, Service, ServiceStatus, Weekday

_END_OF_DAY = (dt.time(23, 59), dt.time(23, 59, 59), dt.time(0, 0))


def _day_name(code: str) -> str:
    return Weekday(code).label


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _days_text(codes: Sequence[str]) -> str:
    """'Monday to Friday', 'Saturday and Sunday', 'Monday, Wednesday and Friday', 'every day'."""
    ordered = sorted(set(codes), key=WEEKDAY_ORDER.__getitem__)
    if len(ordered) == 7:
        return "every day"
    indexes = [WEEKDAY_ORDER[c] for c in ordered]
    runs: list[list[str]] = []
    for code, index in zip(ordered, indexes, strict=True):
        if runs and WEEKDAY_ORDER[runs[-1][-1]] == index - 1:
            runs[-1].append(code)
        else:
            runs.append([code])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{_day_name(run[0])} to {_day_name(run[-1])}")
        else:
            parts.extend(_day_name(c) for c in run)
    return _join(parts)


def _is_all_day(opens: dt.time, closes: dt.time) -> bool:
    return opens == dt.time(0, 0) and closes in _END_OF_DAY


def session_text(opens: dt.time, closes: dt.time) -> str:
    """'9am to 5pm'; '6pm to 2am the next day' when it closes after midnight."""
    if _is_all_day(opens, closes):
        return "24 hours"
    if closes == dt.time(0, 0):
        return f"{time_short(opens)} to midnight"
    text = f"{time_short(opens)} to {time_short(closes)}"
    if closes < opens:
        text += " the next day"
    return text


def opening_times(
    service: Service, schedules: Iterable[RegularSchedule] | None = None
) -> list[str]:
    """Opening times as lines of text, most general first.

    Days with the same hours are grouped ('Monday to Friday, 9am to 5pm'); a service open
    all day every day reads '24 hours, every day'. The free-text hours (for example
    'Three evenings a week; check times before you go') come first when there are any.
    """
    rows = list(service.schedules.all() if schedules is None else schedules)
    lines: list[str] = []
    if service.hours_description:
        lines.append(service.hours_description)
    # Group days by the set of sessions they have, so split days stay together.
    sessions_by_day: dict[str, list[tuple[dt.time, dt.time]]] = {}
    for row in rows:
        sessions_by_day.setdefault(row.byday, []).append((row.opens_at, row.closes_at))
    by_hours: dict[tuple[tuple[dt.time, dt.time], ...], list[str]] = {}
    for day, sessions in sessions_by_day.items():
        by_hours.setdefault(tuple(sorted(sessions)), []).append(day)
    groups = sorted(by_hours.items(), key=lambda item: min(WEEKDAY_ORDER[d] for d in item[1]))
    for day_sessions, days in groups:
        hours = " and ".join(session_text(o, c) for o, c in day_sessions)
        day_text = _days_text(days)
        if hours == "24 hours":
            line = f"24 hours, {day_text}"
        elif day_text == "every day":
            line = f"Every day, {hours}"
        else:
            line = f"{day_text}, {hours}"
        if line not in lines:
            lines.append(line)
    if not lines:
        lines.append("Opening times not recorded: check with the service")
    return lines


def phone_href(number: str) -> str:
    """A tel: link for a phone number ('0116 305 0495' -> 'tel:01163050495')."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    return f"tel:{digits}"


@dataclass(frozen=True)
class PhoneLine:
    number: str
    href: str
    description: str


def phone_lines(service: Service, phones: Iterable[Phone] | None = None) -> list[PhoneLine]:
    return [
        PhoneLine(number=p.number, href=phone_href(p.number), description=p.description)
        for p in (service.phones.all() if phones is None else phones)
    ]


def area_text(service: Service) -> str:
    if service.area_description and service.area:
        label = Area(service.area).label
        if service.area_description.casefold() == label.casefold():
            return label
        return f"{label}: {service.area_description}"
    if service.area:
        return Area(service.area).label
    return service.area_description or "Not recorded"


def category_names(service: Service) -> list[str]:
    return sorted(t.name for t in service.categories.all())


def safe_url(value: str) -> str:
    """Only http(s) addresses become links (an imported feed could hold anything)."""
    return value if value.lower().startswith(("http://", "https://")) else ""


def referrals_text(service: Service) -> str:
    if service.takes_referrals:
        return "Yes"
    return "No: give the person the details to contact the service themselves"


def status_tag(service: Service) -> dict[str, str] | None:
    if service.status == ServiceStatus.INACTIVE:
        return {"text": ServiceStatus.INACTIVE.label, "classes": "nhsuk-tag--grey"}
    return None


def checked_text(service: Service) -> str:
    if service.assured_date is None:
        return "Not yet checked"
    return date_long(service.assured_date)


def crisis_help_line(service: Service) -> str:
    """One line for 'how to get crisis help' lists: name, numbers and when."""
    numbers = ", ".join(
        f"{p.number} ({p.description})" if p.description else p.number for p in service.phones.all()
    )
    parts = [service.name]
    if numbers:
        parts.append(numbers)
    hours = opening_times(service)
    if hours and not hours[0].startswith("Opening times not recorded"):
        parts.append("; ".join(hours))
    return ": ".join(parts[:2]) + (f". {parts[2]}" if len(parts) > 2 else "")
