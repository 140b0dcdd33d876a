"""Import an Open Referral UK (ORUK) services feed into the directory.

    python manage.py import_oruk feed.json [--by USERNAME]

Services, organisations and locations are matched on their ORUK ids, so running the same
feed again updates rather than duplicates. The whole file goes in or none of it does.
"""

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crisis_care.directory import services
from crisis_care.directory.oruk import FeedError


class Command(BaseCommand):
    help = "Import services from an Open Referral UK JSON file into the directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="ORUK JSON: a /services page or a list")
        parser.add_argument("--by", default="", help="Username recorded in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from error
        by = None
        if options["by"]:
            try:
                by = get_user_model().objects.get(username=options["by"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"No user called {options['by']}") from error
        try:
            result = services.oruk_import(data=data, by=by)
        except FeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name}: {result}"))
