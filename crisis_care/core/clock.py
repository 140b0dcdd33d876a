"""Time helpers. Store aware UTC; show Europe/London; build local wall-clock times safely.

Shift and clock arithmetic must be right on the nights the clocks change, so
local times are always turned into instants with zoneinfo, never by adding hours.

Beware: Python adds a timedelta to a datetime in *its own* zone's wall-clock time, so
London-zoned datetime + 24 hours is 23 or 25 real hours across a change. Everything
here returns UTC instants; do arithmetic on those and convert to London only to show.
"""

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def local_instant(day: dt.date, at: dt.time) -> dt.datetime:
    """The instant a London wall clock shows `at` on `day`.

    In the spring gap (01:00–02:00 does not exist) fold=0 moves the time forward;
    in the autumn overlap (01:00–02:00 happens twice) fold=0 takes the first.
    """
    aware = dt.datetime.combine(day, at).replace(tzinfo=LONDON)
    return aware.astimezone(dt.UTC)


def as_utc(instant: dt.datetime) -> dt.datetime:
    """An aware datetime as UTC, so that adding hours adds real hours."""
    return instant.astimezone(dt.UTC)


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LONDON).date()
