"""The alternative measured for ADR 0016: a plain OR-Tools routing model of the HHCRSP instances.

One routing node per service; a paired visit is two nodes on different vehicles with their start
times tied (equal, or within the lag) through the time dimension's cumul variables; lateness is
priced with soft upper bounds; skills restrict the vehicles of each node; every node may be
dropped at a high price so that the search always has a solution. The maximum lateness has no
place in a routing objective and is left out of the search (the check prices it). The runs it
returns are checked and priced by the same independent validator as our own solver's.

OR-Tools is not a dependency of the project; run with it added for the occasion:
    .tools/bin/uv run --with ortools python scripts/compare_ortools_hhcrsp.py --seconds 30 A1 C1 E1
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crisis_care.planning.solver import hhcrsp, validate  # noqa: E402

SCALE = 100  # OR-Tools works in integers: hundredths of a minute
DROP = 10**9


def solve(inst: hhcrsp.Instance, seconds: float) -> tuple[list[list[tuple[int, int]]], int]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    tasks: list[tuple[int, int]] = [(0, -1)]  # routing node 0 is the depot
    for node in inst.patients:
        for s in inst.services_of(node):
            tasks.append((node, s))
    n, k = len(tasks), inst.n_staff
    manager = pywrapcp.RoutingIndexManager(n, k, 0)
    routing = pywrapcp.RoutingModel(manager)

    def dist(i: int, j: int) -> int:
        return round(SCALE * inst.d[tasks[i][0]][tasks[j][0]])

    def busy(i: int, j: int) -> int:
        node, s = tasks[i]
        service = 0.0 if s < 0 else inst.p[node][0][s]
        return round(SCALE * service) + dist(i, j)

    arc = routing.RegisterTransitCallback(
        lambda a, b: dist(manager.IndexToNode(a), manager.IndexToNode(b))
    )
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    transit = routing.RegisterTransitCallback(
        lambda a, b: busy(manager.IndexToNode(a), manager.IndexToNode(b))
    )
    horizon = round(SCALE * 10 * max(inst.l))
    routing.AddDimension(transit, horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    solver = routing.solver()
    index_of: dict[tuple[int, int], int] = {}
    for i in range(1, n):
        node, s = tasks[i]
        index = manager.NodeToIndex(i)
        index_of[(node, s)] = index
        clock.CumulVar(index).SetMin(round(SCALE * inst.e[node]))
        # Distance and lateness weigh the same (1/3 each) in the published objective.
        clock.SetCumulVarSoftUpperBound(index, round(SCALE * inst.l[node]), 1)
        routing.VehicleVar(index).SetValues([-1, *(v for v in range(k) if inst.qualified[v][s])])
        routing.AddDisjunction([index], DROP)
    for node in inst.patients:
        services = inst.services_of(node)
        if len(services) == 2:
            a, b = index_of[(node, services[0])], index_of[(node, services[1])]
            solver.Add(routing.VehicleVar(a) != routing.VehicleVar(b))
            lag = clock.CumulVar(b) - clock.CumulVar(a)
            solver.Add(lag >= round(SCALE * inst.mind[node]))
            solver.Add(lag <= round(SCALE * inst.maxd[node]))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution: Any = routing.SolveWithParameters(params)
    routes: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    dropped = 0
    if solution is None:
        return routes, n - 1
    for v in range(k):
        index = routing.Start(v)
        while not routing.IsEnd(index):
            i = manager.IndexToNode(index)
            if i:
                routes[v].append(tasks[i])
            index = solution.Value(routing.NextVar(index))
    dropped = n - 1 - sum(len(r) for r in routes)
    return routes, dropped


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "hhcrsp")
    args = parser.parse_args()
    with (args.data / "bks.csv").open() as handle:
        bks = {row["instance"]: float(row["bks"]) for row in csv.DictReader(handle)}
    print("| instance | bks | OR-Tools objective | gap % | dropped | feasible | seconds |")
    print("|---|---:|---:|---:|---:|---|---:|")
    for name in args.names:
        inst = hhcrsp.load(args.data / f"{name}.txt")
        began = time.monotonic()
        routes, dropped = solve(inst, args.seconds)
        took = time.monotonic() - began
        result = validate.check(inst, routes)
        # An incomplete plan has no comparable objective.
        objective = f"{result.objective:.2f}" if result.feasible else "-"
        gap = f"{100 * (result.objective / bks[name] - 1):+.2f}" if result.feasible else "-"
        print(
            f"| {name} | {bks[name]:g} | {objective} | {gap} | {dropped} | "
            f"{'yes' if result.feasible else 'NO'} | {took:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
