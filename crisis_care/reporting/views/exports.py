"""The national data set export (MHSDS-shaped CSV files for a month), built in the background.

- `reporting:exports`: choose a month (the last 24) and ask for an export; earlier exports with
  their status.
- `reporting:export_detail`: status and progress (a Refresh link without JS; with JS the
  external script polls `export_status` every 2 seconds), the validation report, downloads.
- `reporting:export_status`: JSON {status, label, progress, finished} for the script.
- `reporting:export_download`: one table's CSV (or `validation.csv`, the validation report), as
  an attachment.

Team managers only (ReportingAction.EXPORT_DATA_SET): the files carry NHS numbers. Their own
teams only: another team's export is an audited 403. Every page and every download is audited
(one row per download, with the table and the number of rows); the detail page also writes a
row per person named in the validation problems it shows. The progress poll is not audited: it
shows nothing about anyone.
"""

import csv
import io
import uuid
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_list_view, audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.workforce.models import Team

from ..mhsds import BY_CODE
from ..models import DataSetExport, ExportStatus
from ..presenters import exports as p
from ..rules import ReportingAction
from ..selectors import mhsds as selectors
from ..selectors.teams import teams_for_reports
from ..services import exports as services
from .common import require, team_for, user_of

SECTION = services.SECTION


class MonthForm(forms.Form):
    month = forms.ChoiceField(
        label="Month",
        help_text="Records received, open or seen in this month (London time).",
        error_messages={"required": "Choose the month to export."},
    )

    def __init__(self, *args: Any, months: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = months  # type: ignore[attr-defined]
        self.fields["month"].error_messages["invalid_choice"] = (
            "Choose a month from the list: the last 24 months."
        )


def _months_form(data: Any = None) -> MonthForm:
    months = services.months_offered(timezone.localdate())
    initial = {"month": p.month_value(months[1] if len(months) > 1 else months[0])}
    return MonthForm(data, months=p.month_choices(months), initial=initial)


def _open(request: HttpRequest) -> tuple[User, Team]:
    user = user_of(request)
    require(user, ReportingAction.EXPORT_DATA_SET)
    wanted = request.POST.get("team") if request.method == "POST" else request.GET.get("team")
    return user, team_for(user, wanted)


def _export_or_refuse(user: User, pk: uuid.UUID, *, with_files: bool = False) -> DataSetExport:
    require(user, ReportingAction.EXPORT_DATA_SET)
    export = selectors.export_by_pk(pk=pk, with_files=with_files)
    if export is None:
        raise Http404("No such export")
    if export.team_id not in {t.pk for t in teams_for_reports(user=user)}:
        audit_record(actor=user, action=AuditAction.ACCESS_DENIED, obj=export, section=SECTION)
        raise PermissionDenied("You can only see exports for your own teams.")
    return export


@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    user, team = _open(request)
    form = _months_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        month = p.parse_month(form.cleaned_data["month"])
        try:
            if month is None:
                raise ValidationError({"month": "Choose a month from the list."})
            export = services.request_export(team=team, month=month, by=user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("reporting:export_detail", pk=export.pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="workforce.Team",
        object_id=team.pk,
        section=SECTION,
        detail={"page": "exports"},
    )
    return render(
        request,
        "reporting/exports/index.jinja",
        {
            "title": "National data set export",
            "team": team,
            "teams": teams_for_reports(user=user),
            "form": form,
            "has_errors": bool(form.errors),
            "rows": p.export_rows(selectors.exports_for_team(team=team)),
        },
    )


@require_http_methods(["GET"])
def export_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    export = _export_or_refuse(user, pk)
    validation = export.validation or {}
    audit_list_view(
        actor=user,
        object_type="reporting.DataSetExport",
        object_id=export.pk,
        section=SECTION,
        person_ids=p.people_shown(validation),
        detail={"page": "export", "status": export.status},
    )
    finished = p.is_finished(export.status)
    return render(
        request,
        "reporting/exports/detail.jinja",
        {
            "title": f"National data set export: {p.month_label(export.month)}",
            "back_link": {
                "href": f"{reverse('reporting:exports')}?team={export.team_id}",
                "text": "Back to data set exports",
            },
            "export": export,
            "month": p.month_label(export.month),
            "status": p.status_label(export.status),
            "tag": p.STATUS_TAG[export.status],
            "finished": finished,
            "done": export.status == ExportStatus.DONE,
            "failed": export.status == ExportStatus.FAILED,
            "requested": p.export_rows([export])[0].requested,
            "tables": p.table_rows(export),
            "groups": p.problem_groups(validation),
            "problem_total": p.problem_total(validation),
            "validation_href": reverse("reporting:export_download", args=[export.pk, p.VALIDATION]),
            "status_href": reverse("reporting:export_status", args=[export.pk]),
        },
    )


@require_http_methods(["GET"])
def export_status(request: HttpRequest, pk: uuid.UUID) -> JsonResponse:
    user = user_of(request)
    require(user, ReportingAction.EXPORT_DATA_SET)
    row = selectors.export_status(pk=pk)
    if row is None:
        raise Http404("No such export")
    if row["team_id"] not in {t.pk for t in teams_for_reports(user=user)}:
        _export_or_refuse(user, pk)  # audits the refusal and raises
    response = JsonResponse(p.status_json(row))
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET"])
def export_download(request: HttpRequest, pk: uuid.UUID, table: str) -> HttpResponse:
    user = user_of(request)
    export = _export_or_refuse(user, pk, with_files=True)
    if export.status != ExportStatus.DONE:
        raise Http404("The export is not ready")
    if table == p.VALIDATION:
        out = io.StringIO()
        csv.writer(out).writerows(p.validation_csv_rows(export.validation or {}))
        text = "\ufeff" + out.getvalue()  # so spreadsheets read it as UTF-8
        rows = p.problem_total(export.validation or {})
    elif table in BY_CODE and BY_CODE[table].filename in (export.files or {}):
        text = export.files[BY_CODE[table].filename]
        rows = int((export.validation or {}).get(table, {}).get("rows", 0))
    else:
        raise Http404("No such table")
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=export,
        section=SECTION,
        detail={"table": table, "rows": rows, "format": "csv"},
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{p.filename(export, table)}"'
    response["Cache-Control"] = "no-store, private"
    return response


urlpatterns: list[URLPattern] = [
    path("data-set/", exports, name="exports"),
    path("data-set/<uuid:pk>/", export_detail, name="export_detail"),
    path("data-set/<uuid:pk>/<str:table>.csv", export_download, name="export_download"),
    path("data-set/<uuid:pk>/status.json", export_status, name="export_status"),
]
