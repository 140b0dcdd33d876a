"""Recording that the written discharge plan was given (CORE 25e) with how to get crisis help
(25f). What family get follows consent: the full plan only to family who may see the care
plan; the crisis-help card to family with consent to general information or the care plan;
no one else, refused by name."""

# Fixtures are imported from test_plans_fixtures and named as test arguments.
# ruff: noqa: F811

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.discharge.models import DischargePlanGiven, OnwardReferralStatus
from crisis_care.discharge.selectors.checklist import ItemState, aftercare_checklist
from crisis_care.discharge.services import plans as services
from crisis_care.nonprod import factories
from crisis_care.people import services as people_services
from crisis_care.people.models import ShareScope
from crisis_care.treatment.models import EpisodeStatus

from .test_plans_fixtures import (  # noqa: F401 (fixtures)
    CAFE_NIGHTS,
    CMHT,
    CRISIS_LINE,
    SIGNS,
    WORKER,
    cmht,
    crisis_directory,
    given_data,
    given_url,
    make_contact,
    make_referral_on,
    plan_url,
    relapse,
)

pytestmark = pytest.mark.django_db


def _states(episode) -> dict[str, ItemState]:  # type: ignore[no-untyped-def]
    return {i.code: i.state for i in aftercare_checklist(episode=episode).items}


def _record(episode, by, **overrides):  # type: ignore[no-untyped-def]
    kwargs = {
        "episode": episode,
        "given_on": timezone.localdate(),
        "method": "in_person",
        "format": "standard",
        "to_person": True,
        "plan_contact_ids": [],
        "card_contact_ids": [],
        "snapshot_html": "<p>The plan</p>",
        "by": by,
    }
    kwargs.update(overrides)
    return services.discharge_plan_given_record(**kwargs)


def test_giving_the_plan_to_the_person_keeps_what_was_given_and_meets_25e_and_25f(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    before = _states(episode)
    assert (before["25e"], before["25f"]) == (ItemState.MISSING, ItemState.MISSING)
    client = signed_in(practitioner)

    form = client.get(given_url(episode))
    response = client.post(given_url(episode), given_data())

    assert form.status_code == 200
    assert f"The plan names who will support Sam Ellison after discharge: {CMHT} ({WORKER})" in (
        page_text(form)
    )
    assert response.status_code == 302
    given = DischargePlanGiven.objects.get(episode=episode)
    assert (given.method, given.format, given.to_person) == ("in_person", "standard", True)
    assert given.follow_on_named == f"{CMHT} ({WORKER})"
    assert given.recorded_by == practitioner
    for words in (CMHT, WORKER, CRISIS_LINE, CAFE_NIGHTS, SIGNS, episode.person.full_name):
        assert words in given.snapshot_html, words
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=given.pk, section="written discharge plan"
    ).exists()
    after = _states(episode)
    assert (after["25e"], after["25f"]) == (ItemState.MET, ItemState.MET)
    item = next(i for i in aftercare_checklist(episode=episode).items if i.code == "25e")
    assert f"naming {CMHT} ({WORKER})" in item.detail
    page = page_text(client.get(plan_url(episode)))
    assert "Handed over in person on" in page
    assert f"It named {CMHT} ({WORKER})." in page


