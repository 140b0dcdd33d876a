"""`manage.py load_onspd FILE.csv`: load full postcodes and their local authorities from the
ONS Postcode Directory (ONSPD) CSV, so eligibility is settled by full postcode.

Reads the standard ONSPD columns `pcds` (postcode with a space), `oslaua` (local authority
district) and `doterm` (date terminated, empty if live). Other columns are ignored, so the
full national file or an extract for the region both work. Loads in batches and replaces
rows for postcodes already present.
"""

import csv
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from crisis_care.people.validators import normalise_postcode
from crisis_care.referrals.models import PostcodeLocalAuthority

BATCH = 5000


class Command(BaseCommand):
    help = "Load postcode to local authority from an ONS Postcode Directory CSV file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--prefix",
            action="append",
            default=[],
            help="only load postcodes starting with this (e.g. --prefix LE --prefix DE7); repeatable",
        )

    def handle(self, *args: Any, path: Path, prefix: list[str], **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        prefixes = tuple(p.upper() for p in prefix)
        loaded = 0
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"pcds", "oslaua"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(
                    f"Not an ONSPD file: missing column(s) {', '.join(sorted(missing))}"
                )
            batch: list[PostcodeLocalAuthority] = []
            for row in reader:
                postcode = normalise_postcode(row["pcds"])
                if prefixes and not postcode.startswith(prefixes):
                    continue
                batch.append(
                    PostcodeLocalAuthority(
                        postcode=postcode,
                        local_authority_code=row["oslaua"].strip(),
                        terminated=bool((row.get("doterm") or "").strip()),
                    )
                )
                if len(batch) >= BATCH:
                    loaded += self._save(batch)
                    batch = []
            loaded += self._save(batch)
        self.stdout.write(self.style.SUCCESS(f"Loaded {loaded} postcodes from {path.name}"))

    @staticmethod
    @transaction.atomic
    def _save(batch: list[PostcodeLocalAuthority]) -> int:
        if not batch:
            return 0
        PostcodeLocalAuthority.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["local_authority_code", "terminated"],
        )
        return len(batch)
