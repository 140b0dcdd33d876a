"""Recording the decision after an assessment (CORE items 6 and 7), the letter to the GP
and referrer, and the home treatment episode it opens."""

import datetime as dt
import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.assessments.models import (
    AssessmentStatus,
    Decision,
    LegalStatus,
    Outcome,
    Venue,
)
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory.models import Service
from crisis_care.directory.selectors import crisis_help_services
from crisis_care.directory.tests.factories import PhoneFactory, ServiceFactory
from crisis_care.people.models import CareTeamLink
from crisis_care.referrals.models import Status
from crisis_care.treatment.models import Admission, Episode

pytestmark = pytest.mark.django_db

REASONS = "Sam can stay safe at home with daily visits; their sister is staying with them."


@pytest.fixture
def talking_space() -> Service:
    service = ServiceFactory(name="Talking Space wellbeing service", takes_referrals=True)
    PhoneFactory(service=service, number="0116 496 0777")
    return service


@pytest.fixture
def crisis_line() -> Service:
    """The 24/7 mental health line: seeded by the directory migration (present unless a
    transactional test flushed it)."""
    seeded = [s for s in crisis_help_services() if s.name.startswith("24/7 mental health line")]
    if seeded:
        return seeded[0]
    service = ServiceFactory(
        name="24/7 mental health line (LLR Central Access Point)",
        is_crisis_help=True,
        crisis_help_order=20,
        area="llr",
    )
    PhoneFactory(service=service, number="0808 800 3302")
    return service


def decide_url(assessment) -> str:
    return reverse("treatment:decide", args=[assessment.pk])


def post_data(outcome: str = Outcome.HOME_TREATMENT, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "outcome": outcome,
        "reasons": REASONS,
        "discussed_with_person": "yes",
        "person_view": "Sam would rather be at home than on a ward.",
    }
    data.update(overrides)
    return data


def admission_data(**overrides: object) -> dict[str, object]:
    data = post_data(
        Outcome.ADMISSION,
        reasons="Not safe at home tonight; agreed to come into hospital.",
        legal_status=LegalStatus.VOLUNTARY,
        ward="Heather ward, Bradgate Unit",
        gatekept_in_person="yes",
    )
    data.update(overrides)
    return data


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# -- The form -------------------------------------------------------------------------


def test_the_form_shows_every_section_without_needing_script(
    signed_in, practitioner, finalised_assessment, talking_space
):
    response = signed_in(practitioner).get(decide_url(finalised_assessment))

    assert response.status_code == 200
    text = page_text(response)
    for words in (
        "If home treatment",
        "If hospital admission",
        "If referral on or signposting",
        "Did the crisis team assess the person in person before admission?",
        "Talking Space wellbeing service",
        "Mental Health Act section 2",
    ):
        assert words in text
    body = response.content.decode()
    assert 'id="id_outcome"' in body  # the first radio has the bare id the errors link to
    assert "Early supported discharge" not in text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="decision", object_id=finalised_assessment.pk
    ).exists()


