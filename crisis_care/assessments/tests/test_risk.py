"""Risk in words, the safety plan written with the person, and both on the person's record.

There is no risk score anywhere (NICE NG225; DOMAIN.md §5.3): the last tests check that.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.assessments import panels
from crisis_care.assessments.models import (
    Assessment,
    AssessmentStatus,
    Decision,
    RiskFormulation,
    SafetyPlan,
)
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text

pytestmark = pytest.mark.django_db

PANELS = [
    "crisis_care.assessments.panels.safety_plan_panel",
    "crisis_care.assessments.panels.assessment_history_panel",
]
PLAN = {
    "warning_signs": "Not sleeping\nPulling away from friends",
    "coping_steps": "Walk the dog by the canal",
    "people_and_places": "My sister Jo, the allotment",
    "professional_contacts": "Crisis team on 0116 496 0123",
    "environment_safer": "Jo keeps the tablets and hands out a week at a time",
}
RISK = {
    "to_self": "Thoughts of overdose last night; no plan today",
    "from_others": "",
    "to_others": "None known",
    "self_neglect": "Not eating for three days",
    "to_children_vulnerable": "No children at home",
    "protective_factors": "Sister Jo, the dog",
    "formulation": "Risk rises when alone at night after arguments; lower with Jo there",
}


@pytest.fixture
def make_assessment(practitioner, person_in_care, make_referral):
    """make_assessment(status=, person=, in_team=, days_ago=): an assessment on a referral."""

    def make(
        *, status=AssessmentStatus.STARTED, person=None, in_team=None, days_ago=0, venue="home"
    ):
        person = person or person_in_care
        referral = make_referral(
            person=person,
            in_team=in_team,
            received_at=timezone.now() - dt.timedelta(days=days_ago, minutes=5),
        )
        starts_at = timezone.now() - dt.timedelta(days=days_ago)
        return Assessment.objects.create(
            referral=referral,
            person=person,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=90),
            venue=venue,
            status=status,
            booked_by=practitioner,
            started_at=starts_at if status != AssessmentStatus.BOOKED else None,
        )

    return make


def write_plan(assessment, by, *, days_ago=0, **parts):
    return SafetyPlan.objects.create(
        person=assessment.person,
        assessment=assessment,
        written_by=by,
        written_at=timezone.now() - dt.timedelta(days=days_ago),
        **{**PLAN, **parts},
    )


# --- The risk formulation ---


def test_the_risk_page_says_risk_is_recorded_in_words_and_audits_the_view(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment()

    response = signed_in(practitioner).get(reverse("assessments:risk", args=[assessment.pk]))

    assert response.status_code == 200
    text = page_text(response)
    assert (
        "Risk is recorded in words, not a score. Scores and tools do not predict self-harm "
        "or suicide (NICE NG225)." in text
    )
    for label in (
        "Risk to self",
        "Risk from others",
        "Risk to others",
        "Self-neglect",
        "Risk to children or vulnerable adults",
        "Protective factors",
        "Risk formulation",
    ):
        assert label in text
    assert "What, how serious, how recent, and what makes it better or worse." in text
    view = AuditEvent.objects.get(action=AuditAction.VIEW, section="risk")
    assert view.person_id == assessment.person_id
    assert view.actor == practitioner


def test_it_saves_the_formulation_in_words(signed_in, practitioner, make_assessment):
    assessment = make_assessment()

    response = signed_in(practitioner).post(reverse("assessments:risk", args=[assessment.pk]), RISK)

    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", args=[assessment.pk])
    risk = RiskFormulation.objects.get(assessment=assessment)
    assert risk.formulation == RISK["formulation"]
    assert risk.self_neglect == "Not eating for three days"
    assert risk.recorded_by == practitioner


def test_saving_again_changes_the_one_formulation_and_the_page_shows_it(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment()
    client = signed_in(practitioner)
    client.post(reverse("assessments:risk", args=[assessment.pk]), RISK)
    client.post(
        reverse("assessments:risk", args=[assessment.pk]),
        {**RISK, "formulation": "Lower now Jo is staying"},
    )

    response = client.get(reverse("assessments:risk", args=[assessment.pk]))

    assert RiskFormulation.objects.filter(assessment=assessment).count() == 1
    assert "Lower now Jo is staying" in response.text
    assert "Last saved by" in page_text(response)


def test_it_needs_the_formulation_and_keeps_what_was_typed(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment()

    response = signed_in(practitioner).post(
        reverse("assessments:risk", args=[assessment.pk]), {**RISK, "formulation": "  "}
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Write the risk formulation: what, why now, and what would help" in response.text
    assert 'href="#id_formulation"' in response.text
    assert "Thoughts of overdose last night; no plan today" in response.text
    assert "<title>Error: " in response.text
    assert not RiskFormulation.objects.exists()


def test_a_support_worker_may_contribute_the_formulation(signed_in, staff_user, make_assessment):
    support = staff_user(Role.SUPPORT_WORKER)
    assessment = make_assessment()

    response = signed_in(support).post(reverse("assessments:risk", args=[assessment.pk]), RISK)

    assert response.status_code == 302


def test_clerical_staff_cannot_open_the_risk_page_and_the_attempt_is_audited(
    signed_in, staff_user, make_assessment
):
    clerk = staff_user(Role.ADMINISTRATOR)
    assessment = make_assessment()

    response = signed_in(clerk).get(reverse("assessments:risk", args=[assessment.pk]))

    assert response.status_code == 403
    refused = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert refused.person_id == assessment.person_id


def test_staff_outside_the_referrals_team_are_refused_and_audited(
    signed_in, staff_user, other_team, make_assessment
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    assessment = make_assessment()
    client = signed_in(outsider)

    risk = client.get(reverse("assessments:risk", args=[assessment.pk]))
    plan = client.post(reverse("assessments:safety_plan", args=[assessment.pk]), PLAN)

    assert risk.status_code == 403
    assert plan.status_code == 403
    assert "Thoughts" not in risk.text
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert {e.section for e in refused} == {"risk", "safety plan"}
    assert all(e.person_id == assessment.person_id and e.actor == outsider for e in refused)
    assert not SafetyPlan.objects.exists()


def test_an_unknown_assessment_is_not_found(signed_in, practitioner):
    import uuid

    response = signed_in(practitioner).get(reverse("assessments:risk", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_a_finalised_assessment_shows_its_formulation_without_a_form(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment()
    RiskFormulation.objects.create(assessment=assessment, recorded_by=practitioner, **RISK)
    Assessment.objects.filter(pk=assessment.pk).update(
        finalised_at=timezone.now(), status=AssessmentStatus.COMPLETED
    )

    response = signed_in(practitioner).get(reverse("assessments:risk", args=[assessment.pk]))

    assert "This assessment is finalised" in response.text
    assert "Risk rises when alone at night" in response.text
    assert "Save risk formulation" not in response.text


def test_a_booked_assessment_asks_for_it_to_be_started_first(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment(status=AssessmentStatus.BOOKED)
    client = signed_in(practitioner)

    page = client.get(reverse("assessments:risk", args=[assessment.pk]))
    attempt = client.post(reverse("assessments:risk", args=[assessment.pk]), RISK)

    assert "Start the assessment before recording the risk formulation." in page.text
    assert "There is a problem" in attempt.text
    assert not RiskFormulation.objects.exists()


# --- The safety plan ---


def test_it_writes_a_safety_plan_with_the_person_and_shows_it(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment()
    client = signed_in(practitioner)

    response = client.post(
        reverse("assessments:safety_plan", args=[assessment.pk]),
        {**PLAN, "written_with_person": "on"},
    )

    plan = SafetyPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:safety_plan_detail", args=[plan.pk])
    assert plan.written_with_person
    assert plan.person_id == assessment.person_id
    assert plan.written_by == practitioner

    shown = client.get(response["Location"])
    text = page_text(shown)
    assert "Safety plan" in text
    assert "1. My warning signs" in text
    assert "Not sleeping" in text and "Pulling away from friends" in text
    assert "Jo keeps the tablets" in text
    assert "Written with Sam." in text
    view = AuditEvent.objects.get(action=AuditAction.VIEW, section="safety plan", object_id=plan.pk)
    assert view.person_id == assessment.person_id


def test_a_plan_not_written_with_the_person_says_so(signed_in, practitioner, make_assessment):
    assessment = make_assessment()
    client = signed_in(practitioner)

    response = client.post(reverse("assessments:safety_plan", args=[assessment.pk]), PLAN)

    plan = SafetyPlan.objects.get()
    assert not plan.written_with_person
    assert "Not written with Sam." in page_text(client.get(response["Location"]))


def test_the_safety_plan_form_has_the_five_parts_and_audits_the_view(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment()

    response = signed_in(practitioner).get(reverse("assessments:safety_plan", args=[assessment.pk]))

    text = page_text(response)
    for label in (
        "1. My warning signs",
        "2. Things I can do to cope",
        "3. People and places that help",
        "4. Professionals I can contact",
        "5. Making my environment safer",
    ):
        assert label in text
    assert "I wrote this plan with Sam, in their words" in text
    assert 'id="id_written_with_person"' in response.text
    assert "checked" not in response.text.split('id="id_written_with_person"')[1].split(">")[0]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="safety plan", person_id=assessment.person_id
    ).exists()


def test_a_new_plan_starts_from_the_previous_one(signed_in, practitioner, make_assessment):
    earlier = make_assessment(days_ago=30)
    write_plan(earlier, practitioner, days_ago=30, coping_steps="Phone Jo and go to hers")
    assessment = make_assessment()

    response = signed_in(practitioner).get(reverse("assessments:safety_plan", args=[assessment.pk]))

    assert "Phone Jo and go to hers" in response.text
    assert "We have filled in Sam's last plan" in page_text(response)


def test_missing_parts_are_listed_and_what_was_typed_is_kept(
    signed_in, practitioner, make_assessment
):
    assessment = make_assessment()

    response = signed_in(practitioner).post(
        reverse("assessments:safety_plan", args=[assessment.pk]),
        {**PLAN, "coping_steps": "", "environment_safer": " ", "written_with_person": "on"},
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter the things they can do to cope" in response.text
    assert "Enter how they will make their environment safer" in response.text
    assert 'href="#id_coping_steps"' in response.text
    assert "Not sleeping" in response.text
    assert "My sister Jo, the allotment" in response.text
    assert not SafetyPlan.objects.exists()


def test_an_earlier_plan_says_it_is_not_the_current_one(signed_in, practitioner, make_assessment):
    assessment = make_assessment()
    old = write_plan(assessment, practitioner, days_ago=10)
    current = write_plan(assessment, practitioner)
    client = signed_in(practitioner)

    old_page = client.get(reverse("assessments:safety_plan_detail", args=[old.pk]))
    current_page = client.get(reverse("assessments:safety_plan_detail", args=[current.pk]))

    assert "This is not the current plan" in old_page.text
    assert reverse("assessments:safety_plan_detail", args=[current.pk]) in old_page.text
    assert "This is not the current plan" not in current_page.text


def test_a_safety_plan_is_refused_without_a_relationship_and_open_with_emergency_access(
    signed_in, practitioner, staff_user, other_team, make_assessment
):
    plan = write_plan(make_assessment(), practitioner)
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    client = signed_in(outsider)
    url = reverse("assessments:safety_plan_detail", args=[plan.pk])

    refused = client.get(url)
    assert refused.status_code == 403
    assert "Walk the dog" not in refused.text
    assert "Use emergency access" in refused.text
    assert AuditEvent.objects.filter(
        action=AuditAction.ACCESS_DENIED, section="safety plan", person_id=plan.person_id
    ).exists()

    client.post(
        reverse("people:break_glass", args=[plan.person_id]),
        {"reason": "Police called: Sam in distress at the bridge, need the safety plan"},
    )
    opened = client.get(url)
    assert opened.status_code == 200
    assert "Walk the dog" in opened.text
    assert "Emergency access" in opened.text
    view = AuditEvent.objects.get(action=AuditAction.VIEW, section="safety plan")
    assert view.detail == {"basis": "break_glass"}


def test_an_unknown_safety_plan_is_not_found(signed_in, practitioner):
    import uuid

    response = signed_in(practitioner).get(
        reverse("assessments:safety_plan_detail", args=[uuid.uuid4()])
    )

    assert response.status_code == 404


# --- On the person's record ---


def test_the_record_shows_the_current_safety_plan_and_the_assessment_history(
    signed_in, practitioner, make_assessment, person_in_care, settings
):
    settings.CRISIS_CARE_RECORD_PANELS = PANELS
    earlier = make_assessment(days_ago=40, venue="lri_ed")
    Assessment.objects.filter(pk=earlier.pk).update(
        status=AssessmentStatus.DECIDED, finalised_at=timezone.now()
    )
    Decision.objects.create(
        assessment=earlier,
        outcome="home_treatment",
        reasons="Wants to stay at home with Jo",
        decided_by=practitioner,
        decided_at=timezone.now() - dt.timedelta(days=40),
    )
    old_plan = write_plan(earlier, practitioner, days_ago=40, coping_steps="Old coping steps")
    latest = make_assessment()
    plan = write_plan(latest, practitioner, coping_steps="Walk the dog by the canal")

    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    text = page_text(response)
    assert response.status_code == 200
    # The current plan: all five parts, who wrote it and when, and with the person or not.
    assert "Safety plan" in text
    for label in ("1. My warning signs", "5. Making my environment safer"):
        assert label in text
    assert "Walk the dog by the canal" in text
    assert "Old coping steps" not in text
    assert f"Written by {practitioner.get_full_name()}" in text
    assert "Written with Sam." in text
    assert reverse("assessments:safety_plan_detail", args=[plan.pk]) in response.text
    assert reverse("assessments:safety_plan_detail", args=[old_plan.pk]) in response.text
    assert "Earlier safety plans" in text
    # The history: newest first, with venue, status and decision.
    assert "Assessments" in text
    assert "Emergency department, Leicester Royal Infirmary" in text
    assert "Home treatment" in text
    assert "No decision yet" in text
    assert "Decided" in text and "Started" in text
    assert text.index("No decision yet") < text.index("Home treatment")
    for assessment in (earlier, latest):
        assert reverse("assessments:detail", args=[assessment.pk]) in response.text
    # After the personal details.
    assert text.index("Personal details") < text.index("1. My warning signs")


def test_the_record_says_when_there_is_no_plan_or_assessment_yet(
    signed_in, practitioner, person_in_care, settings
):
    settings.CRISIS_CARE_RECORD_PANELS = PANELS

    response = signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))

    text = page_text(response)
    assert "No safety plan has been written yet." in text
    assert "No assessments yet." in text


def test_the_panels_are_not_shown_to_someone_who_cannot_open_the_record(
    signed_in, practitioner, staff_user, other_team, make_assessment, person_in_care, settings
):
    settings.CRISIS_CARE_RECORD_PANELS = PANELS
    write_plan(make_assessment(), practitioner)
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    response = signed_in(outsider).get(reverse("people:detail", args=[person_in_care.pk]))

    assert response.status_code == 403
    assert "Walk the dog" not in response.text


@pytest.mark.parametrize("provider", [panels.safety_plan_panel, panels.assessment_history_panel])
def test_each_panel_takes_one_query_however_long_the_history(
    provider, practitioner, make_assessment, person_in_care, django_assert_num_queries
):
    with django_assert_num_queries(1):
        provider(person=person_in_care, user=practitioner)
    for days_ago in (1, 2, 3, 4, 5):
        assessment = make_assessment(days_ago=days_ago)
        write_plan(assessment, practitioner, days_ago=days_ago)
    Decision.objects.create(
        assessment=assessment,
        outcome="signposting",
        reasons="Support from the crisis café",
        decided_by=practitioner,
        decided_at=timezone.now(),
    )

    with django_assert_num_queries(1):
        panel = provider(person=person_in_care, user=practitioner)

    assert panel is not None


def test_the_record_page_costs_the_same_queries_with_one_or_many_assessments(
    signed_in, practitioner, make_assessment, person_in_care, settings
):
    settings.CRISIS_CARE_RECORD_PANELS = PANELS
    client = signed_in(practitioner)
    url = reverse("people:detail", args=[person_in_care.pk])
    write_plan(make_assessment(days_ago=9), practitioner, days_ago=9)
    client.get(url)  # warm up the session and caches

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for days_ago in (1, 2, 3, 4):
        write_plan(make_assessment(days_ago=days_ago), practitioner, days_ago=days_ago)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(one)


# --- No risk score anywhere (NICE NG225) ---

ASSESSMENTS = Path(__file__).resolve().parents[1]
NICE_NOTE = (
    "Risk is recorded in words, not a score. Scores and tools do not predict self-harm or "
    "suicide (NICE NG225)."
)


def test_no_model_field_holds_a_risk_score():
    for model in apps.get_models():
        names = [field.name.lower() for field in model._meta.get_fields()]
        if model._meta.app_label == "assessments":
            assert not [n for n in names if "score" in n or "rating" in n], model
        assert not [n for n in names if "risk" in n and ("score" in n or "level" in n)], model


def test_no_assessment_template_or_module_mentions_a_score_except_to_say_there_is_none():
    for path in sorted(ASSESSMENTS.rglob("*")):
        if path.suffix not in {".jinja", ".py"} or "tests" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        assert "risk_score" not in source.lower(), path
        if path.suffix == ".jinja":
            remaining = source.replace(NICE_NOTE, "")
            assert not re.search(r"score", remaining, re.IGNORECASE), path


def test_the_risk_pages_ask_for_no_score(signed_in, practitioner, make_assessment):
    assessment = make_assessment()
    client = signed_in(practitioner)

    for name in ("assessments:risk", "assessments:safety_plan"):
        response = client.get(reverse(name, args=[assessment.pk]))
        names = re.findall(r'name="([^"]+)"', response.text)
        assert not [n for n in names if re.search(r"score|rating|level", n, re.IGNORECASE)]
        assert page_text(response).lower().replace(NICE_NOTE.lower(), "").count("score") == 0
