"""Solve one instance in the Mankowska HHCRSP format and print the independently checked result.

    python manage.py solve_hhcrsp FILE --seconds 30

Prints one JSON line (objective, distance, total_tardiness, max_tardiness, feasible, seconds)
and nothing else on stdout, so that others can evaluate the planner on instances of their own.
"""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from crisis_care.planning.solver import hhcrsp, validate
from crisis_care.planning.solver.search import Solver


class Command(BaseCommand):
    help = "Solve a home health care routing instance (Mankowska format); print one JSON line."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--seconds", type=float, default=30.0, help="time limit (default 30)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--routes", action="store_true", help="include each staff member's run")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["seconds"] <= 0:
            raise CommandError("--seconds must be positive")
        began = time.monotonic()
        try:
            instance = hhcrsp.load(path)
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        problem = hhcrsp.to_problem(instance)
        plan = Solver(problem, seed=options["seed"]).solve(options["seconds"])
        routes = hhcrsp.plan_routes(problem, plan)
        result = validate.check(instance, routes)
        seconds = time.monotonic() - began
        line: dict[str, Any] = {
            "instance": instance.name,
            "objective": round(result.objective, 4),
            "distance": round(result.distance, 4),
            "total_tardiness": round(result.total_tardiness, 4),
            "max_tardiness": round(result.max_tardiness, 4),
            "feasible": result.feasible,
            "seconds": round(seconds, 2),
        }
        if result.violations:
            line["violations"] = [f"{v.kind}: {v.message}" for v in result.violations]
        if options["routes"]:
            line["routes"] = [
                [[node, service, round(t, 4)] for node, service, t in r] for r in routes
            ]
        self.stdout.write(json.dumps(line))
