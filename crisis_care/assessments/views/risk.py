"""Risk and the safety plan (CORE item 31; NICE NG225).

Risk is a formulation in words, never a score: risk scales and tools do not predict
self-harm or suicide, so nothing here rates, ranks or totals risk. The safety plan is
written with the person, in their own words; a new plan is a new row and the newest is
the current one.

Risk pages are for staff who contribute to assessments, in the team holding the referral.
A safety plan is opened like the person's record (legitimate relationship or emergency
access), because it is what a clinician in a crisis most needs to see.
"""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.people import selectors as people_selectors
from crisis_care.people import services as people_services
from crisis_care.people.rules import PersonAction
from crisis_care.people.selectors import Access

from .. import panels, selectors, services
from ..models import Assessment, AssessmentStatus, SafetyPlan
from ..rules import may_contribute
from .common import assessment_or_refuse

RISK_FIELDS = (
    "to_self",
    "from_others",
    "to_others",
    "self_neglect",
    "to_children_vulnerable",
    "protective_factors",
    "formulation",
)
PLAN_PARTS = (
    "warning_signs",
    "coping_steps",
    "people_and_places",
    "professional_contacts",
    "environment_safer",
)
_HOW = "What, how serious, how recent, and what makes it better or worse."


def _text(label: str, hint: str, *, required: bool = False, message: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=10_000,
        strip=True,
        widget=forms.Textarea,
        error_messages={"required": message} if message else {},
    )


class RiskForm(forms.Form):
    to_self = _text("Risk to self", f"Self-harm and suicide. {_HOW}")
    from_others = _text(
        "Risk from others", f"Abuse, exploitation or violence from other people. {_HOW}"
    )
    to_others = _text("Risk to others", f"Harm or threats to other people. {_HOW}")
    self_neglect = _text(
        "Self-neglect",
        f"Eating and drinking, medicines, personal care, the home and money. {_HOW}",
    )
    to_children_vulnerable = _text(
        "Risk to children or vulnerable adults",
        "Children or adults at risk whom the person lives with, cares for or sees. "
        f"{_HOW} Say if you have made a safeguarding referral.",
    )
    protective_factors = _text(
        "Protective factors",
        "What helps keep the person safe: people, reasons for living, plans, beliefs, "
        "things they value and have to look forward to.",
    )
    formulation = _text(
        "Risk formulation",
        "In sentences: what the risks are, why now, what would make them worse and what "
        "would help. Include what the person thinks.",
        required=True,
        message="Write the risk formulation: what, why now, and what would help",
    )


class SafetyPlanForm(forms.Form):
    warning_signs = _text(
        "1. My warning signs",
        "Thoughts, feelings, moods, pictures in my mind or situations that tell me a crisis "
        "may be starting.",
        required=True,
        message="Enter the warning signs",
    )
    coping_steps = _text(
        "2. Things I can do to cope",
        "Things I can do on my own to take my mind off my problems or feel calmer, such as "
        "a walk, music, a shower or a breathing exercise.",
        required=True,
        message="Enter the things they can do to cope",
    )
    people_and_places = _text(
        "3. People and places that help",
        "People I can be with and places I can go that take my mind off things, and people "
        "I can ask for help. Include phone numbers.",
        required=True,
        message="Enter the people and places that help",
    )
    professional_contacts = _text(
        "4. Professionals I can contact",
        "The crisis team, my GP and other services, with their phone numbers. At any time: "
        "NHS 111 (choose the mental health option), Samaritans on 116 123, or 999 in an "
        "emergency.",
        required=True,
        message="Enter the professionals they can contact",
    )
    environment_safer = _text(
        "5. Making my environment safer",
        "What I will do to make where I am safer, such as asking someone I trust to keep my "
        "medicines, or removing things I could use to hurt myself.",
        required=True,
        message="Enter how they will make their environment safer",
    )
    written_with_person = forms.BooleanField(required=False)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _assessment_or_refuse(request: HttpRequest, pk: uuid.UUID, *, section: str) -> Assessment:
    """The assessment, if the user may contribute and one of their teams holds its referral."""
    return assessment_or_refuse(request, pk, section=section, allowed=may_contribute)


def _viewed(user: User, obj: Assessment | SafetyPlan, person_id: uuid.UUID, section: str) -> None:
    audit_record(actor=user, action=AuditAction.VIEW, obj=obj, person_id=person_id, section=section)