def test_the_easy_read_version_given_is_what_is_kept(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    signed_in(practitioner).post(given_url(episode), given_data(format="easy_read"))

    given = DischargePlanGiven.objects.get(episode=episode)
    assert given.format == "easy_read"
    assert "Who will help you next" in given.snapshot_html
    assert f"Your worker is {WORKER}." in given.snapshot_html


def test_for_someone_who_needs_easy_read_the_form_starts_at_easy_read(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    type(episode.person).objects.filter(pk=episode.person_id).update(easy_read=True)

    html = signed_in(practitioner).get(given_url(episode)).content.decode()

    assert 'value="easy_read" checked' in html
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="written discharge plan", detail__page="record given"
    ).exists()


def test_without_follow_on_support_recording_it_given_is_refused(
    signed_in, practitioner, episode, make_referral_on, crisis_directory
):
    make_referral_on(episode, name="Housing options", status=OnwardReferralStatus.DECLINED)
    client = signed_in(practitioner)

    form = client.get(given_url(episode))
    response = client.post(given_url(episode), given_data())

    assert "The plan does not name who will support the person" in page_text(form)
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "The plan must name who will support the person after discharge" in text
    assert not DischargePlanGiven.objects.exists()
    assert _states(episode)["25e"] == ItemState.MISSING


def test_a_sent_referral_is_enough_to_name_who_supports_the_person(
    practitioner, episode, make_referral_on
):
    make_referral_on(episode, name="Turning Point recovery", status=OnwardReferralStatus.SENT)

    given = _record(episode, practitioner)

    assert given.follow_on_named == "Turning Point recovery"


# -- Consent decides what family get ---------------------------------------------------------


def test_family_who_may_see_the_care_plan_get_the_plan_and_general_consent_gets_the_card(
    signed_in, practitioner, episode, cmht, make_contact, crisis_directory
):
    jo = make_contact(episode, ShareScope.CARE_PLAN, "Jo Ellison")
    pat = make_contact(episode, ShareScope.GENERAL, "Pat Ellison")
    make_contact(episode, ShareScope.NOTHING, "Chris Ellison")
    client = signed_in(practitioner)

    form = client.get(given_url(episode))
    response = client.post(
        given_url(episode),
        given_data(plan_to_contacts=[str(jo.pk)], crisis_card_to_contacts=[str(pat.pk)]),
    )

    form_text = page_text(form)
    plan_part = form_text.split("given the full plan", 1)[1].split("given the crisis-help card")[0]
    assert "Jo Ellison" in plan_part and "Pat Ellison" not in plan_part
    card_part = form_text.split("given the crisis-help card", 1)[1]
    assert "Jo Ellison" in card_part and "Pat Ellison" in card_part
    assert "Do not give anything to: Chris Ellison (brother or sister)" in form_text
    assert response.status_code == 302
    given = DischargePlanGiven.objects.get(episode=episode)
    assert list(given.plan_to_contacts.all()) == [jo]
    assert list(given.crisis_card_to_contacts.all()) == [pat]
    assert _states(episode)["25f"] == ItemState.MET
    assert AuditEvent.objects.get(action=AuditAction.CREATE, object_id=given.pk).detail == {
        "given_on": timezone.localdate().isoformat(),
        "format": "standard",
        "to_person": True,
        "plan_copies": 1,
        "crisis_cards": 1,
    }


def test_a_contact_with_general_consent_is_refused_the_full_plan_by_name(
    signed_in, practitioner, episode, cmht, make_contact, crisis_directory
):
    pat = make_contact(episode, ShareScope.GENERAL, "Pat Ellison")

    response = signed_in(practitioner).post(
        given_url(episode), given_data(plan_to_contacts=[str(pat.pk)])
    )

    assert response.status_code == 200
    text = page_text(response)
    assert (
        "Pat Ellison cannot be given the full plan: the person has not agreed to share their "
        "care plan with them"
    ) in text
    assert not DischargePlanGiven.objects.exists()


def test_a_contact_with_no_consent_gets_neither_the_plan_nor_the_card(
    practitioner, episode, cmht, make_contact
):
    chris = make_contact(episode, ShareScope.NOTHING, "Chris Ellison")
    sam = make_contact(episode, None, "Sam Other")  # no decision recorded means no

    with pytest.raises(ValidationError) as plan_refused:
        _record(episode, practitioner, plan_contact_ids=[chris.pk])
    with pytest.raises(ValidationError) as card_refused:
        _record(episode, practitioner, card_contact_ids=[chris.pk, sam.pk])

    assert (
        "Chris Ellison cannot be given the full plan"
        in plan_refused.value.message_dict["plan_to_contacts"][0]
    )
    assert card_refused.value.message_dict["crisis_card_to_contacts"] == [
        "Chris Ellison and Sam Other cannot be given the crisis-help card: the person has not "
        "agreed to share anything with them"
    ]
    assert not DischargePlanGiven.objects.exists()


def test_consent_withdrawn_after_the_form_was_opened_is_refused_by_name(
    signed_in, practitioner, episode, cmht, make_contact, crisis_directory
):
    jo = make_contact(episode, ShareScope.CARE_PLAN, "Jo Ellison")
    client = signed_in(practitioner)
    client.get(given_url(episode))
    # The person now asks that nothing is shared with Jo.
    people_services.consent_record(
        contact=jo,
        scope=ShareScope.NOTHING,
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=30),
        note="",
        by=practitioner,
    )

    response = client.post(
        given_url(episode),
        given_data(plan_to_contacts=[str(jo.pk)], crisis_card_to_contacts=[str(jo.pk)]),
    )

    text = page_text(response)
    assert "Jo Ellison cannot be given the full plan" in text
    assert "Jo Ellison cannot be given the crisis-help card" in text
    assert not DischargePlanGiven.objects.exists()


