"""Display helpers used by templates across the apps. Pure functions, unit-tested."""

import datetime as dt

from django.utils import timezone

from .clock import LONDON


def format_nhs_number(value: str | None) -> str:
    """NHS numbers are shown 3-3-4 (for example 999 123 4560)."""
    if not value:
        return "Not known"
    digits = "".join(c for c in str(value) if c.isdigit())
    if len(digits) != 10:
        return str(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def london_datetime(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(LONDON)


def date_long(value: dt.date | dt.datetime | None) -> str:
    """'3 March 2026' in the NHS style (no leading zero, full month)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def time_short(value: dt.datetime | dt.time | None) -> str:
    """'9:05am', '12pm', '11:30pm' as the NHS style guide writes times."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).time()
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def datetime_long(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{date_long(local)} at {time_short(local)}"


def age_on(date_of_birth: dt.date | None, on: dt.date | None = None) -> int | None:
    if date_of_birth is None:
        return None
    on = on or timezone.localdate()
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
