"""The national data set export pages and background build: asking for a month, the build's
progress and failure, the validation report, downloads, roles and audit. Tasks run at once in
the tests (ImmediateBackend), inside the request that asks for the export."""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.reporting import tasks
from crisis_care.reporting.mhsds import MHS101, MHS201, TABLES
from crisis_care.reporting.models import DataSetExport, ExportStatus
from crisis_care.reporting.services.exports import months_offered, request_export
from crisis_care.workforce.models import Team

from .test_mhsds_selectors import make_contact, make_episode, make_referral

UTC = dt.UTC


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def in_this_month(day: int = 1, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(this_month(), dt.time(hour), tzinfo=UTC) + dt.timedelta(days=day - 1)


@pytest.fixture
def manager(staff_user: Callable[..., User]) -> User:
    return staff_user(Role.TEAM_MANAGER)


@pytest.fixture
def records(team: Team, manager: User) -> dict[str, Any]:
    """This month: a home treatment episode with two contacts, and a referral for a person with
    no NHS number and no GP practice."""
    episode = make_episode(team, manager, received=in_this_month(1, 8), started=in_this_month(1))
    make_contact(episode, manager, in_this_month(1, 15))
    make_contact(episode, manager, in_this_month(1, 18), medium="02")
    unknown = factories.PersonFactory(nhs_number="", gp_practice=None)
    referral = make_referral(team, manager, received=in_this_month(1, 9), person=unknown)
    return {"episode": episode, "unknown": unknown, "referral": referral}


def export_now(client: Client, team: Team, month: dt.date | None = None) -> DataSetExport:
    response = client.post(
        reverse("reporting:exports"),
        {"team": str(team.pk), "month": f"{month or this_month():%Y-%m}"},
    )
    assert response.status_code == 302
    export = DataSetExport.objects.latest("requested_at")
    assert response["Location"] == reverse("reporting:export_detail", args=[export.pk])
    return export


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# -- Asking for an export and building it ----------------------------------------------------


def test_the_page_offers_the_last_24_months(
    signed_in: Callable[[User], Client], manager: User
) -> None:
    response = signed_in(manager).get(reverse("reporting:exports"))
    assert response.status_code == 200
    html = response.content.decode()
    months = months_offered(timezone.localdate())
    assert len(months) == 24
    assert f'value="{months[0]:%Y-%m}"' in html
    assert f'value="{months[-1]:%Y-%m}"' in html
    earlier = (months[-1] - dt.timedelta(days=1)).replace(day=1)
    assert f'value="{earlier:%Y-%m}"' not in html
    assert "No exports have been built" in html


def test_asking_for_a_month_builds_every_table_in_the_background(
    signed_in: Callable[[User], Client], manager: User, team: Team, records: dict[str, Any]
) -> None:
    export = export_now(signed_in(manager), team)

    assert export.status == ExportStatus.DONE
    assert export.progress == 100
    assert export.finished_at is not None
    assert export.month == this_month()
    assert set(export.files) == {f"{t.code}.csv" for t in TABLES}
    assert export.validation["MHS101"]["rows"] == 2
    assert export.validation["MHS201"]["rows"] == 2
    assert export.validation["MHS001"]["rows"] == 2
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=export.pk)
    assert created.detail == {"team": str(team.pk), "month": this_month().isoformat()}


def test_the_detail_page_shows_files_and_the_validation_report(
    signed_in: Callable[[User], Client], manager: User, team: Team, records: dict[str, Any]
) -> None:
    client = signed_in(manager)
    export = export_now(client, team)

    response = client.get(reverse("reporting:export_detail", args=[export.pk]))

    html = response.content.decode()
    assert "Ready" in html
    assert reverse("reporting:export_download", args=[export.pk, "MHS101"]) in html
    assert reverse("reporting:export_download", args=[export.pk, "validation"]) in html
    assert "The person has no NHS number." in html
    assert "No GP practice is recorded for the person." in html
    assert f"local patient ID {records['unknown'].pk}" in html
    assert "export_progress.js" not in html  # finished: nothing to follow
    # The page lists people with problems, so each is audited as on a list.
    audited = AuditEvent.objects.filter(object_id=export.pk, section="data set export")
    assert audited.filter(person_id=records["unknown"].pk).exists()


