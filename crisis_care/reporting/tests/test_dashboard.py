"""The performance dashboard and the records behind a figure: who may see them (managers and
the IG auditor see figures; names only for clinical roles), another team refused and audited,
the period form, CSV downloads, and a fixed number of queries for few or many records."""

import csv
import datetime as dt
import io
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from markupsafe import escape

from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.reporting.forms import last_full_month, period_query
from crisis_care.reporting.measures import MEASURES
from crisis_care.reporting.period import Period
from crisis_care.workforce.models import Team

from .test_figures_data import Build, london

pytestmark = pytest.mark.django_db

OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture
def manager(staff_user: Callable[..., User]) -> User:
    return staff_user(Role.TEAM_MANAGER)


@pytest.fixture
def auditor(staff_user: Callable[..., User]) -> User:
    return staff_user(Role.IG_AUDITOR)


def _query(team: Team, period: Period = OCTOBER) -> str:
    return urlencode({"team": str(team.pk), **period_query(period)})


def _breach(build: Build, name: str) -> None:
    """A referral in October whose referrer waited 45 minutes, for a named person."""
    given, family = name.split()
    person = build.person(given_name=given, family_name=family)
    at = london(dt.date(2026, 10, 6), 23, 50)
    build.referral(at, person=person, referrer_responded_at=at + dt.timedelta(minutes=45))


def _csv_rows(response: StreamingHttpResponse) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(text)))


