"""One assessment: its page, starting it, the structured record (drafts, stale saves,
finalising, addenda), key people, the status history and the audit of every view."""

import datetime as dt

import pytest
from django.urls import reverse

from crisis_care.assessments import services
from crisis_care.assessments.forms import RecordForm
from crisis_care.assessments.models import (
    MANDATORY_DOMAINS,
    Addendum,
    Assessment,
    AssessmentStatus,
    KeyPerson,
)
from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.people.models import Contact
from crisis_care.referrals.clocks import ClockName, ClockState
from crisis_care.referrals.selectors import referral_clocks

from . import test_booking

# Fixtures and helpers shared with the booking tests (the same Tuesday morning, early shift
# and pair of staff).
morning = test_booking.morning
early_shift = test_booking.early_shift
support_worker = test_booking.support_worker
pair = test_booking.pair
book = test_booking.book

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(make_referral, pair, practitioner):
    return book(make_referral(), pair, practitioner, at=dt.time(9, 30))


@pytest.fixture
def started(booked, practitioner):
    return services.assessment_start(assessment=booked, at=None, by=practitioner)


def written(prefix="Recorded"):
    return {name: f"{prefix}: {name.replace('_', ' ')}" for name in MANDATORY_DOMAINS}


def finalised(assessment, by):
    assessment.refresh_from_db()
    services.assessment_save(
        assessment=assessment, data=written(), expected_version=assessment.version, by=by
    )
    services.risk_save(
        assessment=assessment,
        data={"to_self": "Thoughts of overdose, no plan", "formulation": "Worse alone at night"},
        by=by,
    )
    assessment.refresh_from_db()
    return services.assessment_finalise(assessment=assessment, by=by)


def record_data(assessment, **fields):
    data = {name: "" for name in (*MANDATORY_DOMAINS, "needs_and_goals", "others_present")}
    data.update({"version": str(assessment.version), "person_present": "on"})
    data.update(fields)
    return data


def url(name, assessment):
    return reverse(f"assessments:{name}", args=[assessment.pk])


# The assessment page.


def test_the_page_shows_the_booking_and_tags_the_registered_practitioner(
    signed_in, practitioner, support_worker, booked
):
    response = signed_in(practitioner).get(url("detail", booked))

    text = page_text(response)
    assert "Booked" in text
    assert "3 March 2026 at 9:30am to 11am" in text
    assert "The person's home:" in text
    assert f"{practitioner} Registered practitioner" in text
    assert f"{support_worker} Registered practitioner" not in text
    assert "Start the assessment" in text
    assert "Cancel the assessment" in text


def test_starting_stops_the_referrals_face_to_face_clock(signed_in, practitioner, booked):
    response = signed_in(practitioner).post(url("start", booked), follow=True)

    assert response.redirect_chain[-1][0] == url("record", booked)
    booked.referral.refresh_from_db()
    face_to_face = next(
        c for c in referral_clocks(booked.referral) if c.name is ClockName.FACE_TO_FACE
    )
    assert face_to_face.state is ClockState.MET
    booked.refresh_from_db()
    assert booked.status == AssessmentStatus.STARTED


def test_every_change_of_status_is_a_row_with_who_and_when(
    signed_in, practitioner, started, make_referral, pair
):
    finalised(started, practitioner)
    cancelled = book(make_referral(), pair, practitioner, at=dt.time(12, 0))
    signed_in(practitioner).post(url("cancel", cancelled), {"reason": "Admitted overnight"})

    history = [(c.status, c.changed_by) for c in started.status_history.all()]
    assert history == [
        ("booked", practitioner),
        ("started", practitioner),
        ("completed", practitioner),
    ]
    assert [c.status for c in cancelled.status_history.all()] == ["booked", "cancelled"]
    text = page_text(signed_in(practitioner).get(url("detail", started)))
    assert f"booked by {practitioner}" in text
    assert f"completed by {practitioner}" in text


@pytest.mark.parametrize("addenda", [1, 5])
def test_the_page_issues_a_fixed_number_of_queries(
    signed_in, practitioner, started, django_assert_num_queries, addenda
):
    done = finalised(started, practitioner)
    for n in range(addenda):
        services.addendum_add(assessment=done, text=f"Correction {n}", by=practitioner)
    client = signed_in(practitioner)

    # session, user, the assessment (referral, team, person, risk and decision joined; the
    # user's teams as a subquery), its staff, history and addenda, the audit row, and the
    # session update (in a savepoint).
    with django_assert_num_queries(11):
        response = client.get(url("detail", done))

    assert page_text(response).count("Correction") == addenda


