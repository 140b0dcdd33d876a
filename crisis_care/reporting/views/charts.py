"""SPC charts in the Making Data Count style: every measure's weekly or monthly series for a
team (`reporting:charts`), and one measure larger with its CSV (`reporting:chart`).

For managers and the IG auditor (ReportingAction.VIEW_FIGURES), for their own teams only
(another team is an audited 403). Aggregate figures only, no person shown; every view and
download is audited. The figures come from `selectors.figures.values()` in a fixed number of
queries, however many periods or records."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import Team

from ..measures import BY_KEY, MEASURES, Measure
from ..period import Period
from ..presenters import charts as p
from ..rules import ReportingAction
from ..selectors import figures
from ..selectors.teams import teams_for_reports
from .common import require, team_for, user_of

SECTION = "reporting"


def _series(
    team: Team, periods: list[Period], keys: Iterable[str]
) -> dict[str, Sequence[p.ValueLike]]:
    return dict(figures.values(team=team, periods=periods, keys=list(keys)))


def _audit(user: User, team: Team, chosen: p.Range, **detail: str) -> None:
    periods = chosen.periods()
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="reporting.spc_charts",
        object_id=team.pk,
        section=SECTION,
        detail={
            "every": chosen.every.value,
            "from": periods[0].first.isoformat(),
            "to": periods[-1].last.isoformat(),
            **detail,
        },
    )


def _open(request: HttpRequest) -> tuple[User, Team, p.Range]:
    user = user_of(request)
    require(user, ReportingAction.VIEW_FIGURES)
    team = team_for(user, request.GET.get("team"))
    chosen = p.chosen_range(
        request.GET.get("every"),
        request.GET.get("periods"),
        request.GET.get("ending"),
        timezone.localdate(),
    )
    return user, team, chosen


def _views(
    team: Team, chosen: p.Range, measures: Sequence[Measure], large: bool
) -> list[p.ChartView]:
    periods = chosen.periods()
    series = _series(team, periods, [m.key for m in measures])
    return [
        p.chart_view(
            measure=m,
            series=series[m.key],
            periods=periods,
            every=chosen.every,
            query=chosen.query(team.pk),
            large=large,
        )
        for m in measures
        if m.key in series
    ]


def _context(user: User, team: Team, chosen: p.Range) -> dict[str, Any]:
    teams = teams_for_reports(user=user)
    other = p.Every.MONTH if chosen.every == p.Every.WEEK else p.Every.WEEK
    return {
        "team": team,
        "other_teams": [t for t in teams if t.pk != team.pk],
        "chosen": chosen,
        "every": chosen.every,
        "other_every": other,
        # Switching weekly/monthly starts from that series' default range.
        "other_every_query": p.Range(other, p.COUNTS[other][1], chosen.latest, chosen.latest).query(
            team.pk
        ),
        "range_text": p.range_text(chosen.periods(), chosen.every),
    }


@require_http_methods(["GET"])
def charts(request: HttpRequest) -> HttpResponse:
    user, team, chosen = _open(request)
    views = _views(team, chosen, MEASURES, large=False)
    _audit(user, team, chosen)
    return render(
        request,
        "reporting/charts/charts.jinja",
        {"title": "Performance charts", "charts": views, **_context(user, team, chosen)},
    )


@require_http_methods(["GET"])
def chart(request: HttpRequest, key: str) -> HttpResponse:
    measure = BY_KEY.get(key)
    if measure is None:
        raise Http404("No such measure")
    user, team, chosen = _open(request)
    views = _views(team, chosen, [measure], large=True)
    if not views:
        raise Http404("No figures for this measure")
    view = views[0]
    periods = chosen.periods()
    if request.GET.get("format") == "csv":
        _audit(user, team, chosen, measure=key, format="csv")
        out = io.StringIO()
        out.write("\ufeff")  # so spreadsheets read the file as UTF-8
        csv.writer(out).writerows(p.csv_rows(view, periods))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        filename = p.csv_filename(measure, team.code, periods, chosen.every)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store, private"
        return response
    _audit(user, team, chosen, measure=key)
    return render(
        request,
        "reporting/charts/chart.jinja",
        {"title": measure.title, "view": view, **_context(user, team, chosen)},
    )


urlpatterns: list[URLPattern] = [
    path("charts/", charts, name="charts"),
    path("charts/<str:key>/", chart, name="chart"),
]
