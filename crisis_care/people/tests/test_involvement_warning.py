"""The person's refusal to involve a relative is shown on every page that offers contact
with, or sharing with, that relative (DOMAIN.md §6.4; CORE item 13)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories

pytestmark = pytest.mark.django_db

HEADING = "Sam does not want Dana Ellison involved"
WORDS = "In Sam's words: “I don't want my mum to know”"


@pytest.fixture
def mum(person_in_care):
    return factories.ContactFactory(
        person=person_in_care,
        name="Dana Ellison",
        relationship="parent",
        involvement="do_not_involve",
        involvement_note="I don't want my mum to know",
    )


@pytest.fixture
def sister(person_in_care):
    return factories.ContactFactory(
        person=person_in_care, name="Jo Ellison", relationship="sibling", involvement="involve"
    )


def unmatched_self_referral(team):
    """A self-referral not yet matched to a record: there is no person, so no contacts."""
    # The referral stage comes later along the pathway; only this test reaches into it.
    from crisis_care.referrals import services as referral_services

    return referral_services.referral_create(
        team=team,
        person=None,
        data={
            "channel": "online",
            "source": "self",
            "reason": "I can't cope and I don't feel safe",
            "person_agrees": "agrees",
        },
        received_at=timezone.now() - dt.timedelta(minutes=5),
        priority="2",
        priority_reason="Says they do not feel safe",
        by=None,
        submitted_details={"given_name": "Alex", "family_name": "Reed", "phone": "07700 900123"},
    )


def assert_warned(response, *, about="Dana Ellison"):
    text = page_text(response)
    assert response.status_code == 200
    assert f"Sam does not want {about} involved" in text
    assert "Do not share personal information with " + about in text
    return text


def test_the_record_page_shows_the_refusal(signed_in, practitioner, person_in_care, mum):
    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    text = page_text(response)
    assert "The person does not want some people involved" in text
    assert WORDS in text


def test_changing_the_relatives_details_shows_the_refusal_in_the_persons_words(
    signed_in, practitioner, person_in_care, mum
):
    response = signed_in(practitioner).get(
        reverse("people:contact_edit", args=[person_in_care.pk, mum.pk])
    )

    text = assert_warned(response)
    assert WORDS in text
    # Straight after the page heading, as a level 2 warning.
    assert response.text.index("<h1>") < response.text.index(HEADING)
    assert re.search(r'<h2\s[^>]*class="nhsuk-card__heading"', response.text)


def test_recording_what_can_be_shared_with_the_relative_shows_the_refusal(
    signed_in, practitioner, person_in_care, mum
):
    response = signed_in(practitioner).get(
        reverse("people:consent_create", args=[person_in_care.pk, mum.pk])
    )

    text = assert_warned(response)
    assert WORDS in text
    assert response.text.index("<h1>") < response.text.index(HEADING)
    assert response.text.index(HEADING) < response.text.index("What has the person agreed")


def test_the_refusal_stays_when_the_form_comes_back_with_errors(
    signed_in, practitioner, person_in_care, mum
):
    response = signed_in(practitioner).post(
        reverse("people:consent_create", args=[person_in_care.pk, mum.pk]), {"note": ""}
    )

    assert "There is a problem" in response.text
    assert_warned(response)


def test_no_warning_for_someone_the_person_wants_involved(
    signed_in, practitioner, person_in_care, sister
):
    client = signed_in(practitioner)

    pages = [
        client.get(reverse("people:contact_edit", args=[person_in_care.pk, sister.pk])),
        client.get(reverse("people:consent_create", args=[person_in_care.pk, sister.pk])),
        client.get(reverse("people:contact_create", args=[person_in_care.pk])),
    ]

    for response in pages:
        assert response.status_code == 200
        assert "does not want" not in page_text(response).replace(
            "if they do not want someone involved", ""
        )


def test_the_refusal_shows_without_the_persons_words_when_none_were_recorded(
    signed_in, practitioner, person_in_care, mum
):
    mum.involvement_note = ""
    mum.save()

    response = signed_in(practitioner).get(
        reverse("people:contact_edit", args=[person_in_care.pk, mum.pk])
    )

    text = assert_warned(response)
    assert "In Sam's words" not in text


def test_logging_a_contact_on_a_referral_lists_the_refusals_above_who_was_contacted(
    signed_in, practitioner, make_referral, person_in_care, mum, sister
):
    referral = make_referral(person=person_in_care)
    client = signed_in(practitioner)

    response = client.get(reverse("referrals:contact_new", args=[referral.pk]))

    text = assert_warned(response)
    assert WORDS in text
    assert "People Sam does not want involved" in text
    assert "Jo Ellison" not in text
    assert response.text.index("<h1>") < response.text.index(HEADING)
    assert response.text.index(HEADING) < response.text.index("Who was contacted?")

    again = client.post(
        reverse("referrals:contact_new", args=[referral.pk]), {"with_whom": "carer"}
    )
    assert "There is a problem" in again.text
    assert_warned(again)


def test_a_support_worker_logging_a_contact_sees_the_refusal_too(
    signed_in, staff_user, make_referral, person_in_care, mum
):
    referral = make_referral(person=person_in_care)
    support = staff_user(Role.SUPPORT_WORKER)

    response = signed_in(support).get(reverse("referrals:contact_new", args=[referral.pk]))

    assert_warned(response)


def test_logging_a_contact_without_refusals_shows_no_warning(
    signed_in, practitioner, make_referral, person_in_care, sister
):
    referral = make_referral(person=person_in_care)

    response = signed_in(practitioner).get(reverse("referrals:contact_new", args=[referral.pk]))

    assert response.status_code == 200
    assert "does not want" not in page_text(response)


def test_logging_a_contact_on_an_unmatched_self_referral_works(signed_in, practitioner, team):
    referral = unmatched_self_referral(team)

    response = signed_in(practitioner).get(reverse("referrals:contact_new", args=[referral.pk]))

    assert response.status_code == 200
    assert "does not want" not in page_text(response)