def _risk_locked(assessment: Assessment) -> str:
    """Why the risk formulation cannot be changed now ("" when it can). The service decides;
    this only spares the user a form that could not be saved."""
    if assessment.is_finalised:
        return (
            "This assessment is finalised, so its risk formulation can no longer be changed. "
            "Add an addendum to the assessment to correct or add to it."
        )
    if assessment.status == AssessmentStatus.CANCELLED:
        return "This assessment was cancelled."
    if assessment.status == AssessmentStatus.BOOKED:
        return "Start the assessment before recording the risk formulation."
    return ""


def _back_to_assessment(assessment: Assessment) -> dict[str, str]:
    return {
        "href": reverse("assessments:detail", args=[assessment.pk]),
        "text": "Back to the assessment",
    }


@require_http_methods(["GET", "POST"])
def risk_formulation(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    assessment = _assessment_or_refuse(request, pk, section="risk")
    user = _user(request)
    risk = getattr(assessment, "risk", None)
    if request.method == "POST":
        form = RiskForm(request.POST)
        if form.is_valid():
            try:
                services.risk_save(assessment=assessment, data=form.cleaned_data, by=user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Risk formulation saved.")
                return redirect("assessments:detail", pk=assessment.pk)
    else:
        _viewed(user, assessment, assessment.person_id, "risk")
        form = RiskForm(initial={f: getattr(risk, f) for f in RISK_FIELDS} if risk else None)
    return render(
        request,
        "assessments/risk.jinja",
        {
            "title": "Risk formulation",
            "assessment": assessment,
            "person": assessment.person,
            "risk": risk,
            "form": form,
            "locked": _risk_locked(assessment),
            "has_errors": bool(form.errors),
            "back_link": _back_to_assessment(assessment),
        },
    )


@require_http_methods(["GET", "POST"])
def safety_plan_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    assessment = _assessment_or_refuse(request, pk, section="safety plan")
    user = _user(request)
    previous = selectors.current_safety_plan(person=assessment.person)
    if request.method == "POST":
        form = SafetyPlanForm(request.POST)
        if form.is_valid():
            try:
                plan = services.safety_plan_create(
                    assessment=assessment, data=form.cleaned_data, by=user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Safety plan saved. It is now the current plan.")
                return redirect("assessments:safety_plan_detail", plan_pk=plan.pk)
    else:
        _viewed(user, assessment, assessment.person_id, "safety plan")
        initial: dict[str, Any] = {"written_with_person": False}
        if previous is not None:
            initial.update({f: getattr(previous, f) for f in PLAN_PARTS})
        form = SafetyPlanForm(initial=initial)
    return render(
        request,
        "assessments/safety_plan.jinja",
        {
            "title": "Write a safety plan",
            "assessment": assessment,
            "person": assessment.person,
            "previous": previous,
            "form": form,
            "has_errors": bool(form.errors),
            "back_link": _back_to_assessment(assessment),
        },
    )


@require_http_methods(["GET"])
def safety_plan_detail(request: HttpRequest, plan_pk: uuid.UUID) -> HttpResponse:
    user = _user(request)
    try:
        plan = panels.safety_plan_get(pk=plan_pk)
    except SafetyPlan.DoesNotExist:
        raise Http404("No such safety plan") from None
    person = plan.person
    decision = people_selectors.person_access(
        user=user, person=person, action=PersonAction.VIEW_RECORD
    )
    if not decision.allowed:
        people_services.record_access_refused(
            user=user, person=person, decision=decision, section="safety plan"
        )
        return render(
            request,
            "people/access_refused.jinja",
            {
                "title": "You cannot open this record",
                "reason": decision.reason,
                "person": person,
                "can_break_glass": decision.access is Access.NEEDS_BREAK_GLASS,
            },
            status=403,
        )
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=plan,
        person_id=person.pk,
        section="safety plan",
        detail={"basis": decision.access.value},
    )
    current = selectors.current_safety_plan(person=person)
    return render(
        request,
        "assessments/safety_plan_detail.jinja",
        {
            "title": f"Safety plan for {person.full_name}",
            "plan": plan,
            "person": person,
            "current": current,
            "via_break_glass": decision.access is Access.BREAK_GLASS,
            "can_write": plan.assessment_id is not None and may_contribute(user.role),
            "back_link": {
                "href": reverse("people:detail", args=[person.pk]),
                "text": "Back to the record",
            },
        },
    )
