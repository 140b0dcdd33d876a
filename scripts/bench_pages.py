"""Benchmark the person pages at two sizes of register: does page cost grow with data?

Builds a throwaway database (SQLite file in a temp dir, or PostgreSQL when DATABASE_URL
is set: a test_ database is created and dropped), fills it with the demo factories, and
times search by NHS number, search by name and date of birth, the record page and the
access log through Django's test client (the whole request: middleware, queries, Jinja).

Run with `make bench`. Record the figures and this command in docs/benchmarks.md.
"""

import os
import statistics
import sys
import tempfile
import time
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

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "300,30000").split(",")]


def build(size: int, team, user):  # type: ignore[no-untyped-def]
    from crisis_care.nonprod import factories
    from crisis_care.people.models import CareTeamLink, Person

    have = Person.objects.count()
    batch = []
    for _ in range(size - have):
        batch.append(factories.PersonFactory.build(gp_practice=None))
        if len(batch) == 2000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    new = Person.objects.exclude(team_links__team=team)
    from django.utils import timezone

    CareTeamLink.objects.bulk_create(
        CareTeamLink(team=team, person=p, source="bench", opened_at=timezone.now())
        for p in new.iterator()
    )


def measure(
    client: Client, url: str, params: dict[str, str] | None = None
) -> tuple[float, float, int]:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url, params or {})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params or {})
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main() -> None:
    from django.test.utils import get_runner  # noqa: F401

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_db = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from crisis_care.core.roles import Role
        from crisis_care.nonprod import factories
        from crisis_care.people.models import Person

        team = factories.TeamFactory(code="bench")
        staff: Any = factories.StaffMemberFactory(role=Role.TEAM_MANAGER, team=team)
        user = staff.user
        client = Client()
        client.force_login(user)
        print(f"database: {connection.vendor}; rounds per page: {ROUNDS}")
        print(f"{'people':>8}  {'page':<28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for size in SIZES:
            build(size, team, user)
            person = Person.objects.order_by("?").first()
            assert person is not None
            dob = person.date_of_birth
            pages = {
                "search by NHS number": (
                    reverse("people:search"),
                    {"nhs_number": person.nhs_number},
                ),
                "search by name and DOB": (
                    reverse("people:search"),
                    {
                        "family_name": person.family_name,
                        "date_of_birth[day]": str(dob.day),
                        "date_of_birth[month]": str(dob.month),
                        "date_of_birth[year]": str(dob.year),
                    },
                ),
                "person record": (reverse("people:detail", args=[person.pk]), None),
                "access log": (reverse("people:access_log", args=[person.pk]), None),
            }
            for name, (url, params) in pages.items():
                median, p95, queries = measure(client, url, params)
                print(f"{size:>8}  {name:<28} {median:>10.1f} {p95:>8.1f} {queries:>8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        del test_db


if __name__ == "__main__":
    main()
