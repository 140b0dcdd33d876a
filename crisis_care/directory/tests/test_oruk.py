"""Open Referral UK: importing a feed (upserts by ORUK id) and exporting the directory."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.directory import services
from crisis_care.directory.models import Location, Organization, Service
from crisis_care.directory.oruk import FeedError

pytestmark = pytest.mark.django_db

# ORUK 1.0 style, as local authority directories publish it.
FEED = {
    "total_items": 1,
    "content": [
        {
            "id": "feed-svc-101",
            "name": "Melton carers' drop-in",
            "description": "Tea, advice and a listening ear for unpaid carers.",
            "url": "https://carers.example.org.uk",
            "email": "dropin@carers.example.org.uk",
            "status": "active",
            "organization": {
                "id": "feed-org-7",
                "name": "Synthetic Carers Trust",
                "url": "https://carers.example.org.uk",
            },
            "contacts": [{"id": "c1", "phones": [{"id": "p1", "number": "01664 000111"}]}],
            "eligibilitys": [{"id": "e1", "eligibility": "Unpaid carers"}],
            "regular_schedules": [
                {
                    "id": "s1",
                    "byday": "TU,TH",
                    "opens_at": "10:00:00",
                    "closes_at": "12:30:00",
                    "freq": "WEEKLY",
                }
            ],
            "service_areas": [{"id": "a1", "service_area": "Leicestershire"}],
            "service_at_locations": [
                {
                    "id": "sal1",
                    "location": {
                        "id": "feed-loc-3",
                        "name": "Melton Community Hall",
                        "physical_addresses": [
                            {
                                "id": "pa1",
                                "address_1": "1 Example Street",
                                "city": "Melton Mowbray",
                                "postal_code": "LE13 0ZZ",
                            }
                        ],
                    },
                }
            ],
            "service_taxonomys": [
                {
                    "id": "t1",
                    "taxonomy": {
                        "id": "x",
                        "name": "carer_support",
                        "vocabulary": "crisis-care-directory",
                    },
                },
                {
                    "id": "t2",
                    "taxonomy": {"id": "y", "name": "Carers", "vocabulary": "esdServiceTypes"},
                },
            ],
        }
    ],
}


def imported() -> Service:
    return Service.objects.get(oruk_id="feed-svc-101")


def test_it_imports_a_service_with_its_organisation_phones_hours_place_and_categories():
    result = services.oruk_import(data=FEED, by=None)

    service = imported()
    assert result.created == ["Melton carers' drop-in"]
    assert service.organization.name == "Synthetic Carers Trust"
    assert service.who_it_is_for == "Unpaid carers"
    assert service.area == "leicestershire"
    assert [p.number for p in service.phones.all()] == ["01664 000111"]
    assert sorted((s.byday, s.opens_at.isoformat()) for s in service.schedules.all()) == [
        ("TH", "10:00:00"),
        ("TU", "10:00:00"),
    ]
    assert service.at_locations.get().location.postcode == "LE13 0ZZ"
    assert [t.code for t in service.categories.all()] == ["carer_support"]
    assert AuditEvent.objects.get(object_id=service.pk, action=AuditAction.CREATE).detail == {
        "source": "oruk_import",
        "oruk_id": "feed-svc-101",
    }


def test_importing_the_same_feed_twice_does_not_duplicate_anything():
    services.oruk_import(data=FEED, by=None)
    counts = (Service.objects.count(), Organization.objects.count(), Location.objects.count())

    result = services.oruk_import(data=FEED, by=None)

    assert result.unchanged == ["Melton carers' drop-in"]
    assert (
        Service.objects.count(),
        Organization.objects.count(),
        Location.objects.count(),
    ) == counts
    assert imported().phones.count() == 1
    assert imported().schedules.count() == 2
    assert imported().version == 1


def test_a_changed_phone_number_in_the_feed_updates_the_service(staff_user):
    services.oruk_import(data=FEED, by=None)
    changed = copy.deepcopy(FEED)
    changed["content"][0]["contacts"][0]["phones"][0]["number"] = "01664 000222"
    admin = staff_user(Role.ADMINISTRATOR)

    result = services.oruk_import(data=changed, by=admin)

    service = imported()
    assert result.updated == ["Melton carers' drop-in"]
    assert [p.number for p in service.phones.all()] == ["01664 000222"]
    event = AuditEvent.objects.get(object_id=service.pk, action=AuditAction.UPDATE)
    assert event.actor == admin
    assert event.detail["changed"] == ["phones"]


def test_a_feed_update_keeps_what_the_team_recorded_locally(staff_user):
    services.oruk_import(data=FEED, by=None)
    service = imported()
    services.service_update(
        service=service,
        data={"takes_referrals": True, "referral_how": "Call and ask for the carers' lead."},
        expected_version=service.version,
        by=staff_user(Role.TEAM_MANAGER),
    )
    changed = copy.deepcopy(FEED)
    changed["content"][0]["description"] = "Tea, advice and a listening ear."

    services.oruk_import(data=changed, by=None)

    service = imported()
    assert service.description == "Tea, advice and a listening ear."
    assert service.takes_referrals
    assert service.referral_how == "Call and ask for the carers' lead."
    assert service.version == 3


def test_a_malformed_feed_imports_nothing():
    broken = copy.deepcopy(FEED)
    broken["content"].append({"name": "No id"})

    with pytest.raises(FeedError):
        services.oruk_import(data=broken, by=None)

    assert not Service.objects.filter(oruk_id="feed-svc-101").exists()


def test_the_export_is_an_oruk_services_page_that_imports_back_without_change(
    signed_in, staff_user
):
    client = signed_in(staff_user(Role.SUPPORT_WORKER))
    before = Service.objects.count()

    response = client.get(reverse("directory:export"))

    assert response["Content-Type"] == "application/json"
    page = response.json()
    assert page["total_items"] == before
    samaritans = next(s for s in page["content"] if s["name"] == "Samaritans")
    assert samaritans["contacts"][0]["phones"][0]["number"] == "116 123"
    assert samaritans["schedules"] == [
        {"id": samaritans["schedules"][0]["id"], "description": "24 hours, every day"}
    ]
    assert samaritans["x_crisis_care"]["is_crisis_help"] is True
    crisis_team = next(s for s in page["content"] if s["name"].startswith("Crisis Resolution"))
    assert (
        crisis_team["service_at_locations"][0]["location"]["physical_addresses"][0]["address_1"]
        == "Groby Road"
    )

    result = services.oruk_import(data=page, by=None)

    assert len(result.unchanged) == before
    assert Service.objects.count() == before


def test_the_import_command_reads_a_file_and_says_what_it_did(tmp_path, capsys):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(FEED), encoding="utf-8")

    call_command("import_oruk", str(feed))
    call_command("import_oruk", str(feed))

    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged" in out
    assert "0 created, 0 updated, 1 unchanged" in out
    assert Service.objects.filter(oruk_id="feed-svc-101").count() == 1


def test_the_import_command_refuses_a_file_that_is_not_json(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text("<html>", encoding="utf-8")

    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("import_oruk", str(feed))
