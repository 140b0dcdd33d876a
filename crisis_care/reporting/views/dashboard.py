"""The performance dashboard: every figure for a team and period, how each is worked out, and
the records behind each one (names and NHS numbers only for those who may see records; the
IG auditor sees the counts). Every page and download is audited; the record lists write a row
for each person shown."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_list_view, audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import Team

from ..forms import PeriodForm, chosen_period, last_full_month, period_form, period_query
from ..measures import BY_KEY, Measure
from ..period import Period
from ..presenters import dashboard as p
from ..rules import ReportingAction, role_may
from ..selectors import figures
from ..selectors.teams import teams_for_reports
from .common import require, team_for, user_of

SECTION = "reporting"


def _open(request: HttpRequest) -> tuple[User, Team, list[Team], PeriodForm, Period | None]:
    user = user_of(request)
    require(user, ReportingAction.VIEW_FIGURES)
    team = team_for(user, request.GET.get("team"))
    form = period_form(request.GET, last_full_month(timezone.localdate()))
    return user, team, teams_for_reports(user=user), form, chosen_period(form)


def _audit(user: User, team: Team, period: Period | None, what: str, **detail: str) -> None:
    if period is not None:
        detail |= {"from": period.first.isoformat(), "to": period.last.isoformat()}
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type=f"reporting.{what}",
        object_id=team.pk,
        section=SECTION,
        detail=detail,
    )


def _query(team: Team, period: Period) -> str:
    return urlencode({"team": str(team.pk), **period_query(period)})


def _measure(key: str) -> Measure:
    try:
        return BY_KEY[key]
    except KeyError:
        raise Http404("No such figure") from None


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _csv(rows: Iterable[list[str]], filename: str) -> StreamingHttpResponse:
    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # so spreadsheets read the file as UTF-8
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    user, team, teams, form, period = _open(request)
    context: dict[str, Any] = {
        "title": "Performance",
        "team": team,
        "teams": teams,
        "form": form,
        "has_errors": bool(form.errors),
        "p": p,
    }
    if period is not None:
        values = figures.values(team=team, periods=[period])
        context |= {
            "period": period,
            "rows": p.figure_rows(values),
            "breakdown": figures.referral_breakdown(team=team, period=period),
            "query": _query(team, period),
        }
        _audit(user, team, period, "dashboard")
    else:
        _audit(user, team, None, "dashboard", outcome="period not valid")
    return render(request, "reporting/dashboard/page.jinja", context)


@require_http_methods(["GET"])
def dashboard_csv(request: HttpRequest) -> HttpResponseBase:
    user, team, _teams, _form, period = _open(request)
    if period is None:
        return redirect(f"{reverse('reporting:dashboard')}?{request.GET.urlencode()}")
    rows = p.figure_rows(figures.values(team=team, periods=[period]))
    _audit(user, team, period, "dashboard", format="csv")
    return _csv(p.dashboard_csv_rows(team, period, rows), p.csv_filename(team, period, "figures"))


def _records(
    request: HttpRequest, key: str
) -> tuple[User, Team, list[Team], PeriodForm, Period | None, Measure, bool]:
    measure = _measure(key)
    user, team, teams, form, period = _open(request)
    return (
        user,
        team,
        teams,
        form,
        period,
        measure,
        role_may(user.role, ReportingAction.VIEW_RECORDS),
    )


def _audit_records(
    user: User,
    team: Team,
    period: Period,
    measure: Measure,
    rows: list[figures.RecordRow],
    with_names: bool,
    **detail: str,
) -> None:
    """A list showing people writes a row per person; counts alone, one row."""
    if with_names:
        audit_list_view(
            actor=user,
            object_type="reporting.figure",
            object_id=team.pk,
            section=SECTION,
            person_ids=[r.person_id for r in rows if r.person_id is not None],
            detail={
                "measure": measure.key,
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                **detail,
            },
        )
    else:
        _audit(user, team, period, "figure", measure=measure.key, names="no", **detail)


@require_http_methods(["GET"])
def figure(request: HttpRequest, key: str) -> HttpResponse:
    user, team, teams, form, period, measure, with_names = _records(request, key)
    context: dict[str, Any] = {
        "title": measure.title,
        "measure": measure,
        "team": team,
        "teams": teams,
        "form": form,
        "has_errors": bool(form.errors),
        "with_names": with_names,
        "p": p,
        "back_link": {"href": reverse("reporting:dashboard"), "text": "Back to performance"},
    }
    if period is None:
        _audit(user, team, None, "figure", measure=measure.key, outcome="period not valid")
        return render(request, "reporting/dashboard/figure.jinja", context)
    value = figures.values(team=team, periods=[period], keys=[measure.key])[measure.key][0]
    rows = figures.records(key=measure.key, team=team, period=period)
    query = _query(team, period)
    context |= {
        "period": period,
        "figure": p.figure_row(measure, value),
        "counts": p.counts(rows),
        "lines": p.record_lines(rows) if with_names else [],
        "labels": p.fact_labels(rows),
        "query": query,
        "back_link": {
            "href": f"{reverse('reporting:dashboard')}?{query}",
            "text": "Back to performance",
        },
    }
    _audit_records(user, team, period, measure, rows, with_names)
    return render(request, "reporting/dashboard/figure.jinja", context)


@require_http_methods(["GET"])
def figure_csv(request: HttpRequest, key: str) -> HttpResponseBase:
    user, team, _teams, _form, period, measure, with_names = _records(request, key)
    if period is None:
        return redirect(f"{reverse('reporting:figure', args=[key])}?{request.GET.urlencode()}")
    rows = figures.records(key=measure.key, team=team, period=period)
    _audit_records(user, team, period, measure, rows, with_names, format="csv")
    return _csv(
        p.figure_csv_rows(measure, rows, with_names=with_names),
        p.csv_filename(team, period, measure.key.replace("_", "-")),
    )


urlpatterns: list[URLPattern] = [
    path("", dashboard, name="dashboard"),
    path("dashboard.csv", dashboard_csv, name="dashboard_csv"),
    path("figures/<str:key>/", figure, name="figure"),
    path("figures/<str:key>.csv", figure_csv, name="figure_csv"),
]
