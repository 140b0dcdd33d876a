"""The independent check of a real plan, on hand-built plans that break one rule each."""

import datetime as dt

from crisis_care.core.clock import local_instant
from crisis_care.planning.travel import CoordinateTravel, place_for_postcode, team_base
from crisis_care.planning.validate_plan import CheckStaff, CheckVisit, Report, Row, check_plan

BASE = team_base("LE3 9EJ")
CITY = place_for_postcode("LE1 5WW", fallback=BASE)
MELTON = place_for_postcode("LE13 0AA", fallback=BASE)
MIDNIGHT = local_instant(dt.date(2026, 11, 24), dt.time(0))
TRAVEL = CoordinateTravel()


def visit(key: str, place=CITY, at: int = 10 * 60, needed: int = 1, needs=()) -> CheckVisit:  # type: ignore[no-untyped-def]
    return CheckVisit(
        key=key,
        person=f"person {key}",
        place=place,
        open_min=at,
        close_min=at + 60,
        duration=45,
        staff_needed=needed,
        needs=frozenset(needs),
        label=key,
    )


def member(
    key: str, qualities=("registered_practitioner",), start: int = 8 * 60, end: int = 20 * 60
) -> CheckStaff:  # type: ignore[no-untyped-def]
    return CheckStaff(
        key=key,
        qualities=frozenset(qualities),
        start_min=start,
        end_min=end,
        start_place=BASE,
        end_place=BASE,
        label=key,
    )


def check(visits, staff, rows, unplanned=None) -> Report:  # type: ignore[no-untyped-def]
    return check_plan(
        visits=visits,
        staff=staff,
        rows=rows,
        unplanned=unplanned or {},
        travel=TRAVEL,
        clock=MIDNIGHT,
    )


def test_a_sound_plan_has_no_problems_and_its_figures() -> None:
    report = check(
        [visit("a"), visit("b", at=12 * 60), visit("c", needed=2, at=15 * 60)],
        [member("ann"), member("bob")],
        [Row("a", "ann", 600), Row("b", "ann", 720), Row("c", "ann", 900), Row("c", "bob", 900)],
    )
    assert report.ok, report.problems
    assert report.planned == 3 and report.unplanned == 0
    assert report.windows_missed == 0
    assert report.travel_minutes > 0 and report.travel_km > 0
    assert report.staff_per_person == {"person a": 1, "person b": 1, "person c": 2}


def test_a_visit_neither_planned_nor_explained_is_a_problem() -> None:
    report = check([visit("a"), visit("b")], [member("ann")], [Row("a", "ann", 600)])
    assert report.problems == ["b: neither planned nor listed as unplanned"]
    explained = check(
        [visit("a"), visit("b")], [member("ann")], [Row("a", "ann", 600)], {"b": "No psychologist"}
    )
    assert explained.ok and explained.unplanned == 1


def test_a_paired_visit_with_one_member_of_staff_is_a_problem() -> None:
    report = check([visit("a", needed=2)], [member("ann")], [Row("a", "ann", 600)])
    assert report.problems == ["a: needs 2 different staff, has 1 in 1 rows"]


def test_the_needs_must_be_met_by_someone_assigned() -> None:
    report = check([visit("a", needs={"psychologist"})], [member("ann")], [Row("a", "ann", 600)])
    assert report.problems == ["a: needs psychologist, which nobody assigned has"]


def test_paired_visits_must_start_together() -> None:
    report = check(
        [visit("a", needed=2)],
        [member("ann"), member("bob")],
        [Row("a", "ann", 600), Row("a", "bob", 610)],
    )
    assert report.problems == ["a: the two staff do not arrive together (10 minutes apart)"]


def test_no_start_before_the_window_and_lateness_is_measured() -> None:
    early = check([visit("a")], [member("ann")], [Row("a", "ann", 590)])
    assert early.problems == ["a: starts 10 minutes before the window opens"]
    late = check([visit("a")], [member("ann")], [Row("a", "ann", 700)])
    assert late.ok
    assert late.windows_missed == 1 and late.minutes_late == 40


def test_shifts_are_respected_at_both_ends() -> None:
    report = check(
        [visit("a", at=8 * 60), visit("b", at=19 * 60 + 30)],
        [member("ann")],
        [Row("a", "ann", 480), Row("b", "ann", 19 * 60 + 30)],
    )
    assert len(report.problems) == 2
    assert "before their shift starts" in report.problems[0]
    assert "after their shift ends" in report.problems[1]


def test_nobody_is_double_booked() -> None:
    report = check(
        [visit("a"), visit("b", place=MELTON)],
        [member("ann")],
        [Row("a", "ann", 600), Row("b", "ann", 650)],
    )
    assert len(report.problems) == 1
    assert report.problems[0].startswith("ann: double booked: b starts")


def test_rows_for_unknown_visits_or_staff_not_on_shift_are_problems() -> None:
    report = check([visit("a")], [member("ann")], [Row("a", "zoe", 600), Row("x", "ann", 600)])
    assert "a: given to someone not on shift (zoe)" in report.problems
    assert "A plan row names a visit that is not in the day: x" in report.problems