def test_a_contact_of_someone_else_is_refused(practitioner, episode, cmht):
    stranger = factories.ContactFactory(name="Not family")

    with pytest.raises(ValidationError) as refused:
        _record(episode, practitioner, card_contact_ids=[stranger.pk])

    assert "plan_to_contacts" in refused.value.message_dict


def test_family_with_consent_not_yet_given_crisis_help_leave_25f_missing(
    practitioner, episode, cmht, make_contact
):
    pat = make_contact(episode, ShareScope.GENERAL, "Pat Ellison")

    _record(episode, practitioner)
    assert _states(episode)["25e"] == ItemState.MET
    assert _states(episode)["25f"] == ItemState.MISSING

    # (The checklist counts family reached in records that also gave the plan to the person.)
    _record(episode, practitioner, card_contact_ids=[pat.pk])
    assert _states(episode)["25f"] == ItemState.MET


def test_it_must_be_given_to_someone(practitioner, episode, cmht):
    with pytest.raises(ValidationError) as refused:
        _record(episode, practitioner, to_person=False)
    assert "to_person" in refused.value.message_dict


# -- Dates ----------------------------------------------------------------------------------


def test_a_date_in_the_future_is_refused(signed_in, practitioner, episode, cmht, crisis_directory):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = signed_in(practitioner).post(given_url(episode), given_data(on=tomorrow))

    assert response.status_code == 200
    assert "Date it was given must be today or in the past" in page_text(response)
    assert not DischargePlanGiven.objects.exists()


def test_a_date_before_the_episode_started_is_refused(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    before = timezone.localdate() - dt.timedelta(days=30)

    response = signed_in(practitioner).post(given_url(episode), given_data(on=before))

    assert response.status_code == 200
    assert "must be on or after the day home treatment started" in page_text(response)
    assert not DischargePlanGiven.objects.exists()


# -- Who may record it ------------------------------------------------------------------------


def test_a_support_worker_cannot_record_it_given(
    signed_in, staff_user, episode, cmht, crisis_directory
):
    client = signed_in(staff_user(Role.SUPPORT_WORKER))
    assert client.get(given_url(episode)).status_code == 403
    assert client.post(given_url(episode), given_data()).status_code == 403
    assert not DischargePlanGiven.objects.exists()


def test_another_team_cannot_record_it_given(
    signed_in, staff_user, other_team, episode, cmht, crisis_directory
):
    outsider = staff_user(Role.TEAM_MANAGER, in_team=other_team)

    response = signed_in(outsider).post(given_url(episode), given_data())

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
    ).exists()
    assert not DischargePlanGiven.objects.exists()


def test_a_discharged_episode_cannot_record_it_given(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    type(episode).objects.filter(pk=episode.pk).update(status=EpisodeStatus.CLOSED)

    assert signed_in(practitioner).post(given_url(episode), given_data()).status_code == 403
    with pytest.raises(ValidationError):
        _record(episode, practitioner)
    assert not DischargePlanGiven.objects.exists()
