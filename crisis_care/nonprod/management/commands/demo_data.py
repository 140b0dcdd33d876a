"""`python manage.py demo_data`: fill an empty database with the synthetic demo service.

Does nothing if any user exists, so it is safe to run on every `make run`.
"""

import os
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from crisis_care.core.presenters import format_nhs_number
from crisis_care.nonprod.demo import (
    DEFAULT_PASSWORD,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    DemoLogin,
    build_demo_data,
    database_is_empty,
    existing_demo_logins,
)
from crisis_care.nonprod.discharge_demo import build_discharge_demo
from crisis_care.nonprod.referrals_demo import DEFAULT_REFERRAL_DAYS
from crisis_care.nonprod.treatment_demo import DEFAULT_VISIT_DAYS

ALREADY_LOADED = "Database already has data; demo data not loaded"


class Command(BaseCommand):
    help = (
        "Load synthetic demo data (staff, rota, people, contacts, referrals, assessments, home "
        "treatment) into an empty database."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)"
        )
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help="number of service users (default %(default)s)",
        )
        parser.add_argument(
            "--referral-days",
            type=int,
            default=DEFAULT_REFERRAL_DAYS,
            help="days of referral history, ending in today's triage queue; 0 for none "
            "(default %(default)s)",
        )
        parser.add_argument(
            "--visit-days",
            type=int,
            default=DEFAULT_VISIT_DAYS,
            help="days of home treatment visits and contacts (older episodes keep their care "
            "plans but no visits); 0 for today's only (default %(default)s)",
        )

    def handle(
        self,
        *args: Any,
        seed: int,
        people: int,
        referral_days: int,
        visit_days: int,
        **options: Any,
    ) -> None:
        if people < 0:
            raise CommandError("--people must be 0 or more.")
        if referral_days < 0:
            raise CommandError("--referral-days must be 0 or more.")
        if visit_days < 0:
            raise CommandError("--visit-days must be 0 or more.")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not database_is_empty():
            self.stdout.write(ALREADY_LOADED)
            self._print_logins(existing_demo_logins(), password)
            return
        started = time.perf_counter()
        # DEBUG's SQL log formats every bulk insert's parameters (about a tenth of the time on
        # SQLite) for nobody to read: the demo's queries are not logged.
        now = timezone.now()
        with override_settings(DEBUG=False), transaction.atomic():
            summary = build_demo_data(
                seed=seed,
                people=people,
                password=password,
                now=now,
                referral_days=referral_days,
                visit_days=visit_days,
            )
            # Discharges, aftercare, follow-ups and feedback for the episodes just built.
            summary.counts |= build_discharge_demo(now=now, seed=seed)
        elapsed = time.perf_counter() - started

        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f}s (seed {seed}): ")
            + ", ".join(f"{n} {what}" for what, n in summary.counts.items())
        )
        self._print_logins(summary.logins, password)
        if summary.try_people:
            self.stdout.write("")
            self.stdout.write("Try finding:")
            for tried in summary.try_people:
                person = tried.person
                born = f"{person.date_of_birth.day} {person.date_of_birth:%B %Y}"
                self.stdout.write(
                    f"  {person.full_name}, NHS number {format_nhs_number(person.nhs_number)}, "
                    f"born {born}: {tried.hint}"
                )

    def _print_logins(self, logins: list[DemoLogin], password: str) -> None:
        if not logins:
            return
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        rows = [("Username", "Role", "Team")] + [(x.username, x.role, x.team) for x in logins]
        widths = [max(len(row[col]) for row in rows) for col in range(2)]
        for username, role, team in rows:
            self.stdout.write(f"  {username:<{widths[0]}}  {role:<{widths[1]}}  {team}")
        source = "from DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else "set DEMO_PASSWORD"
        self.stdout.write(f"Password for all demo logins: {password} ({source} to change it)")