def test_a_decision_without_reasons_is_refused_with_what_was_typed_kept(
    signed_in, practitioner, finalised_assessment
):
    response = signed_in(practitioner).post(
        decide_url(finalised_assessment),
        post_data(reasons="", person_view="Sam wants to stay at home with their dog."),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter the reasons for the decision" in text
    assert 'href="#id_reasons"' in response.content.decode()
    assert "Sam wants to stay at home with their dog." in text
    assert not Decision.objects.exists()
    assert not Episode.objects.exists()
    finalised_assessment.referral.refresh_from_db()
    assert finalised_assessment.referral.is_open


def test_a_decision_needs_an_outcome(signed_in, practitioner, finalised_assessment):
    response = signed_in(practitioner).post(decide_url(finalised_assessment), post_data(outcome=""))

    assert "Select the decision" in page_text(response)
    assert not Decision.objects.exists()


# -- Home treatment -------------------------------------------------------------------


def test_home_treatment_opens_an_episode_and_closes_the_referral(
    signed_in, practitioner, finalised_assessment
):
    response = signed_in(practitioner).post(decide_url(finalised_assessment), post_data())

    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:decision_letter", args=[decision.pk])
    assert decision.outcome == Outcome.HOME_TREATMENT
    assert decision.reasons == REASONS
    assert decision.decided_by == practitioner
    assert decision.discussed_with_person is True
    episode = Episode.objects.get()
    assert episode.decision == decision
    assert episode.person == finalised_assessment.person
    assert episode.early_discharge_from is None
    assert CareTeamLink.objects.filter(
        source="episode", source_id=episode.pk, team=episode.team, closed_at__isnull=True
    ).exists()
    referral = finalised_assessment.referral
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    finalised_assessment.refresh_from_db()
    assert finalised_assessment.status == AssessmentStatus.DECIDED


def test_the_letter_page_shows_the_letter_and_links_the_pdf_and_the_episode(
    signed_in, practitioner, finalised_assessment
):
    client = signed_in(practitioner)
    client.post(decide_url(finalised_assessment), post_data())
    decision = Decision.objects.get()

    response = client.get(reverse("treatment:decision_letter", args=[decision.pk]))

    text = page_text(response)
    assert "Our decision: home treatment" in text
    assert REASONS in text
    assert "Warning signs: Not sleeping, pulling away from friends" in text
    body = response.content.decode()
    assert reverse("treatment:decision_letter_pdf", args=[decision.pk]) in body
    assert reverse("treatment:episode", args=[decision.episode.pk]) in body
    assert "Gatekeeping failure" not in text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="decision letter", object_id=decision.pk
    ).exists()


