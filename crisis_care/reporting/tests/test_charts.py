"""The SPC chart pages: every measure's chart for the manager's team with its icons, reading
and data table; weekly or monthly; one measure larger with its CSV; who may see them (managers
and the IG auditor, their own teams only, refusals audited); every view audited; and a fixed
number of queries however many records there are."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.reporting.measures import BY_KEY, MEASURES
from crisis_care.reporting.presenters.charts import Every, default_periods, target_text

pytestmark = pytest.mark.django_db

CHARTS = "/reporting/charts/"


@pytest.fixture
def manager(staff_user):  # type: ignore[no-untyped-def]
    return staff_user(Role.TEAM_MANAGER)


def last_week_monday() -> dt.date:
    return default_periods(Every.WEEK, timezone.localdate())[-1].first


def refer(make_referral, n: int, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    for k in range(n):
        make_referral(received_at=local_instant(day, dt.time(10, k)))


def table_rows(html: str, key: str) -> list[list[str]]:
    """The cells of each body row of a chart's data table, as text."""
    table = re.search(rf'<table class="nhsuk-table" id="{key}-table">(.*?)</table>', html, re.S)
    assert table, f"no table for {key}"
    body = table.group(1).split("<tbody", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_manager_sees_every_measure_weekly(signed_in, manager, team, make_referral) -> None:  # type: ignore[no-untyped-def]
    monday = last_week_monday()
    refer(make_referral, 3, monday + dt.timedelta(days=2))
    response = signed_in(manager).get(CHARTS)
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert "Performance charts" in text
    assert team.name in text
    assert "26 weeks" in text
    for measure in MEASURES:
        assert f'id="chart-{measure.key}"' in html
    # A chart (role img, title and description) and its icons for each measure.
    assert html.count('class="app-spc" role="img"') == len(MEASURES)
    assert html.count('class="app-spc-icon ') >= len(MEASURES)
    assert 'style="' not in html  # CSP: no inline styles
    rows = table_rows(html, "referrals")
    assert len(rows) == 26
    assert rows[-1][:4] == [f"Week from {monday.day} {monday:%B %Y}", "3", "3", ""]
    assert rows[0][1] == "0"
    # Response within 30 minutes has a target: the assurance icon's words are shown.
    assert target_text(BY_KEY["referrer_response_30m"]) in text
    event = AuditEvent.objects.get(object_type="reporting.spc_charts")
    assert (event.actor, event.action, event.object_id) == (manager, AuditAction.VIEW, team.pk)
    assert event.detail["every"] == "week"
    assert event.person_id is None


def test_monthly(signed_in, manager) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(manager).get(CHARTS, {"every": "month"})
    assert response.status_code == 200
    assert "24 months" in page_text(response)
    rows = table_rows(response.content.decode(), "referrals")
    assert len(rows) == 24
    last = default_periods(Every.MONTH, timezone.localdate())[-1].first
    assert rows[-1][0] == f"{last:%B %Y}"
    assert AuditEvent.objects.get(object_type="reporting.spc_charts").detail["every"] == "month"


def test_ig_auditor_may_see_charts(signed_in, staff_user) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(staff_user(Role.IG_AUDITOR)).get(CHARTS).status_code == 200


def test_practitioner_refused(signed_in, practitioner) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(practitioner)
    assert client.get(CHARTS).status_code == 403
    assert client.get(f"{CHARTS}referrals/").status_code == 403


def test_other_team_refused_and_audited(signed_in, manager, other_team) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(manager)
    for url in (CHARTS, f"{CHARTS}referrals/"):
        assert client.get(url, {"team": str(other_team.pk)}).status_code == 403
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, object_id=other_team.pk)
    assert refused.count() == 2
    assert not AuditEvent.objects.filter(object_type="reporting.spc_charts").exists()


def test_one_measure_larger_with_csv(signed_in, manager, team, make_referral) -> None:  # type: ignore[no-untyped-def]
    monday = last_week_monday()
    refer(make_referral, 2, monday)
    client = signed_in(manager)
    response = client.get(f"{CHARTS}referrals/", {"team": str(team.pk)})
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert "Referrals received" in text
    assert 'viewBox="0 0 960 420"' in html
    assert table_rows(html, "referrals")[-1][1] == "2"
    link = re.search(r'href="([^"]*format=csv)"', html)
    assert link
    download = client.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    assert "spc-referrals-" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Period start", "Period end", "Value"]
    assert len(rows) == 27
    assert rows[-1][:5] == [
        monday.isoformat(),
        (monday + dt.timedelta(days=6)).isoformat(),
        "2",
        "2",
        "",
    ]
    assert rows[1][2] == "0"
    details = [
        e.detail
        for e in AuditEvent.objects.filter(object_type="reporting.spc_charts").order_by(
            "occurred_at"
        )
    ]
    assert [d.get("measure") for d in details] == ["referrals", "referrals"]
    assert [d.get("format") for d in details] == [None, "csv"]


def test_proportion_chart_shows_percentages(signed_in, manager) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(manager).get(f"{CHARTS}contacts_at_home/")
    assert response.status_code == 200
    text = page_text(response)
    assert target_text(BY_KEY["contacts_at_home"]).startswith("Target: at least ")
    assert target_text(BY_KEY["contacts_at_home"]) in text
    # Nothing to count in any week: no value, no limits.
    assert "Not enough data for process limits" in text
    assert table_rows(response.content.decode(), "contacts_at_home")[0][1] == "No value"


def test_unknown_measure_is_404(signed_in, manager) -> None:  # type: ignore[no-untyped-def]
    assert signed_in(manager).get(f"{CHARTS}no_such_thing/").status_code == 404


def test_fixed_number_of_queries(signed_in, manager, make_referral) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(manager)
    client.get(CHARTS)  # warm up (session, caches)
    monday = last_week_monday()
    refer(make_referral, 1, monday)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CHARTS).status_code == 200
    for weeks_ago in range(1, 6):
        refer(make_referral, 2, monday - dt.timedelta(weeks=weeks_ago))
    with CaptureQueriesContext(connection) as many:
        assert client.get(CHARTS).status_code == 200
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as monthly:
        assert client.get(CHARTS, {"every": "month"}).status_code == 200
    assert len(monthly) == len(few)


def test_chosen_range(signed_in, manager, team, make_referral) -> None:  # type: ignore[no-untyped-def]
    default = default_periods(Every.WEEK, timezone.localdate())
    ending = default[-1].last - dt.timedelta(weeks=4)
    refer(make_referral, 2, ending)  # a Sunday: counted in the week ending that day
    response = signed_in(manager).get(
        CHARTS, {"team": str(team.pk), "periods": "13", "ending": ending.isoformat()}
    )
    assert response.status_code == 200
    assert "13 weeks" in page_text(response)
    rows = table_rows(response.content.decode(), "referrals")
    assert len(rows) == 13
    assert rows[-1][1] == "2"
    html = response.content.decode()
    # Links to one chart keep the range; the monthly link starts from its default.
    assert f"periods=13&amp;ending={ending.isoformat()}" in html
    assert re.search(r'id="other-every"', html)
    detail = AuditEvent.objects.get(object_type="reporting.spc_charts").detail
    assert detail["to"] == ending.isoformat()
