"""The carers and family pages (CORE items 13 and 14; Care Act 2014 s.10): who may see and do
what, team scope, contacts that belong to the person, times not in the future, consent for
invitations, agreement for a carer's assessment, stale edits, and the audit of every view and
change."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory.models import Service
from crisis_care.nonprod.factories import ContactFactory, PersonFactory
from crisis_care.people import services as people_services
from crisis_care.people.models import Involvement, ShareScope
from crisis_care.treatment.models import (
    AttemptOutcome,
    CarerAssessmentReferral,
    CarerAssessmentStatus,
    CarerConversation,
    CarerConversationOffer,
    CarerSupportPlan,
    EpisodeStatus,
    FamilyContactAttempt,
    ReviewInvitation,
)
from crisis_care.treatment.services import carers as services

pytestmark = pytest.mark.django_db


def consent(contact, scope: str, by, *, review_in_days: int = 90) -> None:
    people_services.consent_record(
        contact=contact,
        scope=scope,
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=review_in_days),
        note="",
        by=by,
    )


@pytest.fixture
def lee(episode, practitioner):
    """Sam's brother and carer. Sam has not agreed to share personal information with him."""
    lee = ContactFactory(
        person=episode.person, name="Lee Ellison", relationship="sibling", is_carer=True
    )
    consent(lee, ShareScope.NOTHING, practitioner)
    return lee


@pytest.fixture
def jo(episode, practitioner):
    """Sam's sister: Sam agreed to share their care plan with her. Not marked as a carer."""
    jo = ContactFactory(
        person=episode.person,
        name="Jo Ellison",
        relationship="sibling",
        is_carer=False,
        involvement=Involvement.WANTS_INVOLVED,
    )
    consent(jo, ShareScope.CARE_PLAN, practitioner)
    return jo


def url(name: str, episode, contact=None) -> str:
    args = [episode.pk] + ([contact.pk] if contact is not None else [])
    return reverse(f"treatment:{name}", args=args)


def when(minutes_ago: int = 10, prefix: str = "") -> dict[str, str]:
    """A date and time pair, as the form posts them, some minutes ago (or ahead if negative)."""
    at = (timezone.now() - dt.timedelta(minutes=minutes_ago)).astimezone(LONDON)
    return {
        f"{prefix}_on[day]": str(at.day),
        f"{prefix}_on[month]": str(at.month),
        f"{prefix}_on[year]": str(at.year),
        f"{prefix}_time": at.strftime("%H:%M"),
    }


def crs() -> Service:
    return Service.objects.get(name="Crisis Response Service (CRS)")


def plan_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "needs": "Time to myself on Saturdays",
        "support": "Carers' group on Thursdays",
        "if_things_get_worse": "Call the 24/7 line",
        "services": [str(crs().pk)],
        "version": "",
    }
    data.update(overrides)
    return data


def audited(action: AuditAction, **filters: object) -> bool:
    return AuditEvent.objects.filter(action=action, **filters).exists()


# -- The carers page ---------------------------------------------------------------------


def test_the_page_lists_carers_first_with_what_the_person_agreed_to_share(
    signed_in, practitioner, episode, lee, jo
):
    response = signed_in(practitioner).get(url("carers", episode))

    assert response.status_code == 200
    text = page_text(response)
    assert text.index("Lee Ellison") < text.index("Jo Ellison")  # the carer first
    assert (
        "Sam has not agreed to share personal information with Lee Ellison: you can still "
        "support Lee Ellison and give general information." in text
    )
    assert "Sam has agreed we can share their care plan with Jo Ellison." in text
    review = timezone.localdate() + dt.timedelta(days=90)
    assert f"Due on {review.day} {review:%B %Y}" in text
    assert "Offer a conversation to Lee Ellison" in text
    assert "Lee Ellison can be invited only if Sam agrees to share their care plan" in text
    assert "Invite Jo Ellison to a meeting" in text
    assert audited(
        AuditAction.VIEW, section="carers", object_id=episode.pk, person_id=episode.person_id
    )


def test_with_no_carer_marked_the_page_links_to_adding_one_on_the_record(
    signed_in, practitioner, episode, jo
):
    response = signed_in(practitioner).get(url("carers", episode))

    text = page_text(response)
    assert "No carer recorded" in text
    add = reverse("people:contact_create", args=[episode.person_id])
    assert f'href="{add}"' in response.content.decode()