def test_the_gp_letter_pdf_names_the_decision_the_safety_plan_and_the_crisis_line(
    signed_in, practitioner, finalised_assessment, crisis_line
):
    client = signed_in(practitioner)
    client.post(decide_url(finalised_assessment), post_data())
    decision = Decision.objects.get()

    response = client.get(reverse("treatment:decision_letter_pdf", args=[decision.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="assessment-decision-')
    assert "Ellison" not in disposition
    text = pdf_text(response.content)
    assert "Outcome of the crisis assessment: home treatment" in text
    assert "Our decision: home treatment" in text
    assert "Our team will visit Sam Ellison at home" in text
    assert "Warning signs: Not sleeping" in text
    assert "Things I can do to cope: Walk the dog" in text
    assert "Making my environment safer" in text
    assert "24/7 mental health line" in text
    assert "0808 800 3302" in text
    assert "0300 300 1010" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        section="decision letter",
        object_id=decision.pk,
        detail__format="pdf",
    ).exists()


def test_the_episode_page_shows_the_person_the_decision_the_safety_plan_and_the_referral(
    signed_in, practitioner, finalised_assessment
):
    client = signed_in(practitioner)
    client.post(decide_url(finalised_assessment), post_data())
    episode = Episode.objects.get()

    response = client.get(reverse("treatment:episode", args=[episode.pk]))

    assert response.status_code == 200
    text = page_text(response)
    assert "Sam Ellison" in text
    assert "Home treatment" in text
    assert REASONS in text
    body = response.content.decode()
    plan = finalised_assessment.person.safety_plans.get()
    assert reverse("assessments:safety_plan_detail", args=[plan.pk]) in body
    assert reverse("referrals:detail", args=[finalised_assessment.referral_id]) in body
    assert reverse("treatment:decision_letter", args=[episode.decision_id]) in body
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="episode", object_id=episode.pk
    ).exists()


# -- Early supported discharge (CORE item 7) ----------------------------------------------


def test_after_a_ward_referral_the_form_asks_about_the_admission(
    signed_in, practitioner, make_finalised_assessment
):
    assessment = make_finalised_assessment(source="inpatient_ward", venue=Venue.BRADGATE_WARD)

    text = page_text(signed_in(practitioner).get(decide_url(assessment)))

    assert "Early supported discharge" in text
    assert "Which ward is the person leaving?" in text


def test_early_supported_discharge_links_the_admission_and_the_episode(
    signed_in, practitioner, make_finalised_assessment
):
    assessment = make_finalised_assessment(source="inpatient_ward", venue=Venue.BRADGATE_WARD)
    admitted = timezone.localdate() - dt.timedelta(days=9)

    response = signed_in(practitioner).post(
        decide_url(assessment),
        post_data(
            early_discharge_ward="Heather ward",
            **{
                "early_discharge_admitted_on[day]": str(admitted.day),
                "early_discharge_admitted_on[month]": str(admitted.month),
                "early_discharge_admitted_on[year]": str(admitted.year),
            },
        ),
    )

    assert response.status_code == 302
    episode = Episode.objects.get()
    admission = episode.early_discharge_from
    assert admission is not None
    assert admission.ward == "Heather ward"
    assert admission.person == assessment.person
    assert admission.admitted_at.date() == admitted
    assert "can leave Heather ward" in episode.decision.letter
    episode_page = page_text(
        signed_in(practitioner).get(reverse("treatment:episode", args=[episode.pk]))
    )
    assert "Early supported discharge from" in episode_page
    assert "Heather ward" in episode_page


def test_early_supported_discharge_needs_the_ward_and_the_admission_date(
    signed_in, practitioner, make_finalised_assessment
):
    assessment = make_finalised_assessment(source="inpatient_ward")

    response = signed_in(practitioner).post(decide_url(assessment), post_data())

    text = page_text(response)
    assert "Enter the ward the person is leaving" in text
    assert "Enter the date of admission" in text
    assert not Decision.objects.exists()


def test_an_admission_already_on_record_is_the_one_linked(
    signed_in, practitioner, make_finalised_assessment
):
    assessment = make_finalised_assessment(source="inpatient_ward")
    from crisis_care.treatment.services import admission_record

    on_record = admission_record(
        person=assessment.person,
        ward="Aston ward",
        legal_status=LegalStatus.SECTION_2,
        admitted_at=dt.datetime(2026, 1, 5, 14, 0, tzinfo=dt.UTC),
        by=practitioner,
    )
    client = signed_in(practitioner)
    form_page = page_text(client.get(decide_url(assessment)))
    assert "admission to Aston ward on 5 January 2026 is on record" in form_page

    client.post(decide_url(assessment), post_data())

    assert Episode.objects.get().early_discharge_from == on_record
    assert Admission.objects.count() == 1


# -- Admission and gatekeeping (CORE item 6) ------------------------------------------


def test_an_admission_needs_the_legal_status_the_ward_and_the_gatekeeping_answer(
    signed_in, practitioner, finalised_assessment
):
    response = signed_in(practitioner).post(
        decide_url(finalised_assessment),
        admission_data(legal_status="", ward="", gatekept_in_person=""),
    )

    text = page_text(response)
    assert "Select the legal status of the admission" in text
    assert "Enter the ward" in text
    assert "Select whether the crisis team assessed the person in person before admission" in text
    assert 'href="#id_gatekept_in_person"' in response.content.decode()
    assert not Decision.objects.exists()
    assert not Admission.objects.exists()


def test_gatekeeping_is_recorded_for_an_admission(signed_in, practitioner, finalised_assessment):
    response = signed_in(practitioner).post(
        decide_url(finalised_assessment), admission_data(legal_status=LegalStatus.SECTION_2)
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == Outcome.ADMISSION
    assert decision.legal_status == LegalStatus.SECTION_2
    assert decision.ward == "Heather ward, Bradgate Unit"
    assert decision.gatekept_in_person is True
    admission = Admission.objects.get()
    assert admission.decision == decision
    assert admission.legal_status == LegalStatus.SECTION_2
    assert not Episode.objects.exists()
    assert "under section 2 of the Mental Health Act" in decision.letter
    assert not AuditEvent.objects.filter(section="decision", flagged_for_review=True).exists()


def test_a_gatekeeping_failure_needs_a_reason(signed_in, practitioner, finalised_assessment):
    response = signed_in(practitioner).post(
        decide_url(finalised_assessment), admission_data(gatekept_in_person="no")
    )

    assert "Enter why the person was not assessed in person before admission" in page_text(response)
    assert not Decision.objects.exists()


def test_a_gatekeeping_failure_is_flagged_and_shown_to_the_team_not_in_the_letter(
    signed_in, practitioner, finalised_assessment
):
    why = "Police brought Sam to the place of safety overnight; the team was at another assessment."
    client = signed_in(practitioner)
    client.post(
        decide_url(finalised_assessment),
        admission_data(
            legal_status=LegalStatus.SECTION_136,
            gatekept_in_person="no",
            gatekeeping_failure_reason=why,
        ),
    )

    decision = Decision.objects.get()
    assert decision.gatekept_in_person is False
    assert decision.gatekeeping_failure_reason == why
    assert AuditEvent.objects.filter(
        section="decision", object_id=decision.pk, flagged_for_review=True
    ).exists()
    assert why not in decision.letter
    text = page_text(client.get(reverse("treatment:decision_letter", args=[decision.pk])))
    assert "Gatekeeping failure: flagged for review" in text
    assert why in text


# -- Referral on and signposting --------------------------------------------------------


def test_referral_on_needs_a_service(signed_in, practitioner, finalised_assessment):
    response = signed_in(practitioner).post(
        decide_url(finalised_assessment), post_data(Outcome.REFERRAL_ON)
    )

    assert "Choose at least one service from the directory" in page_text(response)
    assert 'href="#id_services"' in response.content.decode()
    assert not Decision.objects.exists()


def test_referral_on_names_the_service_with_its_phone_in_the_letter(
    signed_in, practitioner, finalised_assessment, talking_space
):
    response = signed_in(practitioner).post(
        decide_url(finalised_assessment),
        post_data(Outcome.REFERRAL_ON, services=[str(talking_space.pk)]),
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert list(decision.services.all()) == [talking_space]
    assert "### Talking Space wellbeing service" in decision.letter
    assert "Phone: 0116 496 0777" in decision.letter
    assert not Episode.objects.exists()
    assert not Admission.objects.exists()


def test_signposting_records_the_services_and_closes_the_referral(
    signed_in, practitioner, finalised_assessment, talking_space
):
    signed_in(practitioner).post(
        decide_url(finalised_assessment),
        post_data(Outcome.SIGNPOSTING, services=[str(talking_space.pk)]),
    )

    decision = Decision.objects.get()
    assert decision.outcome == Outcome.SIGNPOSTING
    assert "can contact these services themselves" in decision.letter
    finalised_assessment.referral.refresh_from_db()
    assert finalised_assessment.referral.status == Status.CLOSED


# -- Who and when -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.ADMINISTRATOR])
def test_only_clinicians_may_record_the_decision(signed_in, staff_user, finalised_assessment, role):
    client = signed_in(staff_user(role))

    assert client.get(decide_url(finalised_assessment)).status_code == 403
    assert client.post(decide_url(finalised_assessment), post_data()).status_code == 403
    assert not Decision.objects.exists()


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.PSYCHOLOGIST, Role.TEAM_MANAGER])
def test_other_clinicians_may_record_the_decision(
    signed_in, staff_user, finalised_assessment, role
):
    response = signed_in(staff_user(role)).post(decide_url(finalised_assessment), post_data())

    assert response.status_code == 302
    assert Decision.objects.get().decided_by.role == role


def test_the_decision_waits_for_the_assessment_to_be_finalised(
    signed_in, practitioner, finalised_assessment
):
    finalised_assessment.finalised_at = None
    finalised_assessment.save(update_fields=["finalised_at"])
    client = signed_in(practitioner)

    response = client.get(decide_url(finalised_assessment))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[finalised_assessment.pk])

    client.post(decide_url(finalised_assessment), post_data())
    assert not Decision.objects.exists()


