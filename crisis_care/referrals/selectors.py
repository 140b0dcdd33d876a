"""Reads for referrals, scoped to the user's teams. The triage queue issues a fixed number
of queries however many referrals are open: clocks are computed in Python from columns
on the referral row (the clock stops are kept there by the contact log)."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.core.models import User
from crisis_care.workforce.models import Team
from crisis_care.workforce.selectors import teams_for_user

from .clocks import Clock, ClockInput, ClockState, clocks_for, next_deadline
from .models import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    BreachReason,
    PriorityChange,
    Referral,
    ReferralContact,
    StatusChange,
)


def clock_input(referral: Referral) -> ClockInput:
    return ClockInput(
        pathway=referral.pathway,
        priority=referral.priority,
        received_at=referral.received_at,
        is_open=referral.is_open,
        closed_at=referral.closed_at,
        referrer_responded_at=referral.referrer_responded_at,
        first_contact_at=referral.first_contact_at,
        face_to_face_at=referral.face_to_face_at,
        reablement_needed=referral.reablement_needed,
        reablement_started_at=referral.reablement_started_at,
    )


def referral_clocks(referral: Referral, now: dt.datetime | None = None) -> list[Clock]:
    return clocks_for(clock_input(referral), now or timezone.now())


def user_teams(*, user: User) -> list[Team]:
    return list(teams_for_user(user=user))


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    clocks: list[Clock]
    time_left: dt.timedelta | None

    @property
    def breached(self) -> list[Clock]:
        return [c for c in self.clocks if c.state is ClockState.BREACHED]


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    breaches_today: int
    open_count: int


def triage_queue(
    *,
    team: Team,
    now: dt.datetime | None = None,
    priority: str = "",
    source: str = "",
    status: str = "",
) -> Queue:
    """Open referrals for a team, most pressing clock first. Two queries."""
    now = now or timezone.now()
    referrals = (
        Referral.objects.filter(team=team, status__in=OPEN_STATUSES)
        .select_related("person", "owner")
        .order_by("received_at")
    )
    if priority:
        referrals = referrals.filter(priority=priority)
    if source:
        referrals = referrals.filter(source=source)
    if status:
        referrals = referrals.filter(status=status)
    rows = []
    for referral in referrals:
        clocks = referral_clocks(referral, now)
        rows.append(QueueRow(referral=referral, clocks=clocks, time_left=next_deadline(clocks)))
    rows.sort(key=_queue_order)
    return Queue(rows=rows, breaches_today=breaches_today(team=team, now=now), open_count=len(rows))


def _queue_order(row: QueueRow) -> tuple[int, int, dt.timedelta, dt.datetime]:
    """Breaches still needing action first (most urgent priority, then longest overdue), then
    running clocks by time left, then referrals with nothing running (most urgent first)."""
    rank = PRIORITY_RANK.get(row.referral.priority, 9)
    if row.time_left is None:
        return (2, rank, dt.timedelta(0), row.referral.received_at)
    if row.time_left < dt.timedelta(0):
        return (0, rank, row.time_left, row.referral.received_at)
    return (1, 0, row.time_left, row.referral.received_at)


def breaches_today(*, team: Team, now: dt.datetime | None = None) -> int:
    """Clocks whose target fell today (London) and were missed, across open and closed referrals."""
    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    start = local_instant(today, dt.time(0, 0))
    end = min(now, local_instant(today + dt.timedelta(days=1), dt.time(0, 0)))
    # The longest clock (routine face-to-face) is four weeks, so look back that far.
    recent = Referral.objects.filter(
        team=team, received_at__gte=start - dt.timedelta(weeks=4, days=1)
    )
    count = 0
    for referral in recent.only(
        "pathway",
        "priority",
        "received_at",
        "status",
        "closed_at",
        "referrer_responded_at",
        "first_contact_at",
        "face_to_face_at",
        "reablement_needed",
        "reablement_started_at",
    ):
        for clock in referral_clocks(referral, now):
            if clock.state is ClockState.BREACHED and start <= clock.target_at < end:
                count += 1
    return count


def referral_for_user(*, pk: uuid.UUID, user: User) -> Referral:
    """A referral with its history, if it belongs to one of the user's teams (else DoesNotExist)."""
    return (
        Referral.objects.filter(team__in=teams_for_user(user=user))
        .select_related(
            "person", "person__gp_practice", "owner", "team", "eligibility_confirmed_by"
        )
        .prefetch_related(
            Prefetch("priority_history", queryset=PriorityChange.objects.select_related("set_by")),
            Prefetch("status_history", queryset=StatusChange.objects.select_related("changed_by")),
            Prefetch("contacts", queryset=ReferralContact.objects.select_related("by")),
            Prefetch("breach_reasons", queryset=BreachReason.objects.select_related("recorded_by")),
            "signposts__service",
        )
        .get(pk=pk)
    )


def referral_exists_elsewhere(*, pk: uuid.UUID) -> bool:
    return Referral.objects.filter(pk=pk).exists()


def referral_person_id(*, pk: uuid.UUID) -> uuid.UUID | None:
    """Whose referral this is (for auditing a refusal in the person's access log)."""
    return Referral.objects.filter(pk=pk).values_list("person_id", flat=True).first()
