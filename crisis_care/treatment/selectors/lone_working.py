"""Reads for lone working (CORE item 32a), scoped to the user's teams.

When is a check-in an alert? A check-in is *overdue* once its expected end has passed and
the member of staff has not checked out. An overdue check-in is an *alert* on the team's
screen until one of these happens:

- the member of staff checks out (or a coordinator checks them out on their behalf);
- the coordinator records "Phoned the member of staff: safe" against this expected end
  (the alert closes; the check-in stays open until they check out, and a new expected end
  may still be agreed, which raises a new alert if it passes);
- the coordinator records "Visit running on: new expected end agreed", which moves the
  expected end: the alert clears until the new end passes, then it is raised again.

"Could not reach them: escalated" and "Called the police" are recorded and shown on the
alert, but they do not close it: no one yet knows the member of staff is safe, so the alert
stays red on every coordinator's screen until they are reached or check out.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User
from crisis_care.workforce.models import StaffMember, Team
from crisis_care.workforce.selectors import teams_for_user

from ..models import (
    AlertAction,
    CheckInStatus,
    LoneWorkingAlertAction,
    LoneWorkingCheck,
    Visit,
)

# Actions that close an alert (see the module docstring).
ALERT_CLOSING_ACTIONS = frozenset({AlertAction.PHONED_STAFF})


def _alert_closed() -> Exists:
    """A closing action was recorded against the check's current expected end."""
    return Exists(
        LoneWorkingAlertAction.objects.filter(
            lone_check=OuterRef("pk"),
            action__in=ALERT_CLOSING_ACTIONS,
            was_due_at=OuterRef("expected_end_at"),
        )
    )


def _with_details(checks: QuerySet[LoneWorkingCheck]) -> QuerySet[LoneWorkingCheck]:
    return (
        checks.select_related("staff__user", "team", "visit__episode__person", "checked_out_by")
        .annotate(alert_closed=_alert_closed())
        .prefetch_related(
            Prefetch(
                "alert_actions",
                queryset=LoneWorkingAlertAction.objects.select_related("taken_by").order_by(
                    "taken_at", "created_at"
                ),
            )
        )
    )


def is_alert(check: LoneWorkingCheck, *, at: dt.datetime, closed: bool) -> bool:
    """Overdue and not yet closed (`closed`: a closing action against this expected end)."""
    return check.status == CheckInStatus.CHECKED_IN and check.expected_end_at <= at and not closed


@dataclass(frozen=True)
class LoneWorkingBoard:
    """The team's lone working screen at an instant."""

    team: Team
    at: dt.datetime
    alerts: list[LoneWorkingCheck]  # overdue, alert open: most overdue first
    checked_in: list[LoneWorkingCheck]  # everyone else still checked in: due soonest first
    checked_out_today: list[LoneWorkingCheck]  # latest first


def board_for_team(*, team: Team, at: dt.datetime | None = None) -> LoneWorkingBoard:
    """Open check-ins and today's check-outs for a team (two queries, whatever the number)."""
    at = at or timezone.now()
    start_of_day = local_instant(local_date(at), dt.time(0, 0))
    checks = list(
        _with_details(
            LoneWorkingCheck.objects.filter(
                Q(status=CheckInStatus.CHECKED_IN)
                | Q(status=CheckInStatus.CHECKED_OUT, checked_out_at__gte=start_of_day),
                team=team,
            )
        ).order_by("expected_end_at", "checked_in_at")
    )
    alerts, checked_in, checked_out = [], [], []
    for check in checks:
        if check.status == CheckInStatus.CHECKED_OUT:
            checked_out.append(check)
        elif is_alert(check, at=at, closed=check.alert_closed):  # type: ignore[attr-defined]
            alerts.append(check)
        else:
            checked_in.append(check)
    checked_out.sort(key=lambda c: c.checked_out_at or at, reverse=True)
    return LoneWorkingBoard(team, at, alerts, checked_in, checked_out)


def check_for_user(*, pk: uuid.UUID, user: User) -> LoneWorkingCheck:
    """A check-in of one of the user's teams, with its details (else DoesNotExist)."""
    return _with_details(LoneWorkingCheck.objects.filter(team__in=teams_for_user(user=user))).get(
        pk=pk
    )


def check_exists(*, pk: uuid.UUID) -> bool:
    return LoneWorkingCheck.objects.filter(pk=pk).exists()


def alert_is_closed(*, check: LoneWorkingCheck) -> bool:
    """Whether a closing action stands against the check's current expected end."""
    return LoneWorkingAlertAction.objects.filter(
        lone_check=check, action__in=ALERT_CLOSING_ACTIONS, was_due_at=check.expected_end_at
    ).exists()


def open_check_for_staff(*, staff: StaffMember) -> LoneWorkingCheck | None:
    """The member of staff's open check-in, if any (there is at most one)."""
    return (
        LoneWorkingCheck.objects.select_related("visit__episode__person", "team")
        .filter(staff=staff, status=CheckInStatus.CHECKED_IN)
        .first()
    )


def open_check_for_user(*, user: User) -> LoneWorkingCheck | None:
    return (
        LoneWorkingCheck.objects.select_related("visit__episode__person", "team")
        .filter(staff__user=user, status=CheckInStatus.CHECKED_IN)
        .first()
    )


def visit_for_check_in(*, pk: uuid.UUID, user: User) -> Visit:
    """A visit whose episode one of the user's teams holds, with the person and team."""
    return Visit.objects.select_related("episode__person", "episode__team").get(
        pk=pk, episode__team__in=teams_for_user(user=user)
    )


def visit_exists(*, pk: uuid.UUID) -> bool:
    return Visit.objects.filter(pk=pk).exists()


@dataclass(frozen=True)
class BannerCheck:
    """One row behind the alert banner: the user's own open check-in, or a team alert."""

    location: str
    expected_end_at: dt.datetime
    own: bool
    team_alert: bool
    pk: uuid.UUID
    team_id: uuid.UUID


def banner_checks(
    *, user: User, may_respond: bool, at: dt.datetime | None = None
) -> list[BannerCheck]:
    """In one query: the user's own open check-in, and (if `may_respond`) the open alerts of
    the teams the user is in now."""
    at = at or timezone.now()
    own = Q(staff__user=user)
    alert = Q(
        team__in=teams_for_user(user=user, on=local_date(at)),
        expected_end_at__lte=at,
        alert_closed=False,
    )
    wanted = own | alert if may_respond else own
    rows = (
        LoneWorkingCheck.objects.filter(status=CheckInStatus.CHECKED_IN)
        .annotate(alert_closed=_alert_closed())
        .filter(wanted)
        .annotate(
            team_alert=Case(When(alert, then=True), default=False, output_field=BooleanField())
            if may_respond
            else Value(False, output_field=BooleanField()),
            own=Case(When(own, then=True), default=False, output_field=BooleanField()),
        )
        .values_list("pk", "team_id", "location", "expected_end_at", "own", "team_alert")
        .order_by("expected_end_at")
    )
    return [
        BannerCheck(
            location=location,
            expected_end_at=end,
            own=mine,
            team_alert=alerting,
            pk=pk,
            team_id=team_id,
        )
        for pk, team_id, location, end, mine, alerting in rows
    ]