def test_the_dashboard_shows_every_figure_with_how_it_is_worked_out(
    signed_in: Callable[[User], Client], manager: User, team: Team, practitioner: User
) -> None:
    _breach(Build(team, practitioner), "Priya Shah")
    response = signed_in(manager).get(f"{reverse('reporting:dashboard')}?{_query(team)}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 October 2026 to 31 October 2026" in html
    for measure in MEASURES:
        assert f'id="figure-{measure.key}"' in html
        assert escape(measure.definition) in html
        assert reverse("reporting:figure", args=[measure.key]) in html
    assert "0 of 1" in html  # referrer responded to within 30 minutes
    assert "Target not met" in html
    assert 'id="by-source"' in html and 'id="by-priority"' in html
    for name in ("reporting:charts", "reporting:fidelity", "reporting:exports"):
        assert reverse(name) in html
    assert "Priya" not in html  # figures only on the dashboard
    event = AuditEvent.objects.get(object_type="reporting.dashboard")
    assert event.actor == manager
    assert event.detail["from"] == "2026-10-01"


def test_the_default_period_is_the_last_full_calendar_month(
    signed_in: Callable[[User], Client], manager: User
) -> None:
    response = signed_in(manager).get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    expected = last_full_month(timezone.localdate())
    assert expected.label() in response.content.decode()
    assert last_full_month(dt.date(2026, 3, 15)) == Period(
        dt.date(2026, 2, 1), dt.date(2026, 2, 28)
    )
    assert last_full_month(dt.date(2027, 1, 1)) == Period(
        dt.date(2026, 12, 1), dt.date(2026, 12, 31)
    )


def test_a_period_ending_before_it_starts_is_an_error_on_the_form(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    query = urlencode(
        {
            "team": str(team.pk),
            **period_query(Period(dt.date(2026, 10, 31), dt.date(2026, 10, 31))),
            "end[day]": "1",
        }
    )
    response = signed_in(manager).get(f"{reverse('reporting:dashboard')}?{query}")
    assert response.status_code == 200
    assert "The date the period ends must be on or after its start" in response.content.decode()
    assert 'id="figures"' not in response.content.decode()


def test_the_ig_auditor_sees_figures_but_no_names(
    signed_in: Callable[[User], Client], auditor: User, team: Team, practitioner: User
) -> None:
    _breach(Build(team, practitioner), "Priya Shah")
    client = signed_in(auditor)
    assert client.get(f"{reverse('reporting:dashboard')}?{_query(team)}").status_code == 200
    url = reverse("reporting:figure", args=["referrer_response_30m"])
    response = client.get(f"{url}?{_query(team)}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Priya" not in html and "Shah" not in html
    assert 'id="no-names"' in html
    assert "1 record: 0 met, 1 not met" in " ".join(html.split())
    rows = _csv_rows(
        client.get(
            f"{reverse('reporting:figure_csv', args=['referrer_response_30m'])}?{_query(team)}"
        )
    )
    assert rows == [["Measure", "Records", "Met", "Not met"], [rows[1][0], "1", "0", "1"]]
    assert not AuditEvent.objects.filter(object_type="reporting.figure", person_id__isnull=False)


def test_a_manager_drills_into_a_breached_figure_and_sees_who(
    signed_in: Callable[[User], Client], manager: User, team: Team, practitioner: User
) -> None:
    build = Build(team, practitioner)
    _breach(build, "Priya Shah")
    met = london(dt.date(2026, 10, 7), 9, 0)
    build.referral(
        met,
        person=build.person(given_name="Tom", family_name="Okafor"),
        referrer_responded_at=met + dt.timedelta(minutes=5),
    )
    url = reverse("reporting:figure", args=["referrer_response_30m"])
    response = signed_in(manager).get(f"{url}?{_query(team)}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Priya Shah") < html.index("Tom Okafor")  # breaches first
    assert "Not met" in html
    assert "50%" in html
    events = AuditEvent.objects.filter(object_type="reporting.figure", action=AuditAction.VIEW)
    assert events.filter(person_id__isnull=False).count() == 2
    rows = _csv_rows(
        signed_in(manager).get(
            f"{reverse('reporting:figure_csv', args=['referrer_response_30m'])}?{_query(team)}"
        )
    )
    assert rows[0][:6] == ["Record", "Record ID", "Person", "NHS number", "When", "Met"]
    assert [r[2] for r in rows[1:]] == ["Priya Shah", "Tom Okafor"]
    assert [r[5] for r in rows[1:]] == ["Not met", "Met"]


def test_the_dashboard_csv(
    signed_in: Callable[[User], Client], manager: User, team: Team, practitioner: User
) -> None:
    _breach(Build(team, practitioner), "Priya Shah")
    response = signed_in(manager).get(f"{reverse('reporting:dashboard_csv')}?{_query(team)}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "figures-llr-crht-2026-10-01-to-2026-10-31.csv" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert len(rows) == len(MEASURES) + 1
    by_key = {r[4]: r for r in rows[1:]}
    assert by_key["referrals"][5:8] == ["1", "", "1.0"]
    assert by_key["referrer_response_30m"][5:10] == ["0", "1", "0.0", "90", "No"]
    assert AuditEvent.objects.filter(object_type="reporting.dashboard", detail__format="csv")


def test_an_unknown_figure_is_not_found(signed_in: Callable[[User], Client], manager: User) -> None:
    assert signed_in(manager).get(reverse("reporting:figure", args=["nonsense"])).status_code == 404


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.REGISTERED_PRACTITIONER])
def test_staff_who_do_not_manage_cannot_see_the_dashboard(
    signed_in: Callable[[User], Client], staff_user: Callable[..., User], team: Team, role: Role
) -> None:
    client = signed_in(staff_user(role))
    assert client.get(reverse("reporting:dashboard")).status_code == 403
    assert client.get(reverse("reporting:dashboard_csv")).status_code == 403
    url = reverse("reporting:figure", args=["referrals"])
    assert client.get(url).status_code == 403


def test_another_teams_figures_are_refused_and_audited(
    signed_in: Callable[[User], Client], manager: User, other_team: Team
) -> None:
    client = signed_in(manager)
    for url in (
        reverse("reporting:dashboard"),
        reverse("reporting:figure", args=["referrals"]),
        reverse("reporting:figure_csv", args=["referrals"]),
    ):
        assert client.get(f"{url}?{_query(other_team)}").status_code == 403
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, object_id=other_team.pk)
    assert refused.count() == 3


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_and_records_read_a_fixed_number_of_queries(
    signed_in: Callable[[User], Client], manager: User, team: Team, practitioner: User
) -> None:
    client = signed_in(manager)
    build = Build(team, practitioner)
    dashboard = f"{reverse('reporting:dashboard')}?{_query(team)}"
    figure = f"{reverse('reporting:figure', args=['referrer_response_30m'])}?{_query(team)}"
    contacts = f"{reverse('reporting:figure', args=['visits_30_minutes'])}?{_query(team)}"

    def add(n: int) -> None:
        for i in range(n):
            at = london(dt.date(2026, 10, 2 + i), 10, 0)
            episode = build.episode(at)
            build.contact(episode, at + dt.timedelta(hours=2))
            build.referral(at, referrer_responded_at=at + dt.timedelta(minutes=40 * (i % 2)))

    add(1)
    few = [_count_queries(client, url) for url in (dashboard, figure, contacts)]
    add(6)
    many = [_count_queries(client, url) for url in (dashboard, figure, contacts)]
    # The record lists write their audit rows in one bulk insert (split every ~60 on SQLite).
    assert many == few