def test_the_page_is_refused_to_another_team_and_the_refusal_is_audited(
    signed_in, staff_user, other_team, booked
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(url("detail", booked))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, actor=outsider, object_id=booked.pk
    ).exists()


@pytest.mark.parametrize(
    ("page", "section"),
    [
        ("detail", "assessment"),
        ("record", "assessment record"),
        ("key_people", "key people"),
        ("cancel", "assessment cancel"),
    ],
)
def test_every_page_of_an_assessment_is_audited_against_the_person(
    signed_in, practitioner, started, page, section
):
    signed_in(practitioner).get(url(page, started))

    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        actor=practitioner,
        person_id=started.person_id,
        object_id=started.pk,
        section=section,
    ).exists()


# The structured record.


def test_the_record_form_covers_every_domain_with_its_label():
    form = RecordForm()
    for name in (*MANDATORY_DOMAINS, "needs_and_goals"):
        assert form.fields[name].label == Assessment._meta.get_field(name).verbose_name
    assert "person_present" in form.fields
    assert "others_present" in form.fields


def test_the_record_page_lists_every_domain_and_loads_the_draft_script(
    signed_in, practitioner, started
):
    response = signed_in(practitioner).get(url("record", started))

    for name in (*MANDATORY_DOMAINS, "needs_and_goals", "others_present"):
        assert f'id="id_{name}"' in response.text
    assert "Carers' views" in page_text(response)
    assert f'data-draft-id="{started.pk}"' in response.text
    assert 'data-draft-state="fresh"' in response.text
    assert "/static/js/draft.js" in response.text
    assert "<script>" not in response.text  # no inline script (CSP)


