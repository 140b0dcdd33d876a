"""Unit tests for the plan presenters: the café's opening nights in words, who the plan names,
appointments, the format switch, consent for family copies and file names without names."""

import datetime as dt

import pytest
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.directory.models import Phone, RegularSchedule, Service
from crisis_care.discharge.models import DischargeMeeting, OnwardReferral, OnwardReferralStatus
from crisis_care.discharge.presenters import plans as p
from crisis_care.people.models import ConsentRecord, Contact, ShareScope


def _service(hours: str = "", sessions: list[tuple[str, int, int]] | None = None) -> Service:
    """An unsaved service with prefetched-looking phones and schedules."""
    service = Service(name="Café", hours_description=hours)
    schedules = [
        RegularSchedule(service=service, byday=d, opens_at=dt.time(o), closes_at=dt.time(c))
        for d, o, c in sessions or []
    ]
    service._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "schedules": schedules,
        "phones": [Phone(service=service, number="0116 496 0123", description="")],
    }
    return service


def _referral(name: str, worker: str = "", at: dt.datetime | None = None) -> OnwardReferral:
    return OnwardReferral(
        service_name=name,
        kind="cmht",
        status=OnwardReferralStatus.ACCEPTED,
        worker_name=worker,
        worker_phone="",
        first_appointment_at=at,
        first_appointment_place="",
    )


def test_the_cafes_nights_read_as_open_days_and_times() -> None:
    cafe = _service(sessions=[("MO", 18, 23), ("WE", 18, 23), ("FR", 18, 23)])
    assert p.crisis_hours(cafe) == ["Open Monday, Wednesday and Friday, 6pm to 11pm"]


def test_hours_in_words_stay_as_written_and_every_day_reads_naturally() -> None:
    assert p.crisis_hours(_service(hours="24 hours, every day")) == ["24 hours, every day"]
    every_day = _service(sessions=[(d, 9, 17) for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")])
    assert p.crisis_hours(every_day) == ["Open every day, 9am to 5pm"]
    assert p.crisis_hours(_service()) == []


def test_without_directory_crisis_services_the_plan_gives_999_and_111() -> None:
    entries = p.crisis_entries([])
    assert [(e.name, e.phones[0].number) for e in entries] == [
        ("Emergency services", "999"),
        ("NHS 111", "111"),
    ]


def test_the_plan_names_each_follow_on_service_with_its_worker() -> None:
    referrals = [_referral("Charnwood CMHT", "Alex Morgan"), _referral("Hollybank Medical Centre")]
    assert p.follow_on_named(referrals) == (
        "Charnwood CMHT (Alex Morgan) and Hollybank Medical Centre"
    )
    long = [_referral("A very long service name " * 4) for _ in range(5)]
    named = p.follow_on_named(long)
    assert len(named) <= p.FOLLOW_ON_NAMED_LIMIT
    assert named.endswith("…")


@pytest.mark.django_db
def test_appointments_still_to_come_are_listed_soonest_first() -> None:
    now = timezone.now()
    today = timezone.localdate()
    later = _referral("Later", at=local_instant(today + dt.timedelta(days=5), dt.time(10)))
    past = _referral("Past", at=now - dt.timedelta(days=1))
    meeting = DischargeMeeting(
        starts_at=local_instant(today + dt.timedelta(days=2), dt.time(14, 30)), place="Home"
    )

    found = p.appointments([later, past], meeting, now)

    assert [a.what for a in found] == [
        "Your discharge meeting with the crisis team",
        "Your first appointment with Later",
    ]
    assert found[0].when.endswith("at 2:30pm")


def test_only_easy_read_is_a_different_format() -> None:
    assert p.plan_format("easy_read") == "easy_read"
    assert p.plan_format(None) == "standard"
    assert p.plan_format("large") == "standard"


def test_file_names_and_titles_carry_no_personal_details() -> None:
    day = dt.date(2026, 3, 3)
    assert p.pdf_filename(day, "standard") == "discharge-plan-2026-03-03.pdf"
    assert p.pdf_filename(day, "easy_read") == "discharge-plan-easy-read-2026-03-03.pdf"
    assert p.pdf_title("Crisis team", day, "easy_read") == (
        "Your plan after the crisis team (Easy Read), Crisis team, 3 March 2026"
    )
    assert p.card_pdf_filename() == "how-to-get-help-in-a-crisis.pdf"


@pytest.mark.parametrize(
    ("scope", "plan", "card"),
    [
        (ShareScope.CARE_PLAN, True, True),
        (ShareScope.GENERAL, False, True),
        (ShareScope.NOTHING, False, False),
        (None, False, False),
    ],
)
def test_consent_decides_which_copy_family_may_have(
    scope: str | None, plan: bool, card: bool
) -> None:
    contact = Contact(name="Jo", relationship="sibling")
    contact.current_consent = ConsentRecord(scope=scope) if scope else None
    assert (p.may_have_plan(contact), p.may_have_card(contact)) == (plan, card)


def test_the_teams_number_is_added_unless_the_directory_already_lists_it() -> None:
    listed = p.crisis_entries([_service()])  # its phone is 0116 496 0123
    assert p.team_phone("0116 4960123", listed) is None
    line = p.team_phone("0300 300 1010", listed)
    assert line is not None
    assert (line.number, line.href) == ("0300 300 1010", "tel:03003001010")
    assert p.team_phone("  ", listed) is None
