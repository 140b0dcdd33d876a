"""Benchmark the CORE fidelity self-review on a database of demo data (read only).

Times, for the team with the most episodes:

- reporting.selectors.fidelity.computed_criteria(team=, period=): every computed criterion
  (the shared measures from selectors.figures and the review's own aggregates);
- GET /reporting/fidelity/new/ (the view named "reporting:fidelity_new") through Django's test
  client, signed in as a team manager of that team: the whole request, including the audit row
  and the rendering of all 39 items.

for the last 12 months and for the whole of the demo data (up to five years). It prints the
median and worst of five runs in milliseconds and the number of queries.

Build the data first, then run against it:

    CRISIS_CARE_VAR_DIR=/tmp/bench .venv/bin/python manage.py migrate -v0
    CRISIS_CARE_VAR_DIR=/tmp/bench .venv/bin/python manage.py demo_data \\
        --referral-days 1826 --visit-days 1826
    CRISIS_CARE_VAR_DIR=/tmp/bench .venv/bin/python scripts/bench_fidelity.py

Record the figures and the command in docs/benchmarks.md.
"""

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.local")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from crisis_care.core.clock import local_date  # noqa: E402
from crisis_care.core.roles import Role  # noqa: E402
from crisis_care.reporting.forms import period_query  # noqa: E402
from crisis_care.reporting.period import Period  # noqa: E402
from crisis_care.reporting.selectors.fidelity import computed_criteria  # noqa: E402
from crisis_care.treatment.models import Episode  # noqa: E402
from crisis_care.workforce.models import Team, TeamMembership  # noqa: E402

RUNS = 5


def timed(fn: Callable[[], object]) -> tuple[float, float, int]:
    times = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return statistics.median(times), max(times), queries


def main() -> None:
    setup_test_environment()
    busiest = Episode.objects.values("team").annotate(n=Count("pk")).order_by("-n").first()
    if busiest is None:
        sys.exit("No episodes: build the demo data first (see the docstring).")
    team = Team.objects.get(pk=busiest["team"])
    membership = (
        TeamMembership.objects.filter(team=team, staff__user__role=Role.TEAM_MANAGER)
        .select_related("staff__user")
        .first()
    )
    first_episode = Episode.objects.filter(team=team).order_by("started_at").first()
    assert first_episode is not None
    yesterday = local_date(timezone.now()) - dt.timedelta(days=1)
    periods = {
        "12 months": Period(yesterday - dt.timedelta(days=364), yesterday),
        "all the data": Period(local_date(first_episode.started_at), yesterday),
    }
    print(f"{team.name}: {busiest['n']:,} episodes")
    client = Client()
    if membership is not None:
        client.force_login(membership.staff.user)
    for label, period in periods.items():

        def criteria(p: Period = period) -> None:
            computed_criteria(team=team, period=p)

        median, worst, queries = timed(criteria)
        print(
            f"computed_criteria, {label} ({period.days:,} days): median {median:.0f} ms, "
            f"worst {worst:.0f} ms, {queries} queries"
        )
        if membership is None or period.days > 366:
            continue  # a review reads a year at most
        query = {"team": str(team.pk), **period_query(period)}
        query = {
            k.replace("start[", "first[").replace("end[", "last["): v for k, v in query.items()
        }

        def page(q: dict[str, str] = query) -> None:
            response = client.get(reverse("reporting:fidelity_new"), q)
            assert response.status_code == 200, response.status_code

        median, worst, queries = timed(page)
        print(
            f"GET reporting:fidelity_new, {label}: median {median:.0f} ms, "
            f"worst {worst:.0f} ms, {queries} queries"
        )


if __name__ == "__main__":
    main()