def test_a_decided_assessment_goes_to_its_letter(signed_in, practitioner, finalised_assessment):
    client = signed_in(practitioner)
    client.post(decide_url(finalised_assessment), post_data())
    decision = Decision.objects.get()

    response = client.post(decide_url(finalised_assessment), admission_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("treatment:decision_letter", args=[decision.pk])
    assert Decision.objects.count() == 1


def test_another_teams_assessment_is_refused_and_the_attempt_audited(
    signed_in, staff_user, other_team, make_finalised_assessment
):
    theirs = make_finalised_assessment(in_team=other_team, by=staff_user(in_team=other_team))
    client = signed_in(staff_user())

    assert client.get(decide_url(theirs)).status_code == 403
    assert client.post(decide_url(theirs), post_data()).status_code == 403
    assert not Decision.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, object_id=theirs.pk, section="decision"
    ).exists()


def test_another_teams_letter_and_episode_are_refused(
    signed_in, staff_user, other_team, make_finalised_assessment
):
    their_clinician = staff_user(in_team=other_team)
    theirs = make_finalised_assessment(in_team=other_team, by=their_clinician)
    signed_in(their_clinician).post(decide_url(theirs), post_data())
    decision = Decision.objects.get()
    client = signed_in(staff_user())

    for url in (
        reverse("treatment:decision_letter", args=[decision.pk]),
        reverse("treatment:decision_letter_pdf", args=[decision.pk]),
        reverse("treatment:episode", args=[decision.episode.pk]),
    ):
        assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 3


