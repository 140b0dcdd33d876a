"""Benchmark the triage queue with months of demo referrals: does its cost grow with history?

For each size of history (12 and 36 months by default) it builds a throwaway database (SQLite in
memory, or PostgreSQL when DATABASE_URL is set: a test_ database is created and dropped), loads
the demo data with that many days of referrals (`demo_data --referral-days N`), then times:

- referrals.selectors.triage_queue(team=llr-crht): the read behind the page;
- GET /referrals/ (the view named "referrals:queue") through Django's test client, signed in as
  demo.registered_practitioner (the whole request: middleware, queries, audit row, Jinja).

It prints the median and 95th percentile in milliseconds and the number of queries.

Run: DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test .venv/bin/python scripts/bench_queue.py
Record the figures and this command in docs/benchmarks.md.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.test")
os.environ.setdefault("CRISIS_CARE_VAR_DIR", tempfile.mkdtemp(prefix="crisis-care-bench-"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))
DAYS = [int(d) for d in os.environ.get("BENCH_DAYS", "365,1095").split(",")]
TEAM = "llr-crht"
USER = "demo.registered_practitioner"


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


def queue_url() -> str | None:
    """The triage queue page, if the referrals app has it yet."""
    try:
        return reverse("referrals:queue")
    except (NoReverseMatch, ImportError):
        return None


def bench(days: int) -> list[tuple[str, int, int, float, float, int]]:
    from crisis_care.core.models import User
    from crisis_care.referrals.models import OPEN_STATUSES, Referral
    from crisis_care.referrals.selectors import triage_queue
    from crisis_care.workforce.models import Team

    started = time.perf_counter()
    call_command("demo_data", "--referral-days", str(days), stdout=io.StringIO())
    built = time.perf_counter() - started
    team = Team.objects.get(code=TEAM)
    total = Referral.objects.filter(team=team).count()
    open_now = Referral.objects.filter(team=team, status__in=OPEN_STATUSES).count()
    print(
        f"# {days} days: {total} referrals for {TEAM}, {open_now} open; demo_data took {built:.1f}s"
    )

    rows = []
    median, p95, queries = measure(lambda: triage_queue(team=team))
    rows.append(("triage_queue() selector", days, total, median, p95, queries))
    url = queue_url()
    if url is None:
        print("# the queue page (referrals:queue) is not there yet: selector only")
        return rows
    client = Client()
    client.force_login(User.objects.get(username=USER))

    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    median, p95, queries = measure(get)
    rows.append((f"GET {url}", days, total, median, p95, queries))
    return rows


def main() -> None:
    setup_test_environment()
    print(f"database: {connection.vendor}; rounds: {ROUNDS}")
    results = []
    for days in DAYS:
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, keepdb=False)
        try:
            results += bench(days)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    print(
        f"{'what':<26} {'days':>5} {'referrals':>9} {'median ms':>10} {'p95 ms':>8} {'queries':>8}"
    )
    for what, days, total, median, p95, queries in results:
        print(f"{what:<26} {days:>5} {total:>9} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
