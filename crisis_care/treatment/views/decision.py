"""The decision after an assessment, discussed with the person, and the letter that says so.

The decision is recorded by `treatment.services.decision_apply`, which calls the
assessment stage's `decision_record` and opens what follows in the same transaction: a
home treatment episode (linked to the admission it shortens, for early supported
discharge) or an admission record with its gatekeeping answer (CORE items 6 and 7).
The letter to the GP and referrer is written here, kept on the decision, and shown as a
page and a PDF. Every view of a person's record here is audited.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from crisis_care.assessments import selectors as assessment_selectors
from crisis_care.assessments.models import Assessment, Decision, Outcome
from crisis_care.assessments.rules import may_finalise
from crisis_care.core.models import User
from crisis_care.directory import selectors as directory_selectors
from crisis_care.nhsuk_forms import params as form_params
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.referrals import letters as referral_letters

from .. import letters, presenters, selectors, services
from ..forms import DecisionForm
from ..models import Admission, Episode
from ..rules import TreatmentAction
from .common import audit_view, refuse, require, user_of

# Who may read a decision, its letter and the episode: the team's care staff (clerical
# staff send the letters; rules.TreatmentAction.VIEW). Recording the decision is for
# clinicians (assessments.rules).


def _require_reader(user: User) -> None:
    require(user, TreatmentAction.VIEW)


def _assessment_or_refuse(user: User, pk: uuid.UUID) -> Assessment:
    """The assessment if its referral is held by one of the user's teams; 404 if there is no
    such assessment; 403 (audited) if another team holds it."""
    try:
        return selectors.assessment_for_decision(pk=pk, user=user)
    except Assessment.DoesNotExist:
        if not selectors.assessment_exists(pk=pk):
            raise Http404("No such assessment") from None
    refuse(user, object_type="assessments.Assessment", pk=pk, section="decision")


def _decision_or_refuse(user: User, pk: uuid.UUID, section: str) -> Decision:
    try:
        return selectors.decision_for_user(pk=pk, user=user)
    except Decision.DoesNotExist:
        if not selectors.decision_exists(pk=pk):
            raise Http404("No such decision") from None
    refuse(user, object_type="assessments.Decision", pk=pk, section=section)


def _opened_episode(decision: Decision) -> Episode | None:
    try:
        return decision.episode
    except Episode.DoesNotExist:
        return None


def _opened_admission(decision: Decision) -> Admission | None:
    try:
        return decision.admission
    except Admission.DoesNotExist:
        return None


# -- Recording the decision --------------------------------------------------------------


def _choice_params(form: DecisionForm, name: str, **params: Any) -> dict[str, Any]:
    return form_params.choice_params(form[name], params or None)


def _services_params(form: DecisionForm, hints: dict[str, str]) -> dict[str, Any]:
    params = form_params.choice_params(form["services"])
    for item in params["items"]:
        if hints.get(item["value"]):
            item["hint"] = {"text": hints[item["value"]]}
    return params


def _record(
    form: DecisionForm,
    assessment: Assessment,
    user: User,
    *,
    early_discharge_applies: bool,
    open_admission: Admission | None,
) -> Decision:
    """Write the letter from the answers, then record the decision with it (one transaction:
    if the service refuses, nothing is saved)."""
    data = form.cleaned_data
    outcome = data["outcome"]
    admitted = outcome == Outcome.ADMISSION
    service_ids = (
        [uuid.UUID(value) for value in data["services"]]
        if outcome in (Outcome.REFERRAL_ON, Outcome.SIGNPOSTING)
        else []
    )
    early_discharge: letters.EarlyDischarge | None = None
    if early_discharge_applies and outcome == Outcome.HOME_TREATMENT:
        if open_admission is not None:
            early_discharge = letters.EarlyDischarge(
                ward=open_admission.ward, admitted_on=timezone.localdate(open_admission.admitted_at)
            )
        else:
            early_discharge = letters.EarlyDischarge(
                ward=data["early_discharge_ward"].strip(),
                admitted_on=data["early_discharge_admitted_on"],
            )
    letter = letters.build_letter(
        assessment=assessment,
        outcome=outcome,
        reasons=data["reasons"],
        discussed_with_person=data["discussed_with_person"],
        person_view=data["person_view"],
        by=user,
        crisis_help=directory_selectors.crisis_help_services(),
        legal_status=data["legal_status"] if admitted else "",
        ward=data["ward"] if admitted else "",
        services=directory_selectors.services_for_signposting(service_ids),
        safety_plan=assessment_selectors.current_safety_plan(person=assessment.person)
        if outcome == Outcome.HOME_TREATMENT
        else None,
        early_discharge=early_discharge,
    )
    decision, _ = services.decision_apply(
        assessment=assessment,
        by=user,
        outcome=outcome,
        reasons=data["reasons"],
        discussed_with_person=data["discussed_with_person"],
        person_view=data["person_view"],
        legal_status=data["legal_status"] if admitted else "",
        ward=data["ward"].strip() if admitted else "",
        gatekept_in_person=data["gatekept_in_person"] if admitted else None,
        gatekeeping_failure_reason=data["gatekeeping_failure_reason"] if admitted else "",
        service_ids=service_ids,
        letter=letter,
        early_discharge_ward=early_discharge.ward if early_discharge else "",
        early_discharge_admitted_on=early_discharge.admitted_on if early_discharge else None,
    )
    return decision


@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, assessment_pk: uuid.UUID) -> HttpResponseBase:
    user = user_of(request)
    if not may_finalise(user.role):
        raise PermissionDenied(
            "Only a registered practitioner, doctor, psychologist or team manager can record "
            "the decision."
        )
    assessment = _assessment_or_refuse(user, assessment_pk)
    existing = selectors.decision_for_assessment(assessment=assessment)
    if existing is not None:
        messages.info(request, "The decision has already been recorded. This is its letter.")
        return redirect("treatment:decision_letter", pk=existing.pk)
    if not assessment.is_finalised:
        messages.info(request, "Finalise the assessment before recording the decision.")
        return redirect("assessments:detail", pk=assessment.pk)

    early_discharge = presenters.asks_about_early_discharge(assessment)
    open_admission = selectors.open_admission(person=assessment.person) if early_discharge else None
    choices = directory_selectors.services_list()
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        services=[(str(s.pk), s.name) for s in choices],
        early_discharge=early_discharge and open_admission is None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = _record(
                form,
                assessment,
                user,
                early_discharge_applies=early_discharge,
                open_admission=open_admission,
            )
        except ValidationError as error:
            add_service_error(form, error)
        except IntegrityError:
            # Another clinician recorded the decision a moment before (one per assessment).
            recorded = selectors.decision_for_assessment(assessment=assessment)
            if recorded is None:
                raise
            messages.info(
                request,
                "Someone else recorded the decision for this assessment a moment ago. "
                "This is their decision and letter: yours was not saved.",
            )
            return redirect("treatment:decision_letter", pk=recorded.pk)
        else:
            messages.success(
                request,
                "Decision recorded. The letter below has been kept with it: download it as a "
                "PDF to send to the GP and the referrer.",
            )
            return redirect("treatment:decision_letter", pk=decision.pk)

    audit_view(user, assessment, assessment.person_id, "decision")
    safety_plan = assessment_selectors.current_safety_plan(person=assessment.person)
    hints = {str(s.pk): referral_letters.service_choice_hint(s) for s in choices}
    return render(
        request,
        "treatment/decide.jinja",
        {
            "title": "Record the decision",
            "assessment": assessment,
            "referral": assessment.referral,
            "person": assessment.person,
            "form": form,
            "has_errors": bool(form.errors),
            "outcome_params": _choice_params(form, "outcome"),
            "discussed_params": _choice_params(
                form, "discussed_with_person", classes="nhsuk-radios--inline"
            ),
            "legal_status_params": _choice_params(form, "legal_status"),
            "gatekept_params": _choice_params(
                form, "gatekept_in_person", classes="nhsuk-radios--inline"
            ),
            "services_params": _services_params(form, hints),
            "early_discharge": early_discharge,
            "open_admission": open_admission,
            "safety_plan": safety_plan,
            "back_link": {
                "href": reverse("assessments:detail", args=[assessment.pk]),
                "text": "Back to the assessment",
            },
        },
    )


# -- The letter --------------------------------------------------------------------------


@require_http_methods(["GET"])
def decision_letter(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    _require_reader(user)
    decision = _decision_or_refuse(user, pk, "decision letter")
    assessment = decision.assessment
    audit_view(user, decision, assessment.person_id, "decision letter", format="page")
    services_chosen = [s.name for s in decision.services.all()]
    return render(
        request,
        "treatment/letter.jinja",
        {
            "title": presenters.letter_heading(decision),
            "decision": decision,
            "person": assessment.person,
            "team": assessment.referral.team,
            "rows": presenters.decision_rows(decision, services_chosen),
            "gatekeeping_failure": presenters.is_gatekeeping_failure(decision),
            "episode": _opened_episode(decision),
            "admission": _opened_admission(decision),
            "blocks": referral_letters.letter_blocks(decision.letter),
            "back_link": {
                "href": reverse("referrals:detail", args=[assessment.referral_id]),
                "text": "Back to the referral",
            },
        },
    )


@require_http_methods(["GET"])
def decision_letter_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = user_of(request)
    _require_reader(user)
    decision = _decision_or_refuse(user, pk, "decision letter")
    if not decision.letter.strip():
        raise Http404("No letter was kept with this decision")
    audit_view(user, decision, decision.assessment.person_id, "decision letter", format="pdf")
    html = render_to_string(
        "treatment/letter_pdf.jinja",
        {
            "title": presenters.pdf_title(decision),
            "heading": f"Outcome of the crisis assessment: {Outcome(decision.outcome).label.lower()}",
            "team": decision.assessment.referral.team,
            "blocks": referral_letters.letter_blocks(decision.letter),
        },
    )
    response = HttpResponse(referral_letters.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{presenters.pdf_filename(decision)}"'
    response["Cache-Control"] = "no-store, private"
    return response