def test_a_missing_assessment_decision_or_episode_is_not_found(signed_in, practitioner):
    import uuid

    client = signed_in(practitioner)
    missing = uuid.uuid4()
    for name in ("treatment:decide", "treatment:decision_letter", "treatment:episode"):
        assert client.get(reverse(name, args=[missing])).status_code == 404


def test_the_team_administrator_may_read_the_letter_to_send_it(
    signed_in, staff_user, practitioner, finalised_assessment
):
    signed_in(practitioner).post(decide_url(finalised_assessment), post_data())
    decision = Decision.objects.get()

    client = signed_in(staff_user(Role.ADMINISTRATOR))

    assert client.get(reverse("treatment:decision_letter", args=[decision.pk])).status_code == 200


def test_a_decision_recorded_by_someone_else_a_moment_before_is_not_overwritten(
    signed_in, practitioner, finalised_assessment, monkeypatch
):
    """Two clinicians submit at once: the second insert hits the one-decision-per-assessment
    constraint, and the second clinician is shown the first decision."""
    from django.db import IntegrityError

    from crisis_care.treatment import services as treatment_services

    real_apply = treatment_services.decision_apply

    def first_one_wins(**kwargs):
        real_apply(**{**kwargs, "reasons": "Recorded first by a colleague."})
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(treatment_services, "decision_apply", first_one_wins)

    response = signed_in(practitioner).post(decide_url(finalised_assessment), post_data())

    decision = Decision.objects.get()
    assert decision.reasons == "Recorded first by a colleague."
    assert response["Location"] == reverse("treatment:decision_letter", args=[decision.pk])


def test_what_is_typed_is_escaped_on_the_letter_page(signed_in, practitioner, finalised_assessment):
    client = signed_in(practitioner)
    client.post(decide_url(finalised_assessment), post_data(reasons="<script>alert(1)</script>"))
    decision = Decision.objects.get()

    body = client.get(reverse("treatment:decision_letter", args=[decision.pk])).content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_admission_date_in_the_future_is_refused(
    signed_in, practitioner, make_finalised_assessment
):
    assessment = make_finalised_assessment(source="inpatient_ward")
    later = timezone.localdate() + dt.timedelta(days=2)

    response = signed_in(practitioner).post(
        decide_url(assessment),
        post_data(
            early_discharge_ward="Heather ward",
            **{
                "early_discharge_admitted_on[day]": str(later.day),
                "early_discharge_admitted_on[month]": str(later.month),
                "early_discharge_admitted_on[year]": str(later.year),
            },
        ),
    )

    assert "Date of admission must be today or in the past" in page_text(response)
    assert not Decision.objects.exists()