def test_the_persons_wish_not_to_involve_someone_is_shown_with_their_card(
    signed_in, practitioner, episode, lee
):
    lee.involvement = Involvement.DOES_NOT_WANT
    lee.involvement_note = "He shouts when I am unwell"
    lee.save()

    text = page_text(signed_in(practitioner).get(url("carers", episode)))

    assert "Sam does not want Lee Ellison involved" in text
    assert "He shouts when I am unwell" in text


def test_an_overdue_consent_review_is_flagged(signed_in, practitioner, episode, lee):
    record = lee.current_consent
    record.review_on = timezone.localdate() - dt.timedelta(days=1)
    record.save()

    text = page_text(signed_in(practitioner).get(url("carers", episode)))

    assert "Consent review overdue" in text
    assert "ask again" in text


def test_the_page_takes_the_same_number_of_queries_however_many_contacts(
    signed_in, practitioner, episode, lee
):
    client = signed_in(practitioner)
    client.get(url("carers", episode))  # warm the session and the sites cache
    with CaptureQueriesContext(connection) as few:
        client.get(url("carers", episode))
    for n in range(4):
        contact = ContactFactory(person=episode.person, name=f"Friend {n}", is_carer=n % 2 == 0)
        consent(contact, ShareScope.GENERAL, practitioner)
        services.family_contact_attempt_record(
            episode=episode,
            contact=contact,
            attempted_at=timezone.now(),
            method="phone",
            outcome="spoke",
            note="",
            by=practitioner,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url("carers", episode))

    assert len(many) == len(few)


# -- Who may do what ---------------------------------------------------------------------


def test_another_teams_episode_is_refused_and_the_attempt_audited(
    signed_in, staff_user, other_team, make_episode
):
    theirs = make_episode(in_team=other_team, by=staff_user(in_team=other_team))
    contact = ContactFactory(person=theirs.person, is_carer=True)
    client = signed_in(staff_user())

    for page in (
        url("carers", theirs),
        url("carer_general_information", theirs),
        url("carer_general_information_pdf", theirs),
        url("carer_offer", theirs, contact),
        url("carer_plan", theirs, contact),
        url("review_invitation", theirs, contact),
    ):
        assert client.get(page).status_code == 403
    response = client.post(
        url("carer_offer", theirs, contact), {"response": "accepted", **when(5, "offered")}
    )
    assert response.status_code == 403
    assert not CarerConversationOffer.objects.exists()
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.ACCESS_DENIED, object_id=theirs.pk, section="carers"
        ).count()
        == 7
    )


