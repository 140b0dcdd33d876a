"""Benchmark the performance dashboard on whatever data is in the database.

Unlike the other benchmarks this builds nothing: point it at a database that already holds
data (the demo data, `manage.py demo_data`, at whatever scale you made it; the default is the
local settings' SQLite file, or DATABASE_URL for PostgreSQL). It picks the team with the most
referrals (or BENCH_TEAM=<team code>) and one of its team managers, and times, signed in as
that manager through Django's test client (the whole request: middleware, queries, audit row,
Jinja rendering):

- reporting.selectors.figures.values() for the period (every measure);
- GET /reporting/ (the view named "reporting:dashboard") for the period;
- GET /reporting/figures/referrer_response_30m/ (the records behind one figure);
- values() for every month of the last five years (what the monthly SPC charts read).

The period is the last full calendar month, or BENCH_FROM / BENCH_TO (ISO dates). Each run is
rolled back, so the audit rows the pages write are not kept.

It prints the median and 95th percentile in milliseconds and the number of queries.

Run: .venv/bin/python scripts/bench_dashboard.py
     (DJANGO_SETTINGS_MODULE defaults to crisis_care.config.settings.local; BENCH_ROUNDS=30)
Record the figures, the data's size (printed) and this command in docs/benchmarks.md.
"""

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.local")

import django

django.setup()

from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))


class _Rollback(Exception):
    pass


def rolled_back(run: Callable[[], object]) -> Callable[[], None]:
    def wrapped() -> None:
        try:
            with transaction.atomic():
                run()
                raise _Rollback
        except _Rollback:
            pass

    return wrapped


def measure(run: Callable[[], object]) -> tuple[float, float, int]:
    """Median and 95th percentile in ms over ROUNDS runs (after one warm-up), and queries."""
    run = rolled_back(run)
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
    # The savepoint statements of the rollback are not the page's.
    return statistics.median(timings), p95, len(queries) - 2


def bench() -> list[tuple[str, float, float, int]]:
    from crisis_care.core.models import User
    from crisis_care.core.roles import Role
    from crisis_care.referrals.models import Referral
    from crisis_care.reporting.forms import last_full_month, period_query
    from crisis_care.reporting.period import Period, months
    from crisis_care.reporting.selectors.figures import values
    from crisis_care.treatment.models import CareContact, Episode
    from crisis_care.workforce.models import Team

    code = os.environ.get("BENCH_TEAM")
    teams = Team.objects.annotate(n=Count("referrals")).order_by("-n")
    team = teams.get(code=code) if code else teams.first()
    if team is None:
        sys.exit("No teams in this database: load some data first (manage.py demo_data).")
    manager = (
        User.objects.filter(role=Role.TEAM_MANAGER, staff__memberships__team=team)
        .distinct()
        .first()
    )
    if manager is None:
        sys.exit(f"No team manager in {team.name}: the dashboard is for managers.")
    default = last_full_month(timezone.localdate())
    period = Period(
        dt.date.fromisoformat(os.environ.get("BENCH_FROM", default.first.isoformat())),
        dt.date.fromisoformat(os.environ.get("BENCH_TO", default.last.isoformat())),
    )
    referrals = Referral.objects.filter(team=team)
    first = referrals.order_by("received_at").values_list("received_at", flat=True).first()
    since = f" since {first:%Y-%m-%d}" if first is not None else ""
    episodes = Episode.objects.filter(team=team).count()
    contacts = CareContact.objects.filter(episode__team=team).count()
    print(
        f"# team {team.code}: {referrals.count():,} referrals{since}, {episodes:,} episodes,"
        f" {contacts:,} care contacts; period {period.label()}; as {manager}"
    )

    rows = []
    median, p95, queries = measure(lambda: values(team=team, periods=[period]))
    rows.append(("values(), the period", median, p95, queries))

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(manager)
    query = urlencode({"team": str(team.pk), **period_query(period)})
    for what, url in (
        ("GET dashboard", reverse("reporting:dashboard")),
        ("GET figure records", reverse("reporting:figure", args=["referrer_response_30m"])),
    ):

        def get(url: str = url) -> None:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 200, response.status_code

        median, p95, queries = measure(get)
        rows.append((what, median, p95, queries))

    five_years = months(period.last.replace(day=1).replace(year=period.last.year - 5), period.last)
    median, p95, queries = measure(lambda: values(team=team, periods=five_years))
    rows.append((f"values(), {len(five_years)} months", median, p95, queries))
    return rows


def main() -> None:
    setup_test_environment()
    print(f"database: {connection.vendor}; rounds: {ROUNDS}")
    results = bench()
    print(f"{'what':<28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for what, median, p95, queries in results:
        print(f"{what:<28} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
