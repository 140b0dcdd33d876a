"""Asking for a month's national data set export: the export row is saved (and audited), then
the build is handed to the background worker (`tasks.build_data_set_export`)."""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import Team

from ..models import DataSetExport, ExportStatus
from ..tasks import build_data_set_export

logger = logging.getLogger(__name__)

SECTION = "data set export"
MONTHS_OFFERED = 24


def months_offered(today: dt.date) -> list[dt.date]:
    """The first days of this month and the 23 before it, newest first."""
    first = today.replace(day=1)
    out: list[dt.date] = []
    for _ in range(MONTHS_OFFERED):
        out.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out


def request_export(*, team: Team, month: dt.date, by: User) -> DataSetExport:
    """Queue an export of `team`'s records for the month `month` falls in.

    The row is committed before the build is queued (not one atomic block around both) so the
    worker always finds it; if queueing fails the export is marked failed, never left waiting."""
    month = month.replace(day=1)
    if month not in months_offered(timezone.localdate()):
        raise ValidationError(
            {"month": f"Choose a month in the last {MONTHS_OFFERED} months, up to this month."}
        )
    with transaction.atomic():
        export = DataSetExport.objects.create(
            team=team, month=month, requested_by=by, requested_at=timezone.now()
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=export,
            section=SECTION,
            detail={"team": str(team.pk), "month": month.isoformat()},
        )
    try:
        build_data_set_export.enqueue(export_id=str(export.pk))
    except Exception as error:
        logger.exception("Could not queue data set export %s", export.pk)
        DataSetExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED,
            error=f"Could not start the build: {type(error).__name__}",
            finished_at=timezone.now(),
        )
    export.refresh_from_db()
    return export
