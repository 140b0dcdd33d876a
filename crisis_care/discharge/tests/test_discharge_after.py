"""After the discharge: addendums (the record stays as it was; later facts are added, never
changed) and re-referral (a new referral for the same person and team, through the referrals
service, linked to the episode it follows)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.referrals.models import Referral, Source, Status
from crisis_care.treatment.models import Episode

from ..models import Addendum, ReReferral
from ..services import discharges as services
from .test_discharge_helpers import days_ago_at, discharge, started_days_ago, url

pytestmark = pytest.mark.django_db

NOTE = "GP phoned: the person has started at the allotment again and is sleeping well."
REASON = "Not sleeping again and has stopped eating; sister worried."


@pytest.fixture
def episode(make_episode) -> Episode:  # type: ignore[no-untyped-def]
    return started_days_ago(make_episode(), 12)


@pytest.fixture
def ended(episode: Episode, practitioner) -> Episode:  # type: ignore[no-untyped-def]
    discharge(episode, practitioner, at=days_ago_at(5))
    return Episode.objects.select_related("person", "team").get(pk=episode.pk)


def rerefer_form(**extra: str) -> dict[str, str]:
    data = {
        "source": "carer_family",
        "channel": "phone",
        "referrer_name": "Jo Ellison (sister)",
        "referrer_phone": "07700 900123",
        "reason": REASON,
        "person_agrees": "agrees",
        "priority": "2",
        "priority_reason": "",
    }
    data.update(extra)
    return data


# -- Addendums ---------------------------------------------------------------------------------


def test_an_addendum_is_added_to_the_discharged_episode_and_shown_with_the_record(
    signed_in, staff_user, ended
):
    worker = staff_user(Role.SUPPORT_WORKER)
    client = signed_in(worker)

    response = client.post(url("addendum", ended), {"text": NOTE})

    assert response.status_code == 302
    assert response["Location"] == url("discharge", ended)
    addendum = Addendum.objects.get(episode=ended)
    assert addendum.text == NOTE
    assert addendum.written_by == worker
    assert NOTE in page_text(client.get(url("discharge", ended)))
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=addendum.pk, section="addendum"
    ).exists()


def test_an_addendum_needs_text(signed_in, practitioner, ended):
    response = signed_in(practitioner).post(url("addendum", ended), {"text": "  "})

    assert "Enter the addendum" in page_text(response)
    assert not Addendum.objects.exists()


def test_addendums_are_only_for_discharged_episodes(signed_in, practitioner, episode):
    assert signed_in(practitioner).get(url("addendum", episode)).status_code == 403
    with pytest.raises(ValidationError, match="not been discharged"):
        services.addendum_add(episode=episode, text=NOTE, by=practitioner)


def test_addendums_cannot_be_changed_once_saved(signed_in, practitioner, ended):
    first = services.addendum_add(episode=ended, text=NOTE, by=practitioner)

    services.addendum_add(
        episode=ended, text="Correction: the allotment, not the gym.", by=practitioner
    )

    first.refresh_from_db()
    assert first.text == NOTE
    assert Addendum.objects.filter(episode=ended).count() == 2


def test_clerical_staff_cannot_add_addendums(signed_in, staff_user, ended):
    client = signed_in(staff_user(Role.ADMINISTRATOR))

    assert client.get(url("addendum", ended)).status_code == 403
    assert client.post(url("addendum", ended), {"text": NOTE}).status_code == 403
    assert not Addendum.objects.exists()


# -- Re-referral -------------------------------------------------------------------------------


def test_re_referral_opens_a_linked_referral_that_reaches_the_triage_queue(
    signed_in, practitioner, ended
):
    client = signed_in(practitioner)

    response = client.post(url("rerefer", ended), rerefer_form())

    link = ReReferral.objects.get(episode=ended)
    referral = link.referral
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.person_id == ended.person_id
    assert referral.team_id == ended.team_id
    assert referral.pk != ended.referral_id
    assert referral.status == Status.NEW
    assert referral.source == Source.CARER_FAMILY
    assert referral.reason == REASON
    assert referral.priority == "2"
    assert referral.priority_reason.startswith("Re-referral after discharge on")
    assert link.days_after_discharge == 5
    assert link.recorded_by == practitioner
    queue = page_text(client.get(reverse("referrals:queue")))
    assert ended.person.full_name in queue
    record = page_text(client.get(url("discharge", ended)))
    assert "5 days after discharge" in record
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=link.pk, section="re-referral"
    ).exists()


def test_a_second_re_referral_while_one_is_open_is_refused(signed_in, practitioner, ended):
    client = signed_in(practitioner)
    client.post(url("rerefer", ended), rerefer_form())

    response = client.post(url("rerefer", ended), rerefer_form())

    assert "already has an open referral" in page_text(response)
    assert ReReferral.objects.filter(episode=ended).count() == 1


def test_re_referral_asks_for_the_reason_and_priority(signed_in, practitioner, ended):
    response = signed_in(practitioner).post(
        url("rerefer", ended), rerefer_form(reason="", priority="")
    )

    text = page_text(response)
    assert "Enter the reason for the referral" in text
    assert "Select how urgent the referral is" in text
    assert not ReReferral.objects.exists()


def test_re_referral_is_only_from_a_discharged_episode(signed_in, practitioner, episode):
    before = Referral.objects.count()

    assert signed_in(practitioner).get(url("rerefer", episode)).status_code == 403
    assert signed_in(practitioner).post(url("rerefer", episode), rerefer_form()).status_code == 403
    assert Referral.objects.count() == before


def test_days_after_discharge_count_london_calendar_days(practitioner, make_episode, time_machine):
    episode = started_days_ago(make_episode(), 3)
    # 11:30pm London, then a re-referral 1 hour later, just after midnight: the next day.
    late = local_instant(local_date(timezone.now()) - dt.timedelta(days=1), dt.time(23, 30))
    discharge(episode, practitioner, at=late)
    time_machine.move_to(late + dt.timedelta(hours=1, minutes=30))

    link = services.rerefer(
        episode=Episode.objects.get(pk=episode.pk),
        source="self",
        channel="phone",
        referrer_name="",
        referrer_phone="",
        reason=REASON,
        person_agrees="agrees",
        priority="3",
        priority_reason="",
        by=practitioner,
    )

    assert link.days_after_discharge == 1


def test_another_teams_episode_is_refused_and_audited(
    signed_in, staff_user, other_team, make_episode, practitioner
):
    their_nurse = staff_user(in_team=other_team)
    theirs = started_days_ago(make_episode(in_team=other_team, by=their_nurse), 4)
    discharge(theirs, their_nurse, at=days_ago_at(1))
    client = signed_in(practitioner)

    assert client.get(url("addendum", theirs)).status_code == 403
    assert client.post(url("addendum", theirs), {"text": NOTE}).status_code == 403
    assert client.post(url("rerefer", theirs), rerefer_form()).status_code == 403

    assert not Addendum.objects.exists()
    assert not ReReferral.objects.exists()
    assert (
        AuditEvent.objects.filter(
            actor=practitioner, action=AuditAction.ACCESS_DENIED, object_id=theirs.pk
        ).count()
        == 3
    )
