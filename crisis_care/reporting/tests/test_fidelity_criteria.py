"""The criteria the records evidence (selectors.fidelity), against hand-built records whose
right answers are known, including the London clock change on 25 October 2026."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis_care.core.clock import local_instant
from crisis_care.core.models import User
from crisis_care.discharge.models import Discharge, DischargeOutcome
from crisis_care.reporting.period import Period
from crisis_care.reporting.selectors.fidelity import computed_criteria
from crisis_care.treatment.models import (
    Attendance,
    CareContact,
    CarePlan,
    Episode,
    Goal,
    Intervention,
    InterventionKind,
    Medium,
    Visit,
)
from crisis_care.treatment.tests.caseload_data import bulk_episodes
from crisis_care.workforce.models import Team

# 19 to 31 October 2026 (London): the clocks go back at 2am on Sunday 25 October.
PERIOD = Period(dt.date(2026, 10, 19), dt.date(2026, 10, 31))
ALL_MET = dict.fromkeys(("25a", "25b", "25c", "25d", "25e", "25f", "24"), "met")


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    """A London wall-clock time in autumn 2026, as a UTC instant."""
    return local_instant(dt.date(2026, month, day), dt.time(hour, minute))


def episodes(team: Team, by: User, count: int, seed: int = 5) -> list[Episode]:
    return bulk_episodes(
        team=team, by=by, workers=[by.staff], count=count, now=at(19, 9), max_days=10, seed=seed
    )


def visit(episode: Episode, by: User, start: dt.datetime, hours: float = 1) -> Visit:
    return Visit.objects.create(
        episode=episode,
        window_start=start,
        window_end=start + dt.timedelta(hours=hours),
        planned_by=by,
    )


def contact(
    episode: Episode,
    by: User,
    started: dt.datetime,
    *,
    written: dt.datetime | None,
    planned: Visit | None = None,
    minutes_outside: int | None = None,
    phoned: bool | None = None,
) -> CareContact:
    return CareContact.objects.create(
        episode=episode,
        visit=planned,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=40),
        medium=Medium.FACE_TO_FACE if planned else Medium.TELEPHONE,
        attendance=Attendance.ATTENDED,
        note="Talked through the day." if written else "",
        note_written_at=written,
        minutes_outside_window=minutes_outside,
        phoned_about_lateness=phoned,
        recorded_by=by,
        recorded_at=written or started,
    )


def discharge(episode: Episode, by: User, when: dt.datetime, **states: str) -> Discharge:
    return Discharge.objects.create(
        episode=episode,
        outcome=DischargeOutcome.CMHT,
        reason="Crisis resolved",
        discharged_at=when,
        discharged_by=by,
        checklist={**ALL_MET, **states},
        summary_due_on=(when + dt.timedelta(days=3)).date(),
    )


def plan(episode: Episode, by: User, *, goal: bool, kinds: tuple[str, ...] = ()) -> None:
    care_plan = CarePlan.objects.create(episode=episode, created_by=by)
    if goal:
        Goal.objects.create(
            care_plan=care_plan, need="Sleep", goal="Sleep through the night", created_by=by
        )
    for kind in kinds:
        Intervention.objects.create(care_plan=care_plan, kind=kind, detail="Agreed", created_by=by)


@pytest.fixture
def by(practitioner: User) -> User:
    return practitioner


def test_visit_windows_12d(team: Team, by: User) -> None:
    [ep] = episodes(team, by, 1)
    visit(ep, by, at(20, 10))
    visit(ep, by, at(21, 10), hours=2)
    visit(ep, by, at(25, 1, 30), hours=1)  # in the hour that happens twice
    visit(ep, by, at(18, 10), hours=3)  # before the period: not counted
    result = computed_criteria(team=team, period=PERIOD, figures={})["visit_windows"]
    assert (result.numerator, result.denominator, result.met) == (2, 3, False)
    assert [r.text for r in result.records] == ["Visit on 21 October 2026, window 10am to midday"]
    assert result.records[0].episode_id == ep.pk


def test_arrivals_lateness_and_write_ups_12e_12f_33d(team: Team, by: User) -> None:
    [ep] = episodes(team, by, 1)
    v1, v2, v3 = visit(ep, by, at(20, 10)), visit(ep, by, at(21, 10)), visit(ep, by, at(24, 22))
    # Within the window, written up the same day.
    contact(ep, by, at(20, 10, 20), written=at(20, 12), planned=v1)
    # 20 minutes late, phoned, written up the same day.
    contact(ep, by, at(21, 11, 20), written=at(21, 15), planned=v2, minutes_outside=20, phoned=True)
    # 30 minutes late, not phoned, and written up at 00:30 the next London day: the same UTC
    # day (23:30 UTC), so only a London-day comparison finds it late.
    contact(
        ep, by, at(24, 23, 30), written=at(25, 0, 30), planned=v3, minutes_outside=30, phoned=False
    )
    # An unplanned call at 00:30 on the change day, written up at 23:50 that day: different UTC
    # days (23:30 UTC on the 24th, 23:50 UTC on the 25th) but the same London day, so on time.
    contact(ep, by, at(25, 0, 30), written=at(25, 23, 50))
    # Before the period: not counted.
    contact(ep, by, at(18, 10), written=None)

    criteria = computed_criteria(team=team, period=PERIOD, figures={})
    arrival = criteria["arrival_in_window"]
    assert (arrival.numerator, arrival.denominator, arrival.met) == (1, 3, False)
    assert arrival.figure == "1 of 3 (33%)"
    phoned = criteria["phoned_when_late"]
    assert (phoned.numerator, phoned.denominator, phoned.met) == (1, 2, False)
    assert [r.text for r in phoned.records] == [
        "Contact on 24 October 2026 at 11:30pm: 30 minutes late, not phoned"
    ]
    notes = criteria["written_up_same_day"]
    assert (notes.numerator, notes.denominator, notes.met) == (3, 4, False)
    assert [r.text for r in notes.records] == [
        "Contact on 24 October 2026 at 11:30pm: written up on 25 October 2026"
    ]


def test_nobody_late_means_12f_is_met(team: Team, by: User) -> None:
    [ep] = episodes(team, by, 1)
    contact(ep, by, at(20, 10, 5), written=at(20, 11), planned=visit(ep, by, at(20, 10)))
    criteria = computed_criteria(team=team, period=PERIOD, figures={})
    assert criteria["phoned_when_late"].met is True
    assert criteria["phoned_when_late"].figure == "No records in the period"
    assert criteria["arrival_in_window"].met is True
    assert criteria["written_up_same_day"].met is True


def test_needs_goals_interventions_and_named_workers_20a_20c_36a(
    team: Team, other_team: Team, by: User
) -> None:
    one, two, three, four = episodes(team, by, 4)
    plan(one, by, goal=True, kinds=(InterventionKind.BRIEF_PSYCHOLOGICAL,))
    plan(two, by, goal=True, kinds=(InterventionKind.MEDICATION_REVIEW, "safety_planning"))
    plan(three, by, goal=True)
    Episode.objects.filter(pk=four.pk).update(named_worker=None)
    # Closed before the period began: not counted. Another team's: not counted.
    [closed] = episodes(team, by, 1, seed=9)
    Episode.objects.filter(pk=closed.pk).update(status="closed", closed_at=at(18, 12))
    episodes(other_team, by, 2, seed=11)

    criteria = computed_criteria(team=team, period=PERIOD, figures={})
    goals, beyond, named = (
        criteria["needs_and_goals"],
        criteria["beyond_medication"],
        criteria["named_worker"],
    )
    assert (goals.numerator, goals.denominator, goals.met) == (3, 4, False)
    assert [r.episode_id for r in goals.records] == [four.pk]
    assert (beyond.numerator, beyond.denominator, beyond.met) == (1, 4, False)
    assert {r.episode_id for r in beyond.records} == {two.pk, three.pk, four.pk}
    assert (named.numerator, named.denominator, named.met) == (3, 4, False)
    assert named.threshold == "met when all are"

    plan(four, by, goal=True, kinds=(InterventionKind.HOUSING,))
    Episode.objects.filter(pk=four.pk).update(named_worker=by.staff)
    criteria = computed_criteria(team=team, period=PERIOD, figures={})
    assert criteria["needs_and_goals"].met is True  # 4 of 4
    assert criteria["beyond_medication"].met is False  # 2 of 4
    assert criteria["named_worker"].met is True


def test_aftercare_checklist_kept_at_discharge_25(team: Team, by: User) -> None:
    one, two, three, four, five = episodes(team, by, 5)
    discharge(one, by, at(20, 15))
    discharge(two, by, at(22, 15), **{"25c": "missing", "25d": "not_applicable"})
    discharge(three, by, at(31, 23, 30), **{"25c": "missing", "25a": "missing"})
    # 00:30 on 1 November (London and UTC): after the period.
    discharge(four, by, at(1, 0, 30, month=11), **dict.fromkeys(ALL_MET, "missing"))
    # 00:30 on 19 October London is 23:30 UTC on the 18th: inside the period.
    discharge(five, by, at(19, 0, 30), **{"25e": "missing"})

    criteria = computed_criteria(team=team, period=PERIOD, figures={})
    shares = {
        code: (criteria[f"checklist_{code}"].numerator, criteria[f"checklist_{code}"].denominator)
        for code in ("25a", "25b", "25c", "25d", "25e", "25f")
    }
    assert shares == {
        "25a": (3, 4),
        "25b": (4, 4),
        "25c": (2, 4),
        "25d": (3, 3),  # not applicable at one discharge: not counted
        "25e": (3, 4),
        "25f": (4, 4),
    }
    assert [criteria[f"checklist_{c}"].met for c in ("25a", "25b", "25c", "25d")] == [
        False,
        True,
        False,
        True,
    ]
    assert [r.text for r in criteria["checklist_25c"].records] == [
        "Discharged 22 October 2026: discharge meeting arranged, with the person and family "
        "invited missing",
        "Discharged 31 October 2026: discharge meeting arranged, with the person and family "
        "invited missing",
    ]


def test_figures_from_the_shared_measures_are_read_for_the_period(team: Team, by: User) -> None:
    criteria = computed_criteria(team=team, period=PERIOD)
    # No referrals: nothing to divide by, so not met and it says so.
    assert criteria["referrer_response_30m"].figure == "No records in the period"
    assert criteria["referrer_response_30m"].met is False
    assert criteria["referrer_response_30m"].measure == "referrer_response_30m"


def _queries(team: Team) -> int:
    with CaptureQueriesContext(connection) as queries:
        computed_criteria(team=team, period=PERIOD)
    return len(queries)


def test_the_whole_review_is_a_fixed_number_of_queries(
    team: Team, by: User, staff_user: Callable[..., User]
) -> None:
    [ep] = episodes(team, by, 1)
    plan(ep, by, goal=True)
    contact(ep, by, at(20, 10, 20), written=at(21, 9), planned=visit(ep, by, at(20, 10)))
    discharge(ep, by, at(22, 15), **{"25a": "missing"})
    few = _queries(team)

    many = episodes(team, by, 30, seed=7)
    for n, e in enumerate(many):
        plan(e, by, goal=n % 2 == 0, kinds=(InterventionKind.HOUSING,))
        v = visit(e, by, at(20 + n % 10, 9), hours=1 + n % 2)
        contact(
            e,
            by,
            at(20 + n % 10, 11),
            written=at(21 + n % 10, 9),
            planned=v,
            minutes_outside=60,
            phoned=False,
        )
        discharge(e, by, at(23, 12), **{"25c": "missing", "25f": "missing"})
    assert _queries(team) == few
    assert few <= 30
