"""Reporting periods: whole London days, turned into UTC instants once, so every figure counts
the same records across the clock change (ADR 0007)."""

import datetime as dt
from dataclasses import dataclass

from crisis_care.core.clock import local_instant


@dataclass(frozen=True)
class Period:
    """From the start of `first` to the end of `last` (both London dates, inclusive)."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return local_instant(self.first, dt.time(0, 0))

    @property
    def end(self) -> dt.datetime:
        """Exclusive: midnight at the start of the day after `last`."""
        return local_instant(self.last + dt.timedelta(days=1), dt.time(0, 0))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first.day} {self.first:%B %Y}"
        return f"{self.first.day} {self.first:%B %Y} to {self.last.day} {self.last:%B %Y}"


def weeks(first: dt.date, last: dt.date) -> list[Period]:
    """Monday-to-Sunday weeks covering first..last (the first and last may be part weeks)."""
    monday = first - dt.timedelta(days=first.weekday())
    out: list[Period] = []
    while monday <= last:
        out.append(Period(max(monday, first), min(monday + dt.timedelta(days=6), last)))
        monday += dt.timedelta(days=7)
    return out


def months(first: dt.date, last: dt.date) -> list[Period]:
    """Calendar months covering first..last (the first and last may be part months)."""
    out: list[Period] = []
    start = first.replace(day=1)
    while start <= last:
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        out.append(Period(max(start, first), min(nxt - dt.timedelta(days=1), last)))
        start = nxt
    return out
