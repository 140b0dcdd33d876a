"""What the national data set export pages show: the months offered, the list of exports, an
export's status and progress, its tables with row and problem counts, and the validation
report (on screen and as CSV)."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from crisis_care.core.presenters import datetime_long

from ..mhsds import TABLES
from ..models import DataSetExport, ExportStatus

# Problems shown on the page per table; the validation report CSV has them all.
PROBLEMS_SHOWN = 100
VALIDATION = "validation"

STATUS_TAG: dict[str, str] = {
    ExportStatus.QUEUED: "nhsuk-tag--grey",
    ExportStatus.RUNNING: "nhsuk-tag--blue",
    ExportStatus.DONE: "nhsuk-tag--green",
    ExportStatus.FAILED: "nhsuk-tag--red",
}


def month_label(month: dt.date) -> str:
    return f"{month:%B %Y}"


def month_value(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def month_choices(months: list[dt.date]) -> list[tuple[str, str]]:
    return [(month_value(m), month_label(m)) for m in months]


def parse_month(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


def status_label(status: str) -> str:
    return str(ExportStatus(status).label)


def is_finished(status: str) -> bool:
    return status in (ExportStatus.DONE, ExportStatus.FAILED)


@dataclass(frozen=True)
class ExportRow:
    month: str
    status: str
    tag: str
    requested: str
    href: str


def export_rows(exports: list[DataSetExport]) -> list[ExportRow]:
    return [
        ExportRow(
            month=month_label(e.month),
            status=status_label(e.status),
            tag=STATUS_TAG[e.status],
            requested=f"{datetime_long(e.requested_at)} by {e.requested_by}",
            href=reverse("reporting:export_detail", args=[e.pk]),
        )
        for e in exports
    ]


@dataclass(frozen=True)
class TableRow:
    code: str
    title: str
    rows: int
    problems: int
    href: str | None


def table_rows(export: DataSetExport) -> list[TableRow]:
    done = export.status == ExportStatus.DONE
    out = []
    for table in TABLES:
        report = (export.validation or {}).get(table.code, {})
        out.append(
            TableRow(
                code=table.code,
                title=table.title,
                rows=int(report.get("rows", 0)),
                problems=len(report.get("problems", [])),
                href=reverse("reporting:export_download", args=[export.pk, table.code])
                if done
                else None,
            )
        )
    return out


@dataclass(frozen=True)
class ProblemGroup:
    code: str
    title: str
    total: int
    shown: list[dict[str, str]]

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def problem_groups(validation: dict[str, Any]) -> list[ProblemGroup]:
    groups = []
    for table in TABLES:
        problems = (validation or {}).get(table.code, {}).get("problems", [])
        if problems:
            groups.append(
                ProblemGroup(table.code, table.title, len(problems), problems[:PROBLEMS_SHOWN])
            )
    return groups


def problem_total(validation: dict[str, Any]) -> int:
    return sum(len(v.get("problems", [])) for v in (validation or {}).values())


def people_shown(validation: dict[str, Any]) -> list[str]:
    """The people named in the problems shown on the page (for the audit of the page)."""
    return [
        p["person_id"]
        for group in problem_groups(validation)
        for p in group.shown
        if p.get("person_id")
    ]


def validation_csv_rows(validation: dict[str, Any]) -> Iterator[list[str]]:
    yield ["Table", "Field", "Record", "Problem"]
    for table in TABLES:
        for p in (validation or {}).get(table.code, {}).get("problems", []):
            yield [table.code, p["field"], p["record"], p["message"]]


def filename(export: DataSetExport, table: str) -> str:
    return f"{export.team.code}-{export.month:%Y-%m}-{table}.csv"


def status_json(row: dict[str, Any]) -> dict[str, Any]:
    status = str(row["status"])
    return {
        "status": status,
        "label": status_label(status),
        "progress": int(row["progress"]),
        "finished": is_finished(status),
    }
