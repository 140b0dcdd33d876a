"""The referral record: taking, contacts stopping clocks, priority history, breaches."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.referrals import services
from crisis_care.referrals.clocks import ClockName, ClockState
from crisis_care.referrals.models import BreachReason, Referral, Status
from crisis_care.referrals.selectors import referral_clocks

pytestmark = pytest.mark.django_db


def contact_post(when: dt.datetime, **overrides):
    local = when.astimezone(LONDON)
    data = {
        "with_whom": "person",
        "medium": "phone",
        "outcome": "spoke",
        "occurred_on[day]": local.day,
        "occurred_on[month]": local.month,
        "occurred_on[year]": local.year,
        "occurred_time": local.strftime("%H:%M"),
        "note": "",
    }
    data.update(overrides)
    return data


def test_taking_a_referral_records_the_owner_and_status(signed_in, practitioner, make_referral):
    referral = make_referral()

    signed_in(practitioner).post(reverse("referrals:take", args=[referral.pk]))

    referral.refresh_from_db()
    assert referral.owner == practitioner
    assert referral.status == Status.TAKEN


def test_a_second_clinician_cannot_take_a_taken_referral(
    signed_in, practitioner, staff_user, make_referral
):
    referral = make_referral()
    services.referral_take(referral_id=referral.pk, by=practitioner)
    colleague = staff_user(Role.REGISTERED_PRACTITIONER)

    response = signed_in(colleague).post(reverse("referrals:take", args=[referral.pk]), follow=True)

    assert f"{practitioner} took this referral first" in page_text(response)
    referral.refresh_from_db()
    assert referral.owner == practitioner


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_clinicians_taking_at_the_same_moment_cannot_both_win(
    practitioner, staff_user, make_referral
):
    referral = make_referral()
    colleague = staff_user(Role.REGISTERED_PRACTITIONER)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(user):
        from django.db import connections

        try:
            barrier.wait()
            services.referral_take(referral_id=referral.pk, by=user)
            outcomes.append("took")
        except services.AlreadyTaken:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(u,)) for u in (practitioner, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["refused", "took"]
    referral.refresh_from_db()
    assert referral.owner in (practitioner, colleague)
    assert referral.status_history.filter(status=Status.TAKEN).count() == 1


def test_support_workers_cannot_take_referrals(signed_in, staff_user, make_referral):
    referral = make_referral()
    worker = staff_user(Role.SUPPORT_WORKER)
    assert signed_in(worker).post(reverse("referrals:take", args=[referral.pk])).status_code == 403


def test_the_first_successful_contact_stops_the_first_contact_clock(
    signed_in, practitioner, make_referral
):
    referral = make_referral(received_at=timezone.now() - dt.timedelta(hours=2))
    client = signed_in(practitioner)
    attempt = timezone.now() - dt.timedelta(minutes=90)
    spoke = timezone.now() - dt.timedelta(minutes=60)

    client.post(
        reverse("referrals:contact_new", args=[referral.pk]),
        contact_post(attempt, outcome="no_answer"),
    )
    referral.refresh_from_db()
    assert referral.first_contact_at is None

    client.post(reverse("referrals:contact_new", args=[referral.pk]), contact_post(spoke))
    referral.refresh_from_db()
    assert referral.first_contact_at == spoke.replace(second=0, microsecond=0)
    clocks = {c.name: c for c in referral_clocks(referral)}
    assert clocks[ClockName.FIRST_CONTACT].state is ClockState.MET
    assert clocks[ClockName.FACE_TO_FACE].state is ClockState.RUNNING


def test_a_face_to_face_contact_stops_the_assessment_clock(practitioner, make_referral):
    referral = make_referral(priority="4")
    services.contact_record(
        referral=referral,
        occurred_at=timezone.now(),
        with_whom="person",
        medium="f2f",
        outcome="spoke",
        note="",
        by=practitioner,
    )
    referral.refresh_from_db()
    clocks = {c.name: c for c in referral_clocks(referral)}
    assert clocks[ClockName.FACE_TO_FACE].state is ClockState.MET


def test_a_contact_in_the_future_is_refused(signed_in, practitioner, make_referral):
    referral = make_referral()
    response = signed_in(practitioner).post(
        reverse("referrals:contact_new", args=[referral.pk]),
        contact_post(timezone.now() + dt.timedelta(hours=3)),
    )
    assert "Time of contact must be now or in the past" in page_text(response)
    assert not referral.contacts.exists()


def test_changing_priority_keeps_the_history_and_moves_the_clock(
    signed_in, practitioner, make_referral
):
    referral = make_referral(priority="2")

    signed_in(practitioner).post(
        reverse("referrals:priority", args=[referral.pk]),
        {"priority": "1", "reason": "Now at A&E after an overdose"},
    )

    referral.refresh_from_db()
    assert referral.priority == "1"
    assert [c.priority for c in referral.priority_history.all()] == ["2", "1"]
    clocks = {c.name: c for c in referral_clocks(referral)}
    assert clocks[ClockName.FACE_TO_FACE].target_at == referral.received_at + dt.timedelta(hours=1)


def test_a_breach_asks_for_a_reason_and_keeps_it(signed_in, practitioner, make_referral):
    referral = make_referral(received_at=timezone.now() - dt.timedelta(hours=1))
    client = signed_in(practitioner)

    page = page_text(client.get(reverse("referrals:detail", args=[referral.pk])))
    assert "Record why the response to referrer standard was not met" in page

    client.post(
        reverse("referrals:breach_reason", args=[referral.pk, "referrer_response"]),
        {"reason": "Duty clinician was with an emergency in ED"},
    )
    assert BreachReason.objects.get().reason == "Duty clinician was with an emergency in ED"
    after = page_text(client.get(reverse("referrals:detail", args=[referral.pk])))
    assert "Record why the response to referrer standard was not met" not in after


def test_a_reason_cannot_be_recorded_for_a_clock_that_is_not_breached(practitioner, make_referral):
    referral = make_referral()
    with pytest.raises(Exception, match="not been breached"):
        services.breach_reason_record(
            referral=referral, clock="face_to_face", reason="x", by=practitioner
        )


def test_the_referral_page_is_audited_and_refused_to_other_teams(
    signed_in, practitioner, staff_user, other_team, make_referral
):
    referral = make_referral()
    signed_in(practitioner).get(reverse("referrals:detail", args=[referral.pk]))
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=referral.pk, person_id=referral.person_id
    ).exists()

    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    assert (
        signed_in(outsider).get(reverse("referrals:detail", args=[referral.pk])).status_code == 403
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, object_id=referral.pk
    ).exists()


def test_accepting_for_assessment(signed_in, practitioner, make_referral):
    referral = make_referral()
    signed_in(practitioner).post(reverse("referrals:accept", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_a_self_referral_is_matched_to_a_new_record(signed_in, practitioner, team):
    referral = services.referral_create(
        team=team,
        person=None,
        submitted_details={
            "given_name": "Jo",
            "family_name": "Ridley",
            "date_of_birth": "1988-05-01",
            "phone": "07700 900222",
            "postcode": "LE4 5AB",
        },
        data={
            "channel": "online",
            "source": "self",
            "reason": "I can't cope",
            "person_agrees": "agrees",
        },
        received_at=timezone.now(),
        priority="2",
        priority_reason="Self-referral",
        by=None,
    )
    client = signed_in(practitioner)

    client.post(reverse("referrals:match_person", args=[referral.pk]), {"person": "new"})

    referral.refresh_from_db()
    assert referral.person.full_name == "Jo Ridley"
    assert referral.age_check == "in"
    assert client.get(reverse("people:detail", args=[referral.person.pk])).status_code == 200
    assert Referral.objects.count() == 1


def test_the_referral_page_links_to_the_persons_record(signed_in, practitioner, make_referral):
    referral = make_referral()

    html = (
        signed_in(practitioner)
        .get(reverse("referrals:detail", args=[referral.pk]))
        .content.decode()
    )

    assert f'<a href="/people/{referral.person.pk}/">' in html
    assert "&lt;a href" not in html