def test_a_table_downloads_as_csv_with_the_data_set_field_names(
    signed_in: Callable[[User], Client], manager: User, team: Team, records: dict[str, Any]
) -> None:
    client = signed_in(manager)
    export = export_now(client, team)

    response = client.get(reverse("reporting:export_download", args=[export.pk, "MHS201"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{team.code}-{this_month():%Y-%m}-MHS201.csv"'
    )
    rows = csv_rows(response.content.decode())
    assert rows[0] == list(MHS201.fields)
    assert sorted(r[6] for r in rows[1:]) == ["01", "02"]
    assert {r[8] for r in rows[1:]} == {"5"}
    download = AuditEvent.objects.get(object_id=export.pk, detail__table="MHS201")
    assert download.detail == {"table": "MHS201", "rows": 2, "format": "csv"}
    assert download.actor == manager


def test_the_referrals_file_has_the_priority_source_and_team_type(
    signed_in: Callable[[User], Client], manager: User, team: Team, records: dict[str, Any]
) -> None:
    client = signed_in(manager)
    export = export_now(client, team)
    response = client.get(reverse("reporting:export_download", args=[export.pk, "MHS101"]))
    rows = [
        dict(zip(MHS101.fields, r, strict=True)) for r in csv_rows(response.content.decode())[1:]
    ]
    by_id = {r["UniqServReqID"]: r for r in rows}
    treated = by_id[str(records["episode"].referral_id)]
    assert treated["ClinRespPriorityType"] == "2"
    assert treated["SourceOfReferralMH"] == "A3"
    assert treated["ServTeamType"] == "A02"


def test_the_validation_report_downloads_too(
    signed_in: Callable[[User], Client], manager: User, team: Team, records: dict[str, Any]
) -> None:
    client = signed_in(manager)
    export = export_now(client, team)
    response = client.get(reverse("reporting:export_download", args=[export.pk, "validation"]))
    rows = csv_rows(response.content.decode())
    assert rows[0] == ["Table", "Field", "Record", "Problem"]
    assert ["MHS001", "NHSNumber"] in [r[:2] for r in rows[1:]]
    assert ["MHS002", "GMPCodeReg"] in [r[:2] for r in rows[1:]]


def test_status_json_for_the_progress_script(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    client = signed_in(manager)
    export = export_now(client, team)
    response = client.get(reverse("reporting:export_status", args=[export.pk]))
    assert response.json() == {
        "status": "done",
        "label": "Ready",
        "progress": 100,
        "finished": True,
    }


def test_progress_is_saved_table_by_table(
    team: Team, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int]] = []
    original = dict(tasks.FACTS)

    def watching(code: str) -> Callable[..., Iterator[Any]]:
        def facts(**kwargs: Any) -> Iterator[Any]:
            export = DataSetExport.objects.latest("requested_at")
            seen.append((export.status, export.progress))
            yield from original[code](**kwargs)

        return facts

    for code in original:
        monkeypatch.setitem(tasks.FACTS, code, watching(code))

    export = request_export(team=team, month=this_month(), by=manager)

    assert [s for s, _ in seen] == ["running"] * len(TABLES)
    assert [p for _, p in seen] == [0, 15, 31, 47, 63, 79]
    assert (export.status, export.progress) == ("done", 100)


def test_a_queued_export_shows_progress_and_a_refresh_link(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    export = DataSetExport.objects.create(
        team=team,
        month=this_month(),
        requested_by=manager,
        requested_at=timezone.now(),
        status=ExportStatus.RUNNING,
        progress=40,
    )
    client = signed_in(manager)

    html = client.get(reverse("reporting:export_detail", args=[export.pk])).content.decode()

    assert 'value="40"' in html
    assert "Building" in html
    assert 'id="export-refresh"' in html
    assert "reporting/export_progress.js" in html
    assert reverse("reporting:export_status", args=[export.pk]) in html
    download = reverse("reporting:export_download", args=[export.pk, "MHS101"])
    assert download not in html
    assert client.get(download).status_code == 404


def test_a_failed_build_is_marked_failed_with_no_files(
    signed_in: Callable[[User], Client],
    manager: User,
    team: Team,
    records: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: Any) -> Iterator[Any]:
        raise RuntimeError("the contacts could not be read")
        yield

    monkeypatch.setitem(tasks.FACTS, "MHS201", broken)
    client = signed_in(manager)

    export = export_now(client, team)

    assert export.status == ExportStatus.FAILED
    assert export.files == {}
    assert export.validation == {}
    assert export.error == "RuntimeError: the contacts could not be read"
    assert export.progress < 100
    html = client.get(reverse("reporting:export_detail", args=[export.pk])).content.decode()
    assert "The export could not be built" in html
    assert "the contacts could not be read" in html
    download = reverse("reporting:export_download", args=[export.pk, "MHS101"])
    assert client.get(download).status_code == 404
    status = client.get(reverse("reporting:export_status", args=[export.pk])).json()
    assert status["status"] == "failed" and status["finished"] is True


def test_a_month_outside_the_last_24_is_refused(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    too_old = (this_month() - dt.timedelta(days=800)).replace(day=1)
    response = signed_in(manager).post(
        reverse("reporting:exports"), {"team": str(team.pk), "month": f"{too_old:%Y-%m}"}
    )
    assert response.status_code == 200
    assert "Choose a month from the list" in response.content.decode()
    assert not DataSetExport.objects.exists()


def test_an_unknown_table_is_not_found(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    client = signed_in(manager)
    export = export_now(client, team)
    assert (
        client.get(reverse("reporting:export_download", args=[export.pk, "MHS999"])).status_code
        == 404
    )


def test_earlier_exports_are_listed_in_a_fixed_number_of_queries(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    client = signed_in(manager)
    url = reverse("reporting:exports")

    def make(n: int) -> None:
        for _ in range(n):
            DataSetExport.objects.create(
                team=team, month=this_month(), requested_by=manager, requested_at=timezone.now()
            )

    make(1)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.content.decode().count("Waiting to start") == 1
    make(9)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Waiting to start") == 10
    assert len(few.captured_queries) == len(many.captured_queries)


# -- Roles and teams -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.REGISTERED_PRACTITIONER, Role.IG_AUDITOR, Role.DOCTOR, Role.ADMINISTRATOR]
)
def test_only_team_managers_may_export(
    signed_in: Callable[[User], Client],
    staff_user: Callable[..., User],
    manager: User,
    team: Team,
    role: Role,
) -> None:
    export = request_export(team=team, month=this_month(), by=manager)
    client = signed_in(staff_user(role))
    assert client.get(reverse("reporting:exports")).status_code == 403
    assert (
        client.post(reverse("reporting:exports"), {"month": f"{this_month():%Y-%m}"}).status_code
        == 403
    )
    for name, args in (
        ("reporting:export_detail", [export.pk]),
        ("reporting:export_status", [export.pk]),
        ("reporting:export_download", [export.pk, "MHS101"]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403


def test_another_teams_export_is_refused_and_audited(
    signed_in: Callable[[User], Client],
    staff_user: Callable[..., User],
    other_team: Team,
    manager: User,
) -> None:
    theirs = request_export(
        team=other_team, month=this_month(), by=staff_user(Role.TEAM_MANAGER, other_team)
    )
    client = signed_in(manager)
    for name, args in (
        ("reporting:export_detail", [theirs.pk]),
        ("reporting:export_status", [theirs.pk]),
        ("reporting:export_download", [theirs.pk, "MHS101"]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403
    refusals = AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor=manager, object_id=theirs.pk
    )
    assert refusals.count() == 3
    # Asking for another team's list is refused and audited too.
    response = client.get(reverse("reporting:exports"), {"team": str(other_team.pk)})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor=manager, object_id=other_team.pk
    ).exists()


def test_viewing_the_list_is_audited(
    signed_in: Callable[[User], Client], manager: User, team: Team
) -> None:
    signed_in(manager).get(reverse("reporting:exports"))
    event = AuditEvent.objects.get(actor=manager, action=AuditAction.VIEW, object_id=team.pk)
    assert event.section == "data set export"
