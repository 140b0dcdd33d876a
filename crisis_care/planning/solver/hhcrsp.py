"""Instances of Mankowska, Meisel and Bierwirth (2014) in their text format, and their translation
into the general planning problem.

Node 0 is where staff start and node N-1 where they end (the same depot); nodes 1..N-2 are
patients. `DS` lists double-service patients with 1-based numbers. Services of a double-service
patient are ordered by service index: the lag runs from the lower to the higher one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import Plan, Problem, Service, Staff, Visit, Weights

KEYS = (
    "nbNodes",
    "nbVehi",
    "nbServi",
    "r",
    "DS",
    "a",
    "x",
    "y",
    "d",
    "p",
    "mind",
    "maxd",
    "e",
    "l",
)


@dataclass(frozen=True)
class Instance:
    name: str
    n_nodes: int
    n_staff: int
    n_services: int
    requires: list[list[int]]  # node x service: 1 where required
    double: frozenset[int]  # 0-based nodes of double-service patients
    qualified: list[list[int]]  # staff x service
    x: list[float]
    y: list[float]
    d: list[list[float]]
    p: list[list[list[float]]]  # node x staff x service
    mind: list[float]
    maxd: list[float]
    e: list[float]
    l: list[float]  # noqa: E741 - the format's own name

    @property
    def patients(self) -> range:
        return range(1, self.n_nodes - 1)

    def services_of(self, node: int) -> list[int]:
        return [s for s in range(self.n_services) if self.requires[node][s]]


def parse(text: str, name: str = "") -> Instance:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        word = line.strip()
        if word in KEYS:
            current = word
            sections[current] = []
        elif current is not None:
            sections[current].extend(word.split())
    missing = [k for k in KEYS if k not in sections]
    if missing:
        raise ValueError(f"not an HHCRSP instance: missing {', '.join(missing)}")

    def numbers(key: str, count: int) -> list[float]:
        values = [float(v) for v in sections[key]]
        if len(values) != count:
            raise ValueError(f"section {key}: expected {count} values, found {len(values)}")
        return values

    n = int(sections["nbNodes"][0])
    v = int(sections["nbVehi"][0])
    s = int(sections["nbServi"][0])
    r = numbers("r", n * s)
    a = numbers("a", v * s)
    d = numbers("d", n * n)
    p = numbers("p", n * v * s)
    return Instance(
        name=name,
        n_nodes=n,
        n_staff=v,
        n_services=s,
        requires=[[int(r[i * s + k]) for k in range(s)] for i in range(n)],
        double=frozenset(int(t) - 1 for t in sections["DS"]),
        qualified=[[int(a[i * s + k]) for k in range(s)] for i in range(v)],
        x=numbers("x", n),
        y=numbers("y", n),
        d=[d[i * n : (i + 1) * n] for i in range(n)],
        p=[[p[(i * v + j) * s : (i * v + j + 1) * s] for j in range(v)] for i in range(n)],
        mind=numbers("mind", n),
        maxd=numbers("maxd", n),
        e=numbers("e", n),
        l=numbers("l", n),
    )


def load(path: str | Path) -> Instance:
    path = Path(path)
    return parse(path.read_text(), name=path.stem)


def to_problem(inst: Instance) -> Problem:
    """The instance as a general problem. Visit j is patient node j+1."""
    visits = []
    for node in inst.patients:
        services = []
        for s in inst.services_of(node):
            by_staff = tuple(inst.p[node][k][s] for k in range(inst.n_staff))
            same = all(t == by_staff[0] for t in by_staff)
            services.append(Service(s, by_staff[0], None if same else by_staff))
        paired = len(services) == 2
        visits.append(
            Visit(
                place=node,
                window_open=inst.e[node],
                window_close=inst.l[node],
                services=tuple(services),
                min_lag=inst.mind[node] if paired else 0.0,
                max_lag=inst.maxd[node] if paired else 0.0,
                label=str(node),
            )
        )
    staff = tuple(
        Staff(
            skills=frozenset(s for s in range(inst.n_services) if inst.qualified[k][s]),
            start_place=0,
            end_place=inst.n_nodes - 1,
            # Staff leave when the depot opens. Its closing time is not a rule of the benchmark:
            # the published evaluation (Kummer et al.) does not check it, nor lateness there.
            shift_start=inst.e[0],
            label=str(k),
        )
        for k in range(inst.n_staff)
    )
    return Problem(
        travel_time=inst.d, distance=inst.d, visits=tuple(visits), staff=staff, weights=Weights()
    )


def plan_routes(problem: Problem, plan: Plan) -> list[list[tuple[int, int, float]]]:
    """A plan as (node, service type, start) per staff member, the form the validator checks."""
    routes = []
    for run in plan.runs:
        route = []
        for stop in run:
            visit = problem.visits[stop.visit]
            route.append((visit.place, visit.services[stop.service].skill, stop.start))
        routes.append(route)
    return routes
