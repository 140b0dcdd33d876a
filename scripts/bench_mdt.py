"""Benchmark the daily MDT review board for a full caseload (130 people by default).

Builds a throwaway database (SQLite in memory, or PostgreSQL when DATABASE_URL is set: a test_
database is created and dropped), then one team with 130 open episodes built with bulk_create
(`build_caseload` from the board's tests: each person with a safety plan, a rating, yesterday's
review, contacts and missed visits, medication changes, carers, goals with progress and open
actions, varied by position), a running meeting with four attending and a third of the people
already reviewed in it. It then times, through Django's test client as the team manager:

- GET the board (treatment:mdt_board): the whole request (middleware, queries, audit row, Jinja);
- GET one person's review page (treatment:mdt_review).

It prints the median and 95th percentile in milliseconds and the number of queries.

Run: DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test .venv/bin/python scripts/bench_mdt.py
(BENCH_ROUNDS, default 30; BENCH_PEOPLE, default 130). Record the figures and the command in
docs/benchmarks.md.
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.test")
os.environ.setdefault("CRISIS_CARE_VAR_DIR", tempfile.mkdtemp(prefix="crisis-care-bench-"))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", "130"))


def measure(run: Callable[[], object]) -> tuple[float, float, int]:
    """Median and 95th percentile in ms over ROUNDS runs (after one warm-up), and queries."""
    run()
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        run()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(queries)


def bench() -> list[tuple[str, float, float, int]]:
    from crisis_care.core.roles import Role
    from crisis_care.nonprod import factories
    from crisis_care.treatment.selectors import mdt as selectors
    from crisis_care.treatment.services import mdt as services
    from crisis_care.treatment.tests.test_mdt_board import build_caseload

    team: Any = factories.TeamFactory(name="Bench crisis team", code="bench-crht")
    manager: Any = factories.StaffMemberFactory(role=Role.TEAM_MANAGER, team=team).user
    others: Any = [
        factories.StaffMemberFactory(role=role, team=team)
        for role in (Role.DOCTOR, Role.PSYCHOLOGIST, Role.SUPPORT_WORKER)
    ]
    started = time.perf_counter()
    episodes = build_caseload(team=team, by=manager, count=PEOPLE)
    print(f"# built {len(episodes)} open episodes in {time.perf_counter() - started:.1f}s")
    meeting = services.mdt_start(team=team, attendees=others, by=manager)
    sequence = selectors.review_sequence(team=team, meeting=meeting)
    for pk in sequence.order[: PEOPLE // 3]:
        services.mdt_review_record(
            meeting=meeting,
            episode=next(e for e in episodes if e.pk == pk),
            decision="Continue twice-daily visits",
            discharge_readiness="not_yet",
            rating=None,
            actions=[],
            by=manager,
        )

    client = Client()
    client.force_login(manager)
    board_url = reverse("treatment:mdt_board")
    following = selectors.review_sequence(team=team, meeting=meeting).next_to_review(None)
    review_url = reverse("treatment:mdt_review", args=[meeting.pk, following])

    def get(url: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    rows = []
    median, p95, queries = measure(get(board_url))
    rows.append((f"GET {board_url} ({PEOPLE} people)", median, p95, queries))
    median, p95, queries = measure(get(review_url))
    rows.append(("GET review page (1 person)", median, p95, queries))
    return rows


def main() -> None:
    setup_test_environment()
    print(f"database: {connection.vendor}; rounds: {ROUNDS}")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        results = bench()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"{'what':<40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for what, median, p95, queries in results:
        print(f"{what:<40} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
