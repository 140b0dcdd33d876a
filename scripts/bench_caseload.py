"""Benchmark the caseload with a full team: 130 people in home treatment.

Builds a throwaway database (SQLite in memory, or PostgreSQL when DATABASE_URL is set: a
test_ database is created and dropped) and fills it with bulk_create: a team with a manager
and ten staff, 130 open episodes (started up to 45 days ago, each with its referral,
assessment and decision), a visit or two for every day of each episode with its recorded
contact, the next two days of planned visits, care plans (most given as a written plan) and
some six-week reviews. Then it times:

- treatment.selectors.caseload.caseload(team=...): the read behind the page;
- GET /treatment/caseload/ (the view named "treatment:caseload") through Django's test
  client, signed in as the team manager (the whole request: middleware, queries, audit row,
  Jinja rendering of 130 rows).

It prints the median and 95th percentile in milliseconds and the number of queries.

Run: DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test .venv/bin/python scripts/bench_caseload.py
Record the figures and this command in docs/benchmarks.md.
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.test")
os.environ.setdefault("CRISIS_CARE_VAR_DIR", tempfile.mkdtemp(prefix="crisis-care-bench-"))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

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
    from crisis_care.treatment.selectors.caseload import caseload
    from crisis_care.treatment.tests.caseload_data import bulk_activity, bulk_episodes
    from crisis_care.workforce.models import StaffMember, Team

    started = time.perf_counter()
    team = cast(
        Team, factories.TeamFactory(name="LLR Adult Crisis Resolution and Home Treatment Team")
    )
    manager = cast(StaffMember, factories.StaffMemberFactory(role=Role.TEAM_MANAGER, team=team))
    workers = [cast(StaffMember, factories.StaffMemberFactory(team=team)) for _ in range(10)]
    now = timezone.now()
    episodes = bulk_episodes(team=team, by=manager.user, workers=workers, count=PEOPLE, now=now)
    made = bulk_activity(episodes=episodes, by=manager.user, now=now)
    built = time.perf_counter() - started
    print(
        f"# {PEOPLE} open episodes; "
        + ", ".join(f"{n} {what}" for what, n in made.items())
        + f"; built in {built:.1f}s"
    )
    rows = []
    summary = caseload(team=team)
    flagged = {flag.value: n for flag, n in summary.flag_counts.items()}
    print(f"# caseload rows: {summary.total}; flags: {flagged}")
    median, p95, queries = measure(lambda: caseload(team=team))
    rows.append(("caseload() selector", median, p95, queries))

    client = Client()
    client.force_login(manager.user)
    url = reverse("treatment:caseload")

    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    median, p95, queries = measure(get)
    rows.append((f"GET {url}", median, p95, queries))
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
    print(f"{'what':<28} {'people':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for what, median, p95, queries in results:
        print(f"{what:<28} {PEOPLE:>6} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