def test_a_support_worker_can_save_a_partial_draft(signed_in, support_worker, started):
    response = signed_in(support_worker).post(
        url("record", started),
        record_data(
            started,
            mental_state="Tearful, good eye contact, no psychotic features",
            others_present="His sister, Dee",
        ),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == url("record", started) + "?saved=1"
    assert "Draft saved at" in page_text(response)
    assert 'data-draft-state="saved"' in response.text
    started.refresh_from_db()
    assert started.mental_state == "Tearful, good eye contact, no psychotic features"
    assert started.others_present == "His sister, Dee"
    assert started.symptoms == ""
    assert started.finalised_at is None


def test_a_stale_save_is_refused_and_what_was_typed_is_kept(
    signed_in, practitioner, support_worker, started
):
    opened_at = started.version
    services.assessment_save(
        assessment=started,
        data={"mental_state": "Settled, calm"},
        expected_version=opened_at,
        by=support_worker,
    )

    response = signed_in(practitioner).post(
        url("record", started),
        record_data(started, version=str(opened_at), mental_state="Agitated, pacing"),
    )

    text = page_text(response)
    assert StaleEdit.message in text
    assert "Agitated, pacing" in text
    assert "Mental state" in text  # named as a part that differs
    assert 'data-draft-state="kept"' in response.text
    started.refresh_from_db()
    assert started.mental_state == "Settled, calm"
    assert f'name="version" value="{started.version}"' in response.text


def test_the_record_cannot_be_saved_before_the_assessment_starts(signed_in, practitioner, booked):
    response = signed_in(practitioner).post(
        url("record", booked), record_data(booked, symptoms="Not sleeping")
    )

    assert "Start the assessment before recording it." in page_text(response)
    assert "Not sleeping" in page_text(response)
    booked.refresh_from_db()
    assert booked.symptoms == ""


def test_finalising_is_refused_with_the_missing_parts_listed(signed_in, practitioner, started):
    started.refresh_from_db()
    services.assessment_save(
        assessment=started,
        data={"mental_state": "Low mood", "symptoms": "Early waking"},
        expected_version=started.version,
        by=practitioner,
    )

    response = signed_in(practitioner).post(url("finalise", started))

    text = page_text(response)
    assert "The assessment cannot be finalised yet" in text
    assert "Write the circumstances and triggers of the crisis part" in text
    assert "Write the children or vulnerable adults in the household part" in text
    assert "Write the mental state part" not in text
    assert "Record the risk formulation" in text
    assert f'href="{url("record", started)}#id_physical_health"' in response.text
    started.refresh_from_db()
    assert started.finalised_at is None
    assert started.mental_state == "Low mood"


def test_a_clinician_finalises_a_complete_record(signed_in, practitioner, started):
    started.refresh_from_db()
    services.assessment_save(
        assessment=started, data=written(), expected_version=started.version, by=practitioner
    )
    services.risk_save(assessment=started, data={"formulation": "Low when alone"}, by=practitioner)

    response = signed_in(practitioner).post(url("finalise", started), follow=True)

    assert "Assessment finalised" in page_text(response)
    assert "Record the decision" in page_text(response)
    started.refresh_from_db()
    assert (started.status, started.finalised_by) == (AssessmentStatus.COMPLETED, practitioner)


def test_a_support_worker_cannot_finalise(signed_in, support_worker, started):
    started.refresh_from_db()
    services.assessment_save(
        assessment=started, data=written(), expected_version=started.version, by=support_worker
    )
    client = signed_in(support_worker)

    assert "A registered practitioner, doctor or psychologist finalises" in page_text(
        client.get(url("detail", started))
    )
    assert client.post(url("finalise", started)).status_code == 403
    started.refresh_from_db()
    assert started.finalised_at is None


def test_a_finalised_record_is_read_only_and_a_save_changes_nothing(
    signed_in, practitioner, started
):
    done = finalised(started, practitioner)
    client = signed_in(practitioner)

    page = client.get(url("record", done))
    assert 'id="assessment-record"' not in page.text
    assert "Recorded: mental state" in page_text(page)

    response = client.post(
        url("record", done),
        record_data(done, mental_state="Rewritten after the event"),
    )

    assert response.status_code == 409
    text = page_text(response)
    assert "This assessment is finalised. Nothing has been changed" in text
    assert "Rewritten after the event" in text  # shown back, to copy into an addendum
    done.refresh_from_db()
    assert done.mental_state == "Recorded: mental state"


def test_an_addendum_is_kept_beside_the_record_with_who_and_when(
    signed_in, support_worker, practitioner, started
):
    done = finalised(started, practitioner)
    client = signed_in(support_worker)

    response = client.post(
        url("addendum", done),
        {"text": "Correction: the sister's name is Deanna, not Dee."},
        follow=True,
    )

    addendum = Addendum.objects.get(assessment=done)
    assert (addendum.written_by, addendum.text) == (
        support_worker,
        "Correction: the sister's name is Deanna, not Dee.",
    )
    text = page_text(response)
    assert f"Added by {support_worker} on 3 March 2026 at" in text
    assert "the sister's name is Deanna" in text
    done.refresh_from_db()
    assert done.family_social_network == "Recorded: family social network"


def test_an_empty_addendum_is_refused(signed_in, practitioner, started):
    done = finalised(started, practitioner)

    response = signed_in(practitioner).post(url("addendum", done), {"text": ""})

    assert "Enter the addendum" in page_text(response)
    assert not Addendum.objects.exists()


def test_an_addendum_is_not_for_a_draft(signed_in, practitioner, started):
    response = signed_in(practitioner).get(url("addendum", started))

    assert response.status_code == 302
    assert response.url == url("record", started)


# Key people.


def test_the_persons_wish_about_a_key_person_is_recorded(signed_in, practitioner, started):
    sister = factories.ContactFactory(person=started.person, name="Deanna Ellis")
    prefix = f"c{sister.pk.hex}"

    response = signed_in(practitioner).post(
        url("key_people", started),
        {
            "contact": str(sister.pk),
            f"{prefix}-involvement": "do_not_involve",
            f"{prefix}-note": "She will tell Mum, and I'm not ready",
        },
        follow=True,
    )

    key = KeyPerson.objects.get(assessment=started)
    assert (key.contact, key.involvement) == (sister, "do_not_involve")
    sister.refresh_from_db()
    assert sister.involvement == "do_not_involve"
    text = page_text(response)
    assert f"{started.person.given_name} does not want Deanna Ellis involved" in text
    assert "She will tell Mum, and I'm not ready" in text
    assert "app-involvement-warning" in response.text


def test_a_contact_of_someone_else_cannot_be_recorded(signed_in, practitioner, started):
    stranger = factories.ContactFactory()
    prefix = f"c{stranger.pk.hex}"

    response = signed_in(practitioner).post(
        url("key_people", started),
        {"contact": str(stranger.pk), f"{prefix}-involvement": "involve"},
    )

    assert response.status_code == 404
    assert not KeyPerson.objects.exists()
    assert Contact.objects.get(pk=stranger.pk).involvement == "not_asked"


def test_a_missing_wish_is_refused_on_that_persons_form(signed_in, practitioner, started):
    sister = factories.ContactFactory(person=started.person, name="Deanna Ellis")

    response = signed_in(practitioner).post(url("key_people", started), {"contact": str(sister.pk)})

    assert "Select what the person wants" in page_text(response)
    assert f'href="#id_c{sister.pk.hex}-involvement"' in response.text
    assert not KeyPerson.objects.exists()
