"""The solver's plans keep every rule (checked independently) and reach the proven optimum on A1."""

import pytest

from crisis_care.planning.solver import hhcrsp, validate
from crisis_care.planning.solver.model import Problem, Service, Staff, Visit
from crisis_care.planning.solver.search import Solver

from .hhcrsp_data import SHARED, small


def test_a1_is_feasible_and_within_one_percent_of_the_proven_optimum() -> None:
    inst = hhcrsp.load(SHARED / "A1.txt")
    problem = hhcrsp.to_problem(inst)
    plan = Solver(problem, seed=1).solve(2.0)
    result = validate.check(inst, hhcrsp.plan_routes(problem, plan))
    assert result.feasible, result.violations
    assert result.objective <= 218.2 * 1.01
    # The solver's own pricing agrees with the independent one.
    assert plan.objective == pytest.approx(result.objective)


def test_the_small_instance_is_solved_to_its_obvious_plan() -> None:
    inst = small()
    problem = hhcrsp.to_problem(inst)
    plan = Solver(problem, seed=3).solve(0.5)
    result = validate.check(inst, hhcrsp.plan_routes(problem, plan))
    assert result.feasible, result.violations
    assert result.objective == pytest.approx((160 + 5 + 5) / 3)


def _line(n: int) -> list[list[float]]:
    """Places 0..n-1 one apart on a line."""
    return [[float(abs(a - b)) for b in range(n)] for a in range(n)]


def _staff(k: int, skills: set[int], **kwargs: object) -> Staff:
    return Staff(skills=frozenset(skills), start_place=0, end_place=0, label=f"s{k}", **kwargs)  # type: ignore[arg-type]


def test_a_paired_visit_gets_two_qualified_staff_arriving_together() -> None:
    matrix = _line(6)
    visits = (
        Visit(place=2, window_open=0, window_close=30, services=(Service(0, 5),)),
        Visit(place=5, window_open=20, window_close=40, services=(Service(0, 10), Service(1, 10))),
        Visit(place=4, window_open=0, window_close=60, services=(Service(1, 5),)),
    )
    staff = (_staff(0, {0}), _staff(1, {0, 1}), _staff(2, {1}))
    plan = Solver(Problem(matrix, matrix, visits, staff), seed=1).solve(0.5)
    stops = {(s.visit, s.service): (k, s.start) for k, run in enumerate(plan.runs) for s in run}
    assert set(stops) == {(0, 0), (1, 0), (1, 1), (2, 0)}
    (k0, t0), (k1, t1) = stops[(1, 0)], stops[(1, 1)]
    assert k0 != k1
    assert t0 == t1 >= 20
    assert 0 in staff[k0].skills and 1 in staff[k1].skills
    assert stops[(2, 0)][0] in (1, 2)


def test_a_person_sees_a_known_face_when_it_costs_little() -> None:
    matrix = _line(3)
    visits = (Visit(place=1, window_open=0, window_close=100, services=(Service(0, 10),)),)
    # Both could go; staff 0 is a stranger to this person (the cost of a new face).
    staff = (_staff(0, {0}, visit_cost={0: 5.0}), _staff(1, {0}))
    plan = Solver(Problem(matrix, matrix, visits, staff), seed=1).solve(0.2)
    assert [len(run) for run in plan.runs] == [0, 1]


def test_shift_ends_are_kept() -> None:
    matrix = _line(3)
    visits = (Visit(place=2, window_open=0, window_close=100, services=(Service(0, 10),)),)
    # Staff 0 has no preference cost but must be back by 10: the visit alone takes 14.
    staff = (_staff(0, {0}, shift_end=10.0), _staff(1, {0}, visit_cost={0: 3.0}))
    plan = Solver(Problem(matrix, matrix, visits, staff), seed=1).solve(0.2)
    assert [len(run) for run in plan.runs] == [0, 1]


def test_a_visit_nobody_can_do_is_refused_up_front() -> None:
    matrix = _line(2)
    visits = (
        Visit(place=1, window_open=0, window_close=10, services=(Service(0, 5), Service(0, 5))),
    )
    with pytest.raises(ValueError, match="two different qualified staff"):
        Solver(Problem(matrix, matrix, visits, (_staff(0, {0}),)))
    with pytest.raises(ValueError, match="nobody is qualified"):
        Solver(Problem(matrix, matrix, visits, (_staff(0, {1}),)))
