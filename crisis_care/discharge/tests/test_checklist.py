"""The aftercare checklist's derivation of CORE 25a–d from what the team records, built
through the aftercare services exactly as the pages build it: each item met, missing or not
needed, and the consent rule for family at the discharge meeting."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crisis_care.discharge.models import DischargeMeeting
from crisis_care.discharge.selectors.checklist import ItemState, aftercare_checklist
from crisis_care.discharge.services import aftercare as services
from crisis_care.nonprod.factories import ContactFactory
from crisis_care.people import services as people_services
from crisis_care.people.models import ShareScope

pytestmark = pytest.mark.django_db


def item(episode, code: str):
    return next(i for i in aftercare_checklist(episode=episode).items if i.code == code)


def consent(contact, scope: str, by) -> None:
    people_services.consent_record(
        contact=contact,
        scope=scope,
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=90),
        note="",
        by=by,
    )


def involve(episode, by, name: str = "North Leicester CMHT", *, mh: bool = True, plan: str = ""):
    return services.involved_service_add(
        episode=episode,
        service=None,
        name=name,
        secondary_mental_health=mh,
        plan_agreed=plan,
        plan_agreed_on=timezone.localdate() if plan else None,
        plan_agreed_with="Care coordinator Priya Mistry" if plan else "",
        by=by,
    )


def refer(episode, by, kind: str = "gp"):
    return services.onward_referral_make(
        episode=episode,
        kind=kind,
        service=None,
        reason="Review of medication after discharge",
        sent_on=timezone.localdate(),
        by=by,
    )


def arrange(episode, by, *, person_invited: bool = True, contacts=(), involved=()):
    return services.meeting_arrange(
        episode=episode,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Sam's home",
        person_invited=person_invited,
        contact_ids=[c.pk for c in contacts],
        involved_service_ids=[s.pk for s in involved],
        by=by,
    )


def hold(meeting, by, *, came: set | None = None):
    """Move the meeting into the past (it was arranged for the future), then record it held."""
    DischargeMeeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    meeting.refresh_from_db()
    came = came or set()
    return services.meeting_record_held(
        meeting=meeting,
        expected_version=meeting.version,
        person_attended=True,
        attended={
            str(i.pk): (i.involved_service_id in came or i.contact_id in came)
            for i in meeting.invitees.all()
        },
        agreed="Handed over to the CMHT; first appointment next week.",
        by=by,
    )


# -- 25a: follow-on plans agreed with other secondary mental health services ----------------


def test_25a_is_not_needed_when_no_secondary_mental_health_service_is_involved(
    episode, practitioner
):
    involve(episode, practitioner, "Leicester housing options", mh=False)

    found = item(episode, "25a")

    assert found.state == ItemState.NOT_APPLICABLE
    assert "No other secondary mental health service" in found.detail


def test_25a_is_missing_until_a_plan_is_agreed_with_each_service_and_names_them(
    episode, practitioner
):
    involve(episode, practitioner, "North Leicester CMHT", plan="CMHT takes over care")
    involve(episode, practitioner, "Early intervention in psychosis")

    found = item(episode, "25a")

    assert found.state == ItemState.MISSING
    assert found.detail == "No plan agreed yet with Early intervention in psychosis"


def test_25a_is_met_when_every_secondary_service_has_an_agreed_plan(episode, practitioner):
    cmht = involve(episode, practitioner, "North Leicester CMHT")
    services.involved_service_update(
        involved=cmht,
        expected_version=cmht.version,
        service=None,
        name=cmht.name,
        secondary_mental_health=True,
        plan_agreed="CMHT care coordinator sees Sam within 7 days of discharge",
        plan_agreed_on=timezone.localdate(),
        plan_agreed_with="Priya Mistry, care coordinator",
        by=practitioner,
    )

    found = item(episode, "25a")

    assert found.state == ItemState.MET
    assert found.detail == "Plans agreed with North Leicester CMHT"


# -- 25b: referrals made for support after discharge ----------------------------------------


def test_25b_is_missing_without_a_referral_on(episode):
    assert item(episode, "25b").state == ItemState.MISSING


def test_25b_is_met_by_a_referral_sent_to_the_persons_gp_practice(episode, practitioner):
    refer(episode, practitioner)
    practice = episode.person.gp_practice.name

    found = item(episode, "25b")

    assert found.state == ItemState.MET
    assert found.detail == f"Referred to {practice} (sent)"


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
def test_25b_a_declined_or_withdrawn_referral_does_not_count(episode, practitioner, status):
    referral = refer(episode, practitioner)
    services.onward_referral_status_change(
        referral=referral,
        expected_version=referral.version,
        status=status,
        note="Practice asked us to send it to the CMHT instead",
        by=practitioner,
    )

    assert item(episode, "25b").state == ItemState.MISSING


def test_25b_an_accepted_referral_counts(episode, practitioner):
    referral = refer(episode, practitioner)
    services.onward_referral_status_change(
        referral=referral,
        expected_version=referral.version,
        status="accepted",
        worker_name="Dr Amara Shah",
        by=practitioner,
    )

    found = item(episode, "25b")

    assert found.state == ItemState.MET
    assert "(accepted)" in found.detail


# -- 25c: the discharge meeting arranged, with the person and family invited ----------------


def test_25c_is_missing_until_a_meeting_is_arranged(episode):
    found = item(episode, "25c")

    assert found.state == ItemState.MISSING
    assert found.detail == "No discharge meeting has been arranged"


def test_25c_a_cancelled_meeting_does_not_count(episode, practitioner):
    meeting = arrange(episode, practitioner)
    services.meeting_cancel(
        meeting=meeting, expected_version=meeting.version, reason="Sam unwell", by=practitioner
    )

    assert item(episode, "25c").state == ItemState.MISSING


def test_25c_is_missing_if_the_person_is_not_invited(episode, practitioner):
    arrange(episode, practitioner, person_invited=False)

    found = item(episode, "25c")

    assert found.state == ItemState.MISSING
    assert "The person has not been invited" in found.detail


def test_25c_is_met_with_the_person_invited_when_no_family_has_consent(episode, practitioner):
    arrange(episode, practitioner)

    found = item(episode, "25c")

    assert found.state == ItemState.MET
    assert "no family has consent to be involved" in found.detail


def test_25c_family_with_care_plan_consent_must_be_invited(episode, practitioner):
    jo = ContactFactory(person=episode.person, name="Jo Ellison", relationship="sibling")
    consent(jo, ShareScope.CARE_PLAN, practitioner)
    meeting = arrange(episode, practitioner)

    assert item(episode, "25c").state == ItemState.MISSING

    services.meeting_cancel(
        meeting=meeting, expected_version=meeting.version, reason="Jo to come", by=practitioner
    )
    arrange(episode, practitioner, contacts=[jo])

    found = item(episode, "25c")
    assert found.state == ItemState.MET
    assert "the person and Jo Ellison invited" in found.detail


def test_25c_family_without_care_plan_consent_is_not_required_and_cannot_be_invited(
    episode, practitioner
):
    lee = ContactFactory(person=episode.person, name="Lee Ellison", relationship="sibling")
    consent(lee, ShareScope.GENERAL, practitioner)

    with pytest.raises(ValidationError) as refused:
        arrange(episode, practitioner, contacts=[lee])

    assert "Lee Ellison cannot be invited" in refused.value.message_dict["family"][0]
    assert not DischargeMeeting.objects.exists()

    arrange(episode, practitioner)
    assert item(episode, "25c").state == ItemState.MET


# -- 25d: other involved mental health services attend ---------------------------------------


def test_25d_is_not_needed_without_secondary_mental_health_services(episode, practitioner):
    housing = involve(episode, practitioner, "Leicester housing options", mh=False)
    hold(arrange(episode, practitioner, involved=[housing]), practitioner)

    assert item(episode, "25d").state == ItemState.NOT_APPLICABLE


def test_25d_is_missing_while_the_meeting_is_only_arranged(episode, practitioner):
    cmht = involve(episode, practitioner)
    arrange(episode, practitioner, involved=[cmht])

    found = item(episode, "25d")

    assert found.state == ItemState.MISSING
    assert found.detail == "The discharge meeting has not been held"


def test_25d_needs_every_secondary_service_to_attend_a_held_meeting(episode, practitioner):
    cmht = involve(episode, practitioner, "North Leicester CMHT")
    eip = involve(episode, practitioner, "Early intervention in psychosis")
    housing = involve(episode, practitioner, "Leicester housing options", mh=False)
    hold(
        arrange(episode, practitioner, involved=[cmht, eip, housing]),
        practitioner,
        came={cmht.pk},
    )

    found = item(episode, "25d")

    assert found.state == ItemState.MISSING
    assert found.detail == "Early intervention in psychosis did not attend"


def test_25d_is_met_when_every_secondary_service_came_whoever_else_did_not(episode, practitioner):
    cmht = involve(episode, practitioner, "North Leicester CMHT")
    housing = involve(episode, practitioner, "Leicester housing options", mh=False)
    hold(arrange(episode, practitioner, involved=[cmht, housing]), practitioner, came={cmht.pk})

    found = item(episode, "25d")

    assert found.state == ItemState.MET
    assert found.detail == "North Leicester CMHT attended"


def test_25d_a_held_meeting_still_counts_for_25c(episode, practitioner):
    cmht = involve(episode, practitioner)
    hold(arrange(episode, practitioner, involved=[cmht]), practitioner, came={cmht.pk})

    assert item(episode, "25c").state == ItemState.MET
    assert item(episode, "25d").state == ItemState.MET
