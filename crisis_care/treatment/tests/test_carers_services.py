"""The carers services' own rules, called directly: the contact belongs to the episode's person,
one support plan per carer, consent for invitations, agreement for a carer's assessment, times not
in the future, and an audit row with each change."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.nonprod.factories import ContactFactory, PersonFactory
from crisis_care.people import services as people_services
from crisis_care.people.models import Involvement, ShareScope
from crisis_care.treatment.models import (
    CarerAssessmentReferral,
    CarerConversation,
    CarerSupportPlan,
    ReviewInvitation,
)
from crisis_care.treatment.services import carers as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def carer(episode):
    return ContactFactory(person=episode.person, name="Lee Ellison", is_carer=True)


def share(contact, scope: str, by) -> None:
    people_services.consent_record(
        contact=contact,
        scope=scope,
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=30),
        note="",
        by=by,
    )


def messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def new_plan(episode, carer, by, **overrides):
    fields = {
        "needs": "Sleep",
        "support": "Group",
        "if_things_get_worse": "Call us",
        "service_ids": [],
    }
    fields.update(overrides)
    return services.carer_plan_create(episode=episode, carer=carer, by=by, **fields)


def test_a_contact_of_another_person_is_refused(episode, practitioner):
    stranger = ContactFactory(person=PersonFactory(), name="Alex", is_carer=True)

    with pytest.raises(ValidationError) as refused:
        services.carer_conversation_record(
            episode=episode,
            carer=stranger,
            held_at=timezone.now(),
            separate_from_person=True,
            carer_needs="Rest",
            notes="",
            by=practitioner,
        )

    assert "Alex is not one of Sam's contacts." in messages(refused.value)["__all__"]
    assert not CarerConversation.objects.exists()


def test_a_conversation_in_the_future_is_refused(episode, practitioner, carer):
    with pytest.raises(ValidationError) as refused:
        services.carer_conversation_record(
            episode=episode,
            carer=carer,
            held_at=timezone.now() + dt.timedelta(hours=1),
            separate_from_person=True,
            carer_needs="Rest",
            notes="",
            by=practitioner,
        )

    assert messages(refused.value)["held_at"] == [
        "When the conversation was must be now or in the past"
    ]


def test_there_is_one_support_plan_per_carer(episode, practitioner, carer):
    new_plan(episode, carer, practitioner)

    with pytest.raises(ValidationError, match="already written a support plan for Lee Ellison"):
        new_plan(episode, carer, practitioner)

    assert CarerSupportPlan.objects.count() == 1


def test_a_plan_update_on_an_old_version_is_stale(episode, practitioner, carer):
    plan = new_plan(episode, carer, practitioner)
    old = plan.version
    services.carer_plan_update(
        plan=plan,
        expected_version=old,
        needs="More sleep",
        support="Group",
        if_things_get_worse="Call us",
        service_ids=[],
        by=practitioner,
    )

    with pytest.raises(StaleEdit):
        services.carer_plan_update(
            plan=plan,
            expected_version=old,
            needs="Mine",
            support="Group",
            if_things_get_worse="Call us",
            service_ids=[],
            by=practitioner,
        )

    plan.refresh_from_db()
    assert plan.needs == "More sleep"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=plan.pk, detail__changed=["needs"]
    ).exists()


def test_an_unchanged_save_keeps_the_date_the_copy_was_given(episode, practitioner, carer):
    plan = new_plan(episode, carer, practitioner)
    plan = services.carer_plan_given(
        plan=plan, given_on=timezone.localdate(), expected_version=plan.version, by=practitioner
    )

    plan = services.carer_plan_update(
        plan=plan,
        expected_version=plan.version,
        needs="Sleep",
        support="Group",
        if_things_get_worse="Call us",
        service_ids=[],
        by=practitioner,
    )

    assert plan.given_on == timezone.localdate()


def test_a_referral_needs_the_carers_agreement(episode, practitioner, carer):
    for answer in (False, None):
        with pytest.raises(ValidationError) as refused:
            services.carer_assessment_refer(
                episode=episode,
                carer=carer,
                council="Rutland County Council",
                carer_agreed=answer,
                note="",
                by=practitioner,
            )
        assert "carer_agreed" in messages(refused.value)
    assert not CarerAssessmentReferral.objects.exists()


def test_a_declined_referral_can_be_made_again(episode, practitioner, carer):
    first = services.carer_assessment_refer(
        episode=episode,
        carer=carer,
        council="Rutland County Council",
        carer_agreed=True,
        note="",
        by=practitioner,
    )
    services.carer_assessment_status_update(
        referral=first, status="declined", expected_status="sent", note="", by=practitioner
    )

    services.carer_assessment_refer(
        episode=episode,
        carer=carer,
        council="Rutland County Council",
        carer_agreed=True,
        note="Needs have changed",
        by=practitioner,
    )

    assert CarerAssessmentReferral.objects.count() == 2


def test_a_status_the_referral_already_has_is_refused(episode, practitioner, carer):
    referral = services.carer_assessment_refer(
        episode=episode,
        carer=carer,
        council="Rutland County Council",
        carer_agreed=True,
        note="",
        by=practitioner,
    )

    with pytest.raises(ValidationError, match="already 'Sent'"):
        services.carer_assessment_status_update(
            referral=referral, status="sent", expected_status="sent", note="", by=practitioner
        )


@pytest.mark.parametrize(
    ("scope", "involvement", "allowed"),
    [
        (None, Involvement.WANTS_INVOLVED, False),
        (ShareScope.NOTHING, Involvement.WANTS_INVOLVED, False),
        (ShareScope.GENERAL, Involvement.WANTS_INVOLVED, False),
        (ShareScope.CARE_PLAN, Involvement.DOES_NOT_WANT, False),
        (ShareScope.CARE_PLAN, Involvement.NOT_YET_ASKED, True),
        (ShareScope.CARE_PLAN, Involvement.WANTS_INVOLVED, True),
    ],
)
def test_an_invitation_needs_consent_to_share_the_care_plan(
    episode, practitioner, scope, involvement, allowed
):
    contact = ContactFactory(person=episode.person, name="Jo", involvement=involvement)
    if scope is not None:
        share(contact, scope, practitioner)

    def invite() -> ReviewInvitation:
        return services.review_invitation_record(
            episode=episode,
            contact=contact,
            meeting_at=timezone.now() + dt.timedelta(days=1),
            purpose="Care-planning meeting",
            by=practitioner,
        )

    if allowed:
        invitation = invite()
        assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=invitation.pk)
    else:
        with pytest.raises(ValidationError, match="has not agreed to share their care plan"):
            invite()
        assert not ReviewInvitation.objects.exists()
