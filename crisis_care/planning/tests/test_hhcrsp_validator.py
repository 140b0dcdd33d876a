"""The independent check catches each kind of broken plan, and prices a good one exactly."""

import pytest

from crisis_care.planning.solver import hhcrsp, validate

from .hhcrsp_data import GOOD, GOOD_STARTS, SHARED, small, small_text, with_starts


def test_reads_the_format() -> None:
    inst = small()
    assert inst.n_nodes == 6 and inst.n_staff == 2 and inst.n_services == 2
    assert inst.double == {3, 4}  # DS numbers are 1-based
    assert inst.services_of(4) == [0, 1]
    assert inst.mind[4] == 5 and inst.maxd[4] == 10
    assert inst.p[1][0][0] == 10.0


def test_rejects_a_file_that_is_not_an_instance() -> None:
    with pytest.raises(ValueError, match="missing"):
        hhcrsp.parse("nbNodes\n3\n")
    with pytest.raises(ValueError, match="section d"):
        hhcrsp.parse(small_text().replace("\nd\n0.0 ", "\nd\n"))


def test_a_good_plan_is_feasible_and_priced_by_hand() -> None:
    result = validate.check(small(), GOOD)
    assert result.feasible, result.violations
    # Earliest starts recomputed: the pair at 3 meets at 40; at 4 the first waits for the
    # window (80) and the second keeps the minimum lag (85). Patient 2 starts at 20, due by 15.
    assert result.starts == GOOD_STARTS
    assert result.distance == pytest.approx(160.0)
    assert result.total_tardiness == pytest.approx(5.0)
    assert result.max_tardiness == pytest.approx(5.0)
    assert result.objective == pytest.approx((160 + 5 + 5) / 3)


def test_reported_start_times_that_keep_every_rule_are_accepted() -> None:
    later = [[10.0, 40.0, 82.0], [20.0, 40.0, 90.0]]  # waiting longer is allowed
    result = validate.check(small(), with_starts(GOOD, later))
    assert result.feasible, result.violations
    assert result.starts == later


@pytest.mark.parametrize(
    ("routes", "kind"),
    [
        ([[(1, 0), (3, 0), (4, 0)], [(3, 1), (4, 1)]], "missing"),
        ([[(1, 0), (2, 1), (3, 0), (4, 0)], [(2, 1), (3, 1), (4, 1)]], "duplicate"),
        ([[(1, 0), (1, 1), (3, 0), (4, 0)], GOOD[1]], "unrequired"),
        ([[(9, 0), *GOOD[0]], GOOD[1]], "unrequired"),
        ([[(3, 0), (4, 0)], [(1, 0), (2, 1), (3, 1), (4, 1)]], "unqualified"),
        ([[(1, 0), (3, 0), (3, 1), (4, 0)], [(2, 1), (4, 1)]], "same_staff"),
        # Staff 0 goes to 4 before 3, staff 1 to 3 before 4: nobody can wait for the other.
        ([[(1, 0), (4, 0), (3, 0)], GOOD[1]], "deadlock"),
        ([GOOD[0]], "staff"),
    ],
)
def test_each_broken_rule_is_caught(routes: list[list[tuple[int, int]]], kind: str) -> None:
    result = validate.check(small(), routes)
    assert not result.feasible
    assert kind in result.kinds()


@pytest.mark.parametrize(
    ("starts", "kind"),
    [
        ([[10.0, 40.0, 75.0], [20.0, 40.0, 80.0]], "early"),  # patient 4 opens at 80
        ([[10.0, 40.0, 80.0], [15.0, 40.0, 85.0]], "travel"),  # patient 2 is 20 away
        ([[10.0, 40.0, 80.0], [20.0, 45.0, 85.0]], "lag"),  # pair at 3 must arrive together
        ([[10.0, 40.0, 80.0], [20.0, 40.0, 95.0]], "lag"),  # 15 apart at 4, at most 10
        ([[10.0, 40.0, 80.0], [20.0, 40.0, 82.0]], "lag"),  # 2 apart at 4, at least 5
    ],
)
def test_reported_times_are_checked_not_trusted(starts: list[list[float]], kind: str) -> None:
    result = validate.check(small(), with_starts(GOOD, starts))
    assert not result.feasible
    assert result.kinds() == {kind}


def test_reads_a_published_instance() -> None:
    inst = hhcrsp.load(SHARED / "A1.txt")
    assert inst.n_nodes == 12 and inst.n_staff == 3
    assert inst.double == {8, 9, 10}


def test_the_depot_closing_time_is_not_a_rule_of_the_benchmark() -> None:
    # Staff 0 is back at 80 + 10 + 40 = 130: lateness is priced at patients only.
    inst = hhcrsp.parse(small_text().replace("90 1000\n", "90 120\n"), name="early-close")
    result = validate.check(inst, GOOD)
    assert result.feasible
    assert result.objective == pytest.approx((160 + 5 + 5) / 3)
