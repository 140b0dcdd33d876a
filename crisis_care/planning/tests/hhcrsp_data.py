"""A hand-built instance in the Mankowska text format, small enough to check by hand.

Places on a line (x = 0, 10, 20, 30, 40; the end depot is back at 0), travel = distance.
Patient 1 needs service 0; patient 2 service 1 (due by 15, so it is 5 late in the plan below);
patient 3 both, arriving together; patient 4 both, the second 5 to 10 after the first.
Staff 0 can do both services, staff 1 only service 1. Every visit takes 10.
"""

from pathlib import Path

from crisis_care.planning.solver import hhcrsp

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "hhcrsp"

X = [0, 10, 20, 30, 40, 0]


def small_text() -> str:
    n = len(X)
    d = [[float(abs(a - b)) for b in X] for a in X]
    requires = [[1, 1], [1, 0], [0, 1], [1, 1], [1, 1], [1, 1]]
    p = []
    for i in range(n):
        for _ in range(2):
            p.append("0 0" if i in (0, n - 1) else "10 10")
    rows = [
        "nbNodes",
        str(n),
        "nbVehi",
        "2",
        "nbServi",
        "2",
        "r",
        *(" ".join(map(str, r)) for r in requires),
        "DS",
        "4 5",
        "a",
        "1 1",
        "0 1",
        "x",
        " ".join(map(str, X)),
        "y",
        " ".join("0" for _ in X),
        "d",
        *(" ".join(f"{v:.1f}" for v in row) for row in d),
        "p",
        *p,
        "mind",
        "0 0 0 0 5 0",
        "maxd",
        "0 0 0 0 10 0",
        "e",
        "0 0 0 40 80 0",
        "l",
        "1000 20 15 60 90 1000",
    ]
    return "\n".join(rows) + "\n"


def small() -> hhcrsp.Instance:
    return hhcrsp.parse(small_text(), name="small")


# Staff 0: patients 1, 3 (service 0), 4 (service 0); staff 1: patients 2, 3 and 4 (service 1).
GOOD = [[(1, 0), (3, 0), (4, 0)], [(2, 1), (3, 1), (4, 1)]]
GOOD_STARTS = [[10.0, 40.0, 80.0], [20.0, 40.0, 85.0]]


def with_starts(
    routes: list[list[tuple[int, int]]], starts: list[list[float]]
) -> list[list[tuple[int, int, float]]]:
    return [
        [(n, s, t) for (n, s), t in zip(r, ts, strict=True)]
        for r, ts in zip(routes, starts, strict=True)
    ]
