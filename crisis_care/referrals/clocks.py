"""Response clocks, computed from the referral's received time (DOMAIN.md §2).

Pure functions over a small snapshot so every rule can be unit-tested without a
database, and the triage queue can compute clocks for every open referral without
a query per row. Durations are real elapsed time (4 hours is 4 hours on the night the
clocks change); "same day" and "next morning" are London wall-clock times built with
zoneinfo (core.clock.local_instant).

The mental health clocks and the council crisis response clocks are separate lists:
a referral on one pathway never shows the other's clocks.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from crisis_care.core.clock import LONDON, as_utc, local_instant

from .models import Pathway, Priority


class ClockState(StrEnum):
    RUNNING = "running"
    MET = "met"
    BREACHED = "breached"
    STOPPED = "stopped"  # the referral was declined or closed before the clock was met


class ClockName(StrEnum):
    REFERRER_RESPONSE = "referrer_response"
    FIRST_CONTACT = "first_contact"
    FACE_TO_FACE = "face_to_face"
    CRS_RESPONSE = "crs_response"
    CRS_REABLEMENT = "crs_reablement"


CLOCK_LABELS = {
    ClockName.REFERRER_RESPONSE: "Response to referrer",
    ClockName.FIRST_CONTACT: "First contact with the person",
    ClockName.FACE_TO_FACE: "Face-to-face assessment",
    ClockName.CRS_RESPONSE: "2-hour crisis response",
    ClockName.CRS_REABLEMENT: "2-day reablement start",
}

# Face-to-face targets by priority (NHS England 2021/22 access standards; DOMAIN.md §2.1):
# emergency 1 hour (ED liaison standard), very urgent 4 hours, urgent 24 hours, routine 4 weeks.
FACE_TO_FACE_TARGET = {
    Priority.EMERGENCY: dt.timedelta(hours=1),
    Priority.VERY_URGENT: dt.timedelta(hours=4),
    Priority.URGENT: dt.timedelta(hours=24),
    Priority.ROUTINE: dt.timedelta(weeks=4),
}
REFERRER_RESPONSE_TARGET = dt.timedelta(minutes=30)  # CORE item 1
CRS_RESPONSE_TARGET = dt.timedelta(hours=2)  # DOMAIN.md §1.3, §2.5
CRS_REABLEMENT_TARGET = dt.timedelta(days=2)


@dataclass(frozen=True)
class ClockInput:
    """What the clocks need to know about a referral."""

    pathway: str
    priority: str
    received_at: dt.datetime
    is_open: bool
    closed_at: dt.datetime | None = None
    referrer_responded_at: dt.datetime | None = None
    first_contact_at: dt.datetime | None = None
    face_to_face_at: dt.datetime | None = None
    reablement_needed: bool = False
    reablement_started_at: dt.datetime | None = None


@dataclass(frozen=True)
class Clock:
    name: ClockName
    target_at: dt.datetime
    stopped_at: dt.datetime | None
    state: ClockState
    remaining: dt.timedelta  # negative once breached; time to spare (or late by) once stopped

    @property
    def label(self) -> str:
        return CLOCK_LABELS[self.name]


def first_contact_target(received_at: dt.datetime) -> dt.datetime:
    """Same day as the referral (London time); after the evening cut-off, by the next morning."""
    rules = settings.CRISIS_CARE
    local = received_at.astimezone(LONDON)
    cutoff = dt.time.fromisoformat(rules["FIRST_CONTACT_LATE_AFTER"])
    if local.time() >= cutoff:
        next_morning = dt.time.fromisoformat(rules["FIRST_CONTACT_NEXT_MORNING_BY"])
        return local_instant(local.date() + dt.timedelta(days=1), next_morning)
    # The end of the day: midnight at the start of the next day.
    return local_instant(local.date() + dt.timedelta(days=1), dt.time(0, 0))


def _clock(
    name: ClockName,
    target_at: dt.datetime,
    stopped_at: dt.datetime | None,
    data: ClockInput,
    now: dt.datetime,
) -> Clock:
    now = as_utc(now)
    if stopped_at is not None:
        stopped_at = as_utc(stopped_at)
        state = ClockState.MET if stopped_at <= target_at else ClockState.BREACHED
        return Clock(name, target_at, stopped_at, state, target_at - stopped_at)
    if not data.is_open:
        # Declined or closed before being met: breached only if the target had already passed.
        ended = as_utc(data.closed_at) if data.closed_at else now
        state = ClockState.BREACHED if ended > target_at else ClockState.STOPPED
        return Clock(name, target_at, None, state, target_at - ended)
    if now > target_at:
        return Clock(name, target_at, None, ClockState.BREACHED, target_at - now)
    return Clock(name, target_at, None, ClockState.RUNNING, target_at - now)


def clocks_for(data: ClockInput, now: dt.datetime) -> list[Clock]:
    start = as_utc(data.received_at)
    if data.pathway == Pathway.COUNCIL_CRS:
        clocks = [
            _clock(
                ClockName.CRS_RESPONSE, start + CRS_RESPONSE_TARGET, data.face_to_face_at, data, now
            )
        ]
        if data.reablement_needed:
            clocks.append(
                _clock(
                    ClockName.CRS_REABLEMENT,
                    start + CRS_REABLEMENT_TARGET,
                    data.reablement_started_at,
                    data,
                    now,
                )
            )
        return clocks
    return [
        _clock(
            ClockName.REFERRER_RESPONSE,
            start + REFERRER_RESPONSE_TARGET,
            data.referrer_responded_at,
            data,
            now,
        ),
        _clock(
            ClockName.FIRST_CONTACT, first_contact_target(start), data.first_contact_at, data, now
        ),
        _clock(
            ClockName.FACE_TO_FACE,
            start + FACE_TO_FACE_TARGET[Priority(data.priority)],
            data.face_to_face_at,
            data,
            now,
        ),
    ]


def next_deadline(clocks: list[Clock]) -> dt.timedelta | None:
    """Time left on the most pressing running clock (None when nothing is running).
    Breached-and-still-running clocks count as negative, so they sort first."""
    pending = [
        c.remaining for c in clocks if c.stopped_at is None and c.state is not ClockState.STOPPED
    ]
    return min(pending) if pending else None
