"""Fixtures and helpers shared by the test_plans_* modules (the relapse prevention plan and the
written discharge plan): our own directory of crisis services (a crisis line, a café open three
nights a week, Samaritans), referrals on, family with each consent scope, and PDF text.

No tests here: the test_plans_* modules import what they use."""

import datetime as dt
import io
from collections.abc import Callable

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import User
from crisis_care.directory.models import Phone, Service
from crisis_care.directory.tests.factories import (
    PhoneFactory,
    RegularScheduleFactory,
    ServiceFactory,
)
from crisis_care.discharge.models import (
    FollowOnKind,
    OnwardReferral,
    OnwardReferralStatus,
    OnwardReferralStatusChange,
    RelapsePreventionPlan,
)
from crisis_care.discharge.services import plans as services
from crisis_care.nonprod import factories
from crisis_care.people import services as people_services
from crisis_care.people.models import Contact
from crisis_care.treatment.models import Episode

CRISIS_LINE = "0808 800 9999"
CAFE_PHONE = "0116 496 0123"
SAMARITANS = "116 123"
CAFE_NIGHTS = "Open Monday, Wednesday and Friday, 6pm to 11pm"
CMHT = "Charnwood Community Mental Health Team"
WORKER = "Alex Morgan"
WORKER_PHONE = "0116 496 0777"
SIGNS = "I stop answering my phone and stay up all night"
TRIGGERS = "Money worries and the anniversary of Mum's death"
HELPS = "Walking Biscuit by the canal, ringing my sister Jo"
CONTACTS = "Jo first, then Alex at the community team"


@pytest.fixture
def crisis_directory(db: None) -> dict[str, Service]:
    """Our own crisis-help services (the seeded ones stop being listed for the test): a 24/7
    line, a crisis café open Monday, Wednesday and Friday 6pm to 11pm, and Samaritans."""
    Service.objects.filter(is_crisis_help=True).update(is_crisis_help=False)
    line = ServiceFactory(
        name="Test mental health line",
        is_crisis_help=True,
        crisis_help_order=1,
        hours_description="24 hours, every day",
        area="llr",
    )
    PhoneFactory(service=line, number=CRISIS_LINE, description="free, 24 hours")
    cafe = ServiceFactory(name="Test crisis café", is_crisis_help=True, crisis_help_order=2)
    PhoneFactory(service=cafe, number=CAFE_PHONE)
    for day in ("MO", "WE", "FR"):
        RegularScheduleFactory(
            service=cafe, byday=day, opens_at=dt.time(18, 0), closes_at=dt.time(23, 0)
        )
    samaritans = ServiceFactory(
        name="Test Samaritans", is_crisis_help=True, crisis_help_order=3, area="national"
    )
    PhoneFactory(service=samaritans, number=SAMARITANS)
    return {"line": line, "cafe": cafe, "samaritans": samaritans}


@pytest.fixture
def make_referral_on(practitioner: User) -> Callable[..., OnwardReferral]:
    """make_referral_on(episode, name=, status=, worker=, phone=, appointment_in_days=)."""

    def make(
        episode: Episode,
        *,
        name: str = CMHT,
        kind: str = FollowOnKind.CMHT,
        status: str = OnwardReferralStatus.ACCEPTED,
        worker: str = "",
        phone: str = "",
        appointment_in_days: int | None = None,
        place: str = "",
        sent_days_ago: int = 1,
    ) -> OnwardReferral:
        today = timezone.localdate()
        appointment = (
            local_instant(today + dt.timedelta(days=appointment_in_days), dt.time(10, 0))
            if appointment_in_days is not None
            else None
        )
        referral = OnwardReferral.objects.create(
            episode=episode,
            kind=kind,
            service_name=name,
            reason="Ongoing care after the crisis",
            sent_on=today - dt.timedelta(days=sent_days_ago),
            status=status,
            worker_name=worker,
            worker_phone=phone,
            first_appointment_at=appointment,
            first_appointment_place=place,
            recorded_by=practitioner,
            recorded_at=timezone.now(),
        )
        OnwardReferralStatusChange.objects.create(
            referral=referral, status=status, changed_by=practitioner, changed_at=timezone.now()
        )
        return referral

    return make


@pytest.fixture
def cmht(episode: Episode, make_referral_on: Callable[..., OnwardReferral]) -> OnwardReferral:
    """The CMHT has accepted the person: worker, phone and a first appointment in a week."""
    return make_referral_on(
        episode,
        worker=WORKER,
        phone=WORKER_PHONE,
        appointment_in_days=7,
        place="Loughborough Health Centre",
    )


@pytest.fixture
def relapse(episode: Episode, practitioner: User) -> RelapsePreventionPlan:
    return services.relapse_plan_create(
        episode=episode,
        early_warning_signs=SIGNS,
        triggers=TRIGGERS,
        what_helps=HELPS,
        who_to_contact=CONTACTS,
        advance_statement="",
        written_with_person=True,
        by=practitioner,
    )


@pytest.fixture
def make_contact(practitioner: User) -> Callable[..., Contact]:
    """make_contact(episode, scope, name): a family member with that consent (None: no
    decision recorded)."""

    def make(episode: Episode, scope: str | None, name: str) -> Contact:
        contact = factories.ContactFactory(person=episode.person, name=name, relationship="sibling")
        if scope is not None:
            people_services.consent_record(
                contact=contact,
                scope=scope,
                capacity="has",
                review_on=timezone.localdate() + dt.timedelta(days=90),
                note="",
                by=practitioner,
            )
        return Contact.objects.select_related("current_consent").get(pk=contact.pk)

    return make


def change_phone(service: Service, number: str) -> None:
    Phone.objects.filter(service=service).update(number=number)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_pages(content: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


def relapse_url(episode: Episode) -> str:
    return reverse("discharge:relapse_plan", args=[episode.pk])


def relapse_edit_url(episode: Episode) -> str:
    return reverse("discharge:relapse_plan_edit", args=[episode.pk])


def plan_url(episode: Episode, easy_read: bool = False) -> str:
    url = reverse("discharge:discharge_plan", args=[episode.pk])
    return f"{url}?format=easy_read" if easy_read else url


def plan_pdf_url(episode: Episode, easy_read: bool = False) -> str:
    url = reverse("discharge:discharge_plan_pdf", args=[episode.pk])
    return f"{url}?format=easy_read" if easy_read else url


def given_url(episode: Episode) -> str:
    return reverse("discharge:discharge_plan_given", args=[episode.pk])


def card_url(episode: Episode) -> str:
    return reverse("discharge:crisis_card_pdf", args=[episode.pk])


def given_data(on: dt.date | None = None, **overrides: object) -> dict[str, object]:
    on = on or timezone.localdate()
    data: dict[str, object] = {
        "given_on[day]": str(on.day),
        "given_on[month]": str(on.month),
        "given_on[year]": str(on.year),
        "method": "in_person",
        "format": "standard",
        "to_person": "yes",
    }
    data.update(overrides)
    return data
