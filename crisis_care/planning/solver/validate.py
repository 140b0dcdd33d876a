"""An independent check of a solution to a Mankowska-format instance.

It reads only the instance and each staff member's run as (node, service type[, start]); it
trusts nothing else the solver says. It recomputes the earliest start times from scratch (by
relaxing every constraint until nothing moves, a different method from the solver's), checks
every rule, and computes distance, tardiness and the objective itself. When the runs carry
start times, those are checked against every rule too and the objective is priced on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .hhcrsp import Instance

EPS = 1e-6

# (node, service type) or (node, service type, start)
Route = Sequence[tuple[int, int] | tuple[int, int, float]]


@dataclass(frozen=True)
class Violation:
    # staff, missing, duplicate, unrequired, unqualified, same_staff, deadlock, early, travel, lag
    kind: str
    message: str


@dataclass
class Check:
    feasible: bool
    violations: list[Violation] = field(default_factory=list)
    distance: float = 0.0
    total_tardiness: float = 0.0
    max_tardiness: float = 0.0
    objective: float = 0.0
    starts: list[list[float]] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {v.kind for v in self.violations}


def check(inst: Instance, routes: Sequence[Route]) -> Check:
    out: list[Violation] = []
    if len(routes) != inst.n_staff:
        out.append(Violation("staff", f"{len(routes)} runs for {inst.n_staff} staff"))
        return Check(False, out)

    stops: list[tuple[int, int, int]] = []  # (staff, node, service)
    reported: list[float | None] = []
    where: dict[tuple[int, int], list[int]] = {}
    for v, route in enumerate(routes):
        for item in route:
            node, s = int(item[0]), int(item[1])
            if not (1 <= node <= inst.n_nodes - 2) or not (0 <= s < inst.n_services):
                out.append(Violation("unrequired", f"staff {v}: no patient {node} service {s}"))
                continue
            where.setdefault((node, s), []).append(len(stops))
            stops.append((v, node, s))
            reported.append(float(item[2]) if len(item) > 2 else None)
            if not inst.requires[node][s]:
                out.append(Violation("unrequired", f"patient {node} does not need service {s}"))
            if not inst.qualified[v][s]:
                out.append(Violation("unqualified", f"staff {v} is not qualified for service {s}"))

    for node in inst.patients:
        for s in inst.services_of(node):
            count = len(where.get((node, s), []))
            if count == 0:
                out.append(Violation("missing", f"patient {node} service {s} is not done"))
            elif count > 1:
                out.append(Violation("duplicate", f"patient {node} service {s} done {count} times"))
    if out:
        return Check(False, out)

    # Lag pairs (first stop, second stop, min, max): the lower service type comes first.
    pairs: list[tuple[int, int, float, float]] = []
    for node in inst.patients:
        services = inst.services_of(node)
        if len(services) == 2:
            a, b = where[(node, services[0])][0], where[(node, services[1])][0]
            if stops[a][0] == stops[b][0]:
                out.append(
                    Violation("same_staff", f"patient {node}: both services by staff {stops[a][0]}")
                )
            pairs.append((a, b, inst.mind[node], inst.maxd[node]))

    # Precedence along each run: (earlier stop or -1 for the depot, later stop, minimum gap).
    arcs: list[tuple[int, int, float]] = []
    index = 0
    for route in routes:
        prev, prev_node = -1, 0
        for _ in route:
            _, node, s = stops[index]
            gap = inst.d[prev_node][node]
            if prev >= 0:
                pv, pn, ps = stops[prev]
                gap += inst.p[pn][pv][ps]
            arcs.append((prev, index, gap))
            prev, prev_node = index, node
            index += 1

    earliest = _earliest(inst, stops, arcs, pairs)
    if earliest is None:
        out.append(Violation("deadlock", "no start times satisfy the runs and the paired visits"))
        return Check(False, out)

    times = earliest
    if all(t is not None for t in reported) and stops:
        times = [float(t) for t in reported if t is not None]
        for i, (_, node, s) in enumerate(stops):
            if times[i] < inst.e[node] - EPS:
                out.append(
                    Violation(
                        "early",
                        f"patient {node} service {s} starts at {times[i]:.2f} before {inst.e[node]:g}",
                    )
                )
        for a, b, gap in arcs:
            before = inst.e[0] if a < 0 else times[a]
            if times[b] < before + gap - EPS:
                out.append(
                    Violation(
                        "travel",
                        f"staff {stops[b][0]} cannot reach patient {stops[b][1]} by {times[b]:.2f}",
                    )
                )
        for a, b, lo, hi in pairs:
            lag = times[b] - times[a]
            if lag < lo - EPS or lag > hi + EPS:
                out.append(
                    Violation(
                        "lag",
                        f"patient {stops[a][1]}: services {lag:.2f} apart, allowed {lo:g} to {hi:g}",
                    )
                )

    distance = 0.0
    for route in routes:
        nodes = [0, *(int(item[0]) for item in route), inst.n_nodes - 1]
        distance += sum(inst.d[nodes[i]][nodes[i + 1]] for i in range(len(nodes) - 1))
    late = [max(0.0, times[i] - inst.l[node]) for i, (_, node, _) in enumerate(stops)]
    total, worst = sum(late), max(late, default=0.0)
    starts: list[list[float]] = [[] for _ in routes]
    for i, (v, _, _) in enumerate(stops):
        starts[v].append(times[i])
    return Check(
        feasible=not out,
        violations=out,
        distance=distance,
        total_tardiness=total,
        max_tardiness=worst,
        objective=(distance + total + worst) / 3.0,
        starts=starts,
    )


def _earliest(
    inst: Instance,
    stops: list[tuple[int, int, int]],
    arcs: list[tuple[int, int, float]],
    pairs: list[tuple[int, int, float, float]],
) -> list[float] | None:
    """Least start times meeting every lower bound (a longest-path fixpoint); None on a cycle."""
    t = [inst.e[node] for _, node, _ in stops]
    edges = [(a, b, gap) for a, b, gap in arcs]
    for a, b, lo, hi in pairs:
        edges.append((a, b, lo))  # second no earlier than first + min lag
        edges.append((b, a, -hi))  # first no earlier than second - max lag
    for _ in range(len(stops) + 1):
        moved = False
        for a, b, gap in edges:
            bound = (inst.e[0] if a < 0 else t[a]) + gap
            if bound > t[b] + EPS:
                t[b] = bound
                moved = True
        if not moved:
            return t
    return None
