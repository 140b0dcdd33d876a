"""Background work for reporting: building a month's national data set export.

Run by the database worker (`make run` starts `db_worker`); the test settings run tasks at once,
inside the request that enqueues them. Progress is saved table by table (outside any transaction
in the worker, so the progress page sees it move). The files and the validation report are saved
only once every table is built, in the same update that marks the export done: an export is never
"done" half-built, and any error marks it failed with the error kept.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from crisis_care.workforce.models import Team

from .mhsds import TABLES, BuiltTable, build_table, month_period
from .models import DataSetExport, ExportStatus
from .period import Period
from .selectors import mhsds as selectors

logger = logging.getLogger(__name__)

# Where each table's facts come from.
FACTS: dict[str, Callable[..., Iterable[Any]]] = {
    "MHS001": selectors.people,
    "MHS002": selectors.people,
    "MHS101": selectors.referrals,
    "MHS102": selectors.referrals,
    "MHS201": selectors.care_contacts,
    "MHS501": selectors.hospital_spells,
}


def _set(export_id: uuid.UUID, **fields: Any) -> None:
    DataSetExport.objects.filter(pk=export_id).update(**fields, updated_at=timezone.now())


def _savepoint_if_nested() -> AbstractContextManager[Any]:
    """In the worker the build runs outside a transaction, so progress is seen as it goes.
    Run at once inside someone else's transaction (the test settings), a savepoint keeps a
    database error in the build from breaking that transaction before the failure is saved."""
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return nullcontext()


def build_tables(*, team: Team, period: Period, export_id: uuid.UUID) -> list[BuiltTable]:
    built: list[BuiltTable] = []
    for n, table in enumerate(TABLES, start=1):
        built.append(build_table(table, FACTS[table.code](team=team, period=period)))
        # Up to 95%: the last step is saving the files.
        _set(export_id, progress=int(95 * n / len(TABLES)))
    return built


@task()
def build_data_set_export(export_id: str) -> str:
    """Build every table of the export and keep the CSV files and the validation report."""
    pk = uuid.UUID(export_id)
    export = DataSetExport.objects.select_related("team").defer("files").get(pk=pk)
    if export.status != ExportStatus.QUEUED:
        return str(export.status)  # already built or building (a repeated task)
    _set(pk, status=ExportStatus.RUNNING, progress=0)
    try:
        with _savepoint_if_nested():
            built = build_tables(team=export.team, period=month_period(export.month), export_id=pk)
            _set(
                pk,
                status=ExportStatus.DONE,
                progress=100,
                files={b.table.filename: b.csv_text for b in built},
                validation={b.table.code: b.report() for b in built},
                error="",
                finished_at=timezone.now(),
            )
    except Exception as error:
        logger.exception("Data set export %s failed", pk)
        _set(
            pk,
            status=ExportStatus.FAILED,
            files={},
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return str(ExportStatus.FAILED)
    return str(ExportStatus.DONE)