def test_a_missing_episode_is_not_found(signed_in, practitioner):
    response = signed_in(practitioner).get(reverse("treatment:carers", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_a_contact_of_someone_else_is_not_found(signed_in, practitioner, episode):
    stranger = ContactFactory(person=PersonFactory(), is_carer=True)
    client = signed_in(practitioner)

    for name in (
        "carer_offer",
        "carer_conversation",
        "carer_plan",
        "carer_plan_print",
        "carer_plan_pdf",
        "carer_assessment_referral",
        "family_contact_attempt",
        "review_invitation",
    ):
        assert client.get(url(name, episode, stranger)).status_code == 404, name


def test_an_ig_auditor_may_not_read_the_carers_page(signed_in, staff_user, episode):
    client = signed_in(staff_user(Role.IG_AUDITOR))

    assert client.get(url("carers", episode)).status_code == 403


def test_an_administrator_reads_but_does_not_record(signed_in, staff_user, episode, lee):
    client = signed_in(staff_user(Role.ADMINISTRATOR))

    page = client.get(url("carers", episode))
    assert page.status_code == 200
    assert "Offer a conversation" not in page_text(page)
    assert client.get(url("carer_general_information", episode)).status_code == 200
    assert client.get(url("carer_offer", episode, lee)).status_code == 403
    response = client.post(
        url("carer_general_information", episode),
        {"contact": str(lee.pk), "method": "phone", **when(5, "given")},
    )
    assert response.status_code == 403
    assert not FamilyContactAttempt.objects.exists()


def test_a_support_worker_may_support_carers(signed_in, staff_user, episode, lee):
    client = signed_in(staff_user(Role.SUPPORT_WORKER))

    response = client.post(
        url("carer_offer", episode, lee), {"response": "accepted", **when(5, "offered")}
    )

    assert response.status_code == 302
    assert CarerConversationOffer.objects.get().response == "accepted"


def test_every_form_page_is_audited_as_a_view_of_the_record(
    signed_in, practitioner, episode, lee, jo
):
    client = signed_in(practitioner)
    pages = [
        url("carer_offer", episode, lee),
        url("carer_conversation", episode, lee),
        url("carer_plan", episode, lee),
        url("carer_assessment_referral", episode, lee),
        url("family_contact_attempt", episode, jo),
        url("review_invitation", episode, jo),
        url("carer_general_information", episode),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page

    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="carers", person_id=episode.person_id
    ).count() == len(pages)


def test_nothing_can_be_recorded_in_a_closed_episode(signed_in, practitioner, episode, lee):
    type(episode).objects.filter(pk=episode.pk).update(status=EpisodeStatus.CLOSED)

    response = signed_in(practitioner).post(
        url("carer_offer", episode, lee), {"response": "accepted", **when(5, "offered")}
    )

    assert response.status_code == 200
    assert "This episode has ended" in page_text(response)
    assert not CarerConversationOffer.objects.exists()


# -- A conversation of their own ---------------------------------------------------------


def test_an_offer_is_recorded_and_audited(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(
        url("carer_offer", episode, lee), {"response": "not_yet", **when(30, "offered")}
    )

    assert response.status_code == 302
    assert response["Location"] == url("carers", episode)
    offer = CarerConversationOffer.objects.get()
    assert offer.carer == lee
    assert offer.offered_by == practitioner
    assert audited(AuditAction.CREATE, object_id=offer.pk, section="carers")
    text = page_text(signed_in(practitioner).get(url("carers", episode)))
    assert "thinking about it" in text


def test_an_offer_in_the_future_is_refused(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(
        url("carer_offer", episode, lee), {"response": "accepted", **when(-60, "offered")}
    )

    assert response.status_code == 200
    assert "Time offered must be now or in the past" in page_text(response)
    assert not CarerConversationOffer.objects.exists()


def test_an_offer_needs_an_answer(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(url("carer_offer", episode, lee), when(5, "offered"))

    assert "Select what they said" in page_text(response)
    assert not CarerConversationOffer.objects.exists()


def test_only_a_contact_marked_as_a_carer_is_offered_a_carers_conversation(
    signed_in, practitioner, episode, jo
):
    response = signed_in(practitioner).post(
        url("carer_offer", episode, jo), {"response": "accepted", **when(5, "offered")}
    )

    assert "Jo Ellison is not marked as a carer on Sam's record" in page_text(response)
    assert not CarerConversationOffer.objects.exists()


def test_a_conversation_is_recorded_apart_from_the_person(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(
        url("carer_conversation", episode, lee),
        {
            "separate_from_person": "yes",
            "carer_needs": "Not sleeping; worried about losing his job",
            "notes": "Met at the café",
            **when(60, "held"),
        },
    )

    assert response.status_code == 302
    conversation = CarerConversation.objects.get()
    assert conversation.separate_from_person is True
    assert conversation.carer_needs == "Not sleeping; worried about losing his job"
    assert audited(AuditAction.CREATE, object_id=conversation.pk)
    text = page_text(signed_in(practitioner).get(url("carers", episode)))
    assert "Not sleeping; worried about losing his job" in text


def test_a_conversation_needs_the_carers_needs_and_keeps_what_was_typed(
    signed_in, practitioner, episode, lee
):
    response = signed_in(practitioner).post(
        url("carer_conversation", episode, lee),
        {"separate_from_person": "no", "notes": "Spoke on the doorstep", **when(5, "held")},
    )

    assert response.status_code == 200
    assert "Enter what they need as a carer" in page_text(response)
    assert "Spoke on the doorstep" in response.content.decode()
    assert not CarerConversation.objects.exists()


# -- The support plan --------------------------------------------------------------------


def test_the_plan_form_lists_carer_services_first(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).get(url("carer_plan", episode, lee))

    body = response.content.decode()
    first_service = body.index('name="services"')
    assert body.index(str(crs().pk), first_service) < body.index(
        str(Service.objects.get(name="Samaritans").pk)
    )
    assert "Carer support." in page_text(response)


def test_a_plan_is_written_and_goes_to_its_copy(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(url("carer_plan", episode, lee), plan_data())

    assert response.status_code == 302
    assert response["Location"] == url("carer_plan_print", episode, lee)
    plan = CarerSupportPlan.objects.get()
    assert list(plan.services.all()) == [crs()]
    assert plan.written_by == practitioner
    assert audited(AuditAction.CREATE, object_id=plan.pk, section="carers")


def test_a_plan_needs_each_part(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(
        url("carer_plan", episode, lee), plan_data(support="", if_things_get_worse="")
    )

    text = page_text(response)
    assert "Enter what will help and who will do it" in text
    assert "Enter what the carer can do if things get worse" in text
    assert "Time to myself on Saturdays" in response.content.decode()
    assert not CarerSupportPlan.objects.exists()


def test_a_service_not_in_the_directory_is_refused(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(
        url("carer_plan", episode, lee), plan_data(services=[str(uuid.uuid4())])
    )

    assert "Choose services that are listed in the directory" in page_text(response)
    assert not CarerSupportPlan.objects.exists()


def test_a_stale_plan_edit_is_refused_with_what_was_typed_kept(
    signed_in, practitioner, staff_user, episode, lee
):
    client = signed_in(practitioner)
    client.post(url("carer_plan", episode, lee), plan_data())
    plan = CarerSupportPlan.objects.get()
    opened_at = plan.version
    services.carer_plan_update(
        plan=plan,
        expected_version=plan.version,
        needs="Someone else's words",
        support=plan.support,
        if_things_get_worse=plan.if_things_get_worse,
        service_ids=[crs().pk],
        by=staff_user(),
    )

    response = client.post(
        url("carer_plan", episode, lee), plan_data(needs="My words", version=str(opened_at))
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record while you were editing it" in text
    assert "What the carer needs" in text.split("Your form differs from the saved plan in:")[1]
    assert "My words" in response.content.decode()
    plan.refresh_from_db()
    assert plan.needs == "Someone else's words"


def test_changing_the_plan_means_the_new_copy_needs_giving(signed_in, practitioner, episode, lee):
    client = signed_in(practitioner)
    client.post(url("carer_plan", episode, lee), plan_data())
    plan = CarerSupportPlan.objects.get()
    client.post(
        url("carer_plan_given", episode, lee),
        {
            "given_on[day]": str(timezone.localdate().day),
            "given_on[month]": str(timezone.localdate().month),
            "given_on[year]": str(timezone.localdate().year),
            "version": str(plan.version),
        },
    )
    plan.refresh_from_db()
    assert plan.given_on == timezone.localdate()

    client.post(
        url("carer_plan", episode, lee),
        plan_data(needs="Time to myself on Sundays too", version=str(plan.version)),
    )

    plan.refresh_from_db()
    assert plan.needs == "Time to myself on Sundays too"
    assert plan.given_on is None
    assert "has not been given to Lee Ellison yet" in page_text(client.get(url("carers", episode)))


def test_the_plan_is_recorded_as_given_and_audited(signed_in, practitioner, episode, lee):
    client = signed_in(practitioner)
    client.post(url("carer_plan", episode, lee), plan_data())
    plan = CarerSupportPlan.objects.get()
    today = timezone.localdate()

    response = client.post(
        url("carer_plan_given", episode, lee),
        {
            "given_on[day]": str(today.day),
            "given_on[month]": str(today.month),
            "given_on[year]": str(today.year),
            "version": str(plan.version),
        },
    )

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.given_on == today
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=plan.pk, detail__given_on=today.isoformat()
    ).exists()
    assert f"A copy was given to Lee Ellison on {today.day} {today:%B %Y}" in page_text(
        client.get(url("carers", episode))
    )


def test_a_plan_given_in_the_future_is_refused(signed_in, practitioner, episode, lee):
    client = signed_in(practitioner)
    client.post(url("carer_plan", episode, lee), plan_data())
    plan = CarerSupportPlan.objects.get()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(
        url("carer_plan_given", episode, lee),
        {
            "given_on[day]": str(tomorrow.day),
            "given_on[month]": str(tomorrow.month),
            "given_on[year]": str(tomorrow.year),
            "version": str(plan.version),
        },
    )

    assert response.status_code == 200
    assert "Date given must be today or in the past" in page_text(response)
    plan.refresh_from_db()
    assert plan.given_on is None


def test_recording_a_copy_given_after_the_plan_changed_is_refused(
    signed_in, practitioner, episode, lee
):
    client = signed_in(practitioner)
    client.post(url("carer_plan", episode, lee), plan_data())
    plan = CarerSupportPlan.objects.get()
    seen = plan.version
    client.post(url("carer_plan", episode, lee), plan_data(needs="Changed", version=str(seen)))
    today = timezone.localdate()

    response = client.post(
        url("carer_plan_given", episode, lee),
        {
            "given_on[day]": str(today.day),
            "given_on[month]": str(today.month),
            "given_on[year]": str(today.year),
            "version": str(seen),
        },
    )

    assert response.status_code == 200
    assert "Someone changed the support plan while you were reading it" in page_text(response)
    plan.refresh_from_db()
    assert plan.given_on is None


def test_the_copy_is_read_only_for_an_administrator_to_print(
    signed_in, practitioner, staff_user, episode, lee
):
    signed_in(practitioner).post(url("carer_plan", episode, lee), plan_data())
    client = signed_in(staff_user(Role.ADMINISTRATOR))

    page = client.get(url("carer_plan_print", episode, lee))
    pdf = client.get(url("carer_plan_pdf", episode, lee))

    assert page.status_code == 200
    assert "Record as given" not in page_text(page)
    assert pdf["Content-Type"] == "application/pdf"
    plan = CarerSupportPlan.objects.get()
    assert audited(AuditAction.VIEW, object_id=plan.pk, section="carer support plan")
    assert audited(AuditAction.VIEW, object_id=plan.pk, detail__format="pdf")


def test_a_copy_before_any_plan_is_not_found(signed_in, practitioner, episode, lee):
    assert signed_in(practitioner).get(url("carer_plan_print", episode, lee)).status_code == 404


# -- A carer's assessment ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("postcode", "council"),
    [
        ("LE1 1AA", "Leicester City Council"),
        ("LE11 1AA", "Leicestershire County Council"),
        ("LE15 6AA", "Rutland County Council"),
    ],
)
def test_the_council_defaults_to_where_the_person_lives(
    signed_in, practitioner, episode, lee, postcode, council
):
    episode.person.postcode = postcode
    episode.person.save()

    response = signed_in(practitioner).get(url("carer_assessment_referral", episode, lee))

    radio = re.search(rf'<input[^>]*value="{council}"[^>]*>', response.content.decode())
    assert radio is not None and "checked" in radio.group(0)
    assert f"lives in the area of {council}" in page_text(response)


def test_a_referral_without_the_carers_agreement_is_refused(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(
        url("carer_assessment_referral", episode, lee),
        {"council": "Leicester City Council", "carer_agreed": "no"},
    )

    assert response.status_code == 200
    assert "You can only refer Lee Ellison for a carer's assessment if they agree" in page_text(
        response
    )
    assert not CarerAssessmentReferral.objects.exists()


def test_a_referral_with_agreement_is_sent_once(signed_in, practitioner, episode, lee):
    client = signed_in(practitioner)
    data = {"council": "other", "council_other": "Nottingham City Council", "carer_agreed": "yes"}

    assert client.post(url("carer_assessment_referral", episode, lee), data).status_code == 302
    again = client.post(url("carer_assessment_referral", episode, lee), data)

    referral = CarerAssessmentReferral.objects.get()
    assert referral.council == "Nottingham City Council"
    assert referral.status == CarerAssessmentStatus.SENT
    assert referral.carer_agreed is True
    assert "was already referred to Nottingham City Council" in page_text(again)
    assert audited(AuditAction.CREATE, object_id=referral.pk)


def test_another_council_needs_its_name(signed_in, practitioner, episode, lee):
    response = signed_in(practitioner).post(
        url("carer_assessment_referral", episode, lee), {"council": "other", "carer_agreed": "yes"}
    )

    assert "Enter the name of the council" in page_text(response)
    assert not CarerAssessmentReferral.objects.exists()


def test_the_councils_answer_is_recorded_and_a_stale_answer_refused(
    signed_in, practitioner, episode, lee
):
    referral = services.carer_assessment_refer(
        episode=episode,
        carer=lee,
        council="Leicester City Council",
        carer_agreed=True,
        note="Evenings are best",
        by=practitioner,
    )
    client = signed_in(practitioner)
    status_url = reverse("treatment:carer_assessment_status", args=[episode.pk, referral.pk])

    accepted = client.post(
        status_url, {"status": "accepted", "expected_status": "sent", "note": "Visit booked"}
    )
    stale = client.post(status_url, {"status": "declined", "expected_status": "sent"})

    assert accepted.status_code == 302
    referral.refresh_from_db()
    assert referral.status == CarerAssessmentStatus.ACCEPTED
    assert referral.note.startswith("Evenings are best")
    assert "Accepted by the council: Visit booked" in referral.note
    assert "Someone else updated this referral" in page_text(stale)
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=referral.pk, detail__to="accepted"
    ).exists()


# -- Family involvement ------------------------------------------------------------------


def test_an_attempt_to_contact_a_key_person_is_recorded(signed_in, practitioner, episode, jo):
    response = signed_in(practitioner).post(
        url("family_contact_attempt", episode, jo),
        {"method": "phone", "outcome": "no_answer", "note": "", **when(20, "attempted")},
    )

    assert response.status_code == 302
    attempt = FamilyContactAttempt.objects.get()
    assert (attempt.contact, attempt.outcome) == (jo, AttemptOutcome.NO_ANSWER)
    assert audited(AuditAction.CREATE, object_id=attempt.pk)
    assert "phone" in page_text(signed_in(practitioner).get(url("carers", episode)))


def test_an_attempt_in_the_future_is_refused(signed_in, practitioner, episode, jo):
    response = signed_in(practitioner).post(
        url("family_contact_attempt", episode, jo),
        {"method": "phone", "outcome": "spoke", **when(-30, "attempted")},
    )

    assert "Time of the attempt must be now or in the past" in page_text(response)
    assert not FamilyContactAttempt.objects.exists()


def test_an_invitation_without_consent_to_share_the_care_plan_is_refused(
    signed_in, practitioner, episode, lee
):
    client = signed_in(practitioner)
    form = client.get(url("review_invitation", episode, lee))
    meeting = timezone.localdate() + dt.timedelta(days=2)

    response = client.post(
        url("review_invitation", episode, lee),
        {
            "purpose": "Care-planning meeting",
            "meeting_on[day]": str(meeting.day),
            "meeting_on[month]": str(meeting.month),
            "meeting_on[year]": str(meeting.year),
            "meeting_time": "14:00",
        },
    )

    assert "Sam has not agreed to share their care plan with Lee Ellison" in page_text(form)
    assert "Save the invitation" not in page_text(form)
    assert response.status_code == 200
    assert "so Lee Ellison cannot be invited to care-planning or review meetings" in page_text(
        response
    )
    assert not ReviewInvitation.objects.exists()


def test_an_invitation_with_consent_is_recorded(signed_in, practitioner, episode, jo):
    meeting = timezone.localdate() + dt.timedelta(days=2)

    response = signed_in(practitioner).post(
        url("review_invitation", episode, jo),
        {
            "purpose": "Six-week review",
            "meeting_on[day]": str(meeting.day),
            "meeting_on[month]": str(meeting.month),
            "meeting_on[year]": str(meeting.year),
            "meeting_time": "14:00",
        },
    )

    assert response.status_code == 302
    invitation = ReviewInvitation.objects.get()
    assert invitation.meeting_at.astimezone(LONDON).hour == 14
    assert invitation.contact == jo
    assert audited(AuditAction.CREATE, object_id=invitation.pk)
    assert "Six-week review" in page_text(signed_in(practitioner).get(url("carers", episode)))


def test_general_information_can_be_given_to_anyone_whatever_the_consent(
    signed_in, practitioner, episode, lee
):
    lee.involvement = Involvement.DOES_NOT_WANT
    lee.save()

    response = signed_in(practitioner).post(
        url("carer_general_information", episode),
        {"contact": str(lee.pk), "method": "letter", "note": "Posted", **when(5, "given")},
    )

    assert response.status_code == 302
    attempt = FamilyContactAttempt.objects.get()
    assert attempt.contact == lee
    assert attempt.method == "letter"
    assert attempt.outcome == AttemptOutcome.MESSAGE  # sent: a message left for them
    assert attempt.note.startswith("General information given")
    assert attempt.note.endswith("Posted")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=attempt.pk, detail__given="general information"
    ).exists()


def test_general_information_given_in_person_is_a_conversation(
    signed_in, practitioner, episode, lee
):
    signed_in(practitioner).post(
        url("carer_general_information", episode),
        {"contact": str(lee.pk), "method": "in_person", **when(5, "given")},
    )

    assert FamilyContactAttempt.objects.get().outcome == AttemptOutcome.SPOKE


def test_general_information_cannot_be_recorded_for_someone_elses_contact(
    signed_in, practitioner, episode
):
    stranger = ContactFactory(person=PersonFactory())

    response = signed_in(practitioner).post(
        url("carer_general_information", episode),
        {"contact": str(stranger.pk), "method": "phone", **when(5, "given")},
    )

    assert "Select who you gave it to" in page_text(response)
    assert not FamilyContactAttempt.objects.exists()
