"""One assessment: the page for it, starting it, the structured record (drafts, finalising,
addenda) and the key people in the person's life.

Every page checks the role rule and that the assessment's referral belongs to one of the
user's teams, and every GET writes an audit row against the person.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisis_care.core.concurrency import StaleEdit
from crisis_care.core.models import User
from crisis_care.core.presenters import time_short
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.nhsuk_forms.stale import keep_input_at_current_version
from crisis_care.people import presenters as people_presenters
from crisis_care.people.models import Involvement
from crisis_care.referrals import presenters as referral_presenters

from .. import presenters, selectors, services
from ..forms import AddendumForm, KeyPersonForm, RecordForm
from ..models import MANDATORY_DOMAINS, Assessment, AssessmentStatus
from ..rules import may_book, may_contribute, may_finalise
from .common import assessment_or_refuse, audit_view, require


def _back_to(assessment: Assessment) -> dict[str, str]:
    return {
        "href": reverse("assessments:detail", args=[assessment.pk]),
        "text": "Back to the assessment",
    }


def _can(user: User) -> dict[str, bool]:
    return {
        "book": may_book(user.role),
        "contribute": may_contribute(user.role),
        "finalise": may_finalise(user.role),
    }


# --- The assessment page -----------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    assessment: Assessment,
    user: User,
    refusals: list[presenters.Refusal] | None = None,
) -> HttpResponse:
    referral = assessment.referral
    return render(
        request,
        "assessments/detail.jinja",
        {
            "title": f"Assessment for {assessment.person.full_name}",
            "assessment": assessment,
            "referral": referral,
            "clock": selectors.face_to_face_clock(referral),
            "has_risk": hasattr(assessment, "risk"),
            "decision": getattr(assessment, "decision", None),
            "refusals": [r.as_error() for r in refusals or []],
            "has_errors": bool(refusals),
            "p": presenters,
            "rp": referral_presenters,
            "can": _can(user),
            "back_link": {
                "href": reverse("referrals:detail", args=[referral.pk]),
                "text": "Back to the referral",
            },
        },
    )


@require_GET
def assessment_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = require(request, may_book)
    assessment = assessment_or_refuse(request, pk)
    audit_view(user, assessment, "assessment")
    return _render_detail(request, assessment, user)


@require_POST
def assessment_start(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, may_contribute)
    assessment = assessment_or_refuse(request, pk)
    try:
        services.assessment_start(assessment=assessment, at=None, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("assessments:detail", pk=assessment.pk)
    messages.success(request, "Assessment started. The referral's face-to-face clock has stopped.")
    return redirect("assessments:record", pk=assessment.pk)


@require_POST
def assessment_finalise(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, may_finalise)
    assessment = assessment_or_refuse(request, pk)
    try:
        services.assessment_finalise(assessment=assessment, by=user)
    except ValidationError as error:
        refusals = presenters.finalise_refusals(
            assessment, has_risk=hasattr(assessment, "risk"), fallback=error.messages
        )
        return _render_detail(request, assessment, user, refusals=refusals)
    messages.success(
        request,
        "Assessment finalised. It can no longer be changed: add an addendum to correct it.",
    )
    return redirect("assessments:detail", pk=assessment.pk)


# --- The structured record ---------------------------------------------------------------


def _record_initial(assessment: Assessment) -> dict[str, Any]:
    return {
        **{name: getattr(assessment, name) for name in services.RECORD_FIELDS},
        "version": assessment.version,
    }


def _typed_but_not_saved(request: HttpRequest, assessment: Assessment) -> list[tuple[str, str]]:
    """What someone typed into a record that can no longer change, so they can copy it into
    an addendum rather than lose it."""
    typed = []
    for name in (*MANDATORY_DOMAINS, "needs_and_goals", "others_present"):
        value = request.POST.get(name, "").strip()
        if value and value != getattr(assessment, name).strip():
            typed.append((str(RecordForm.base_fields[name].label), value))
    return typed


def _render_read_only(
    request: HttpRequest, assessment: Assessment, user: User, *, refused: str = ""
) -> HttpResponse:
    return render(
        request,
        "assessments/record.jinja",
        {
            "title": f"Assessment record for {assessment.person.full_name}",
            "assessment": assessment,
            "read_only": True,
            "refused": refused,
            "typed": _typed_but_not_saved(request, assessment) if refused else [],
            "has_errors": bool(refused),
            "sections": presenters.RECORD_SECTIONS,
            "p": presenters,
            "can": _can(user),
            "back_link": _back_to(assessment),
        },
        status=409 if refused else 200,
    )


@require_http_methods(["GET", "POST"])
def assessment_record(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, may_contribute)
    assessment = assessment_or_refuse(request, pk, section="assessment record")
    if assessment.is_finalised or assessment.status == AssessmentStatus.CANCELLED:
        if request.method == "POST":
            refused = (
                "This assessment is finalised. Nothing has been changed: add an addendum to "
                "correct or add to it."
                if assessment.is_finalised
                else "This assessment was cancelled. Nothing has been changed."
            )
            return _render_read_only(request, assessment, user, refused=refused)
        audit_view(user, assessment, "assessment record")
        return _render_read_only(request, assessment, user)

    stale = False
    if request.method == "POST":
        form = RecordForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.assessment_save(
                    assessment=assessment,
                    data=data,
                    expected_version=form.cleaned_data["version"] or 0,
                    by=user,
                )
            except StaleEdit:
                current = selectors.assessment_for_user(pk=assessment.pk, user=user)
                form, stale = keep_input_at_current_version(form, current), True
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"Draft saved at {time_short(timezone.now())}.")
                return redirect(reverse("assessments:record", args=[assessment.pk]) + "?saved=1")
    else:
        audit_view(user, assessment, "assessment record")
        form = RecordForm(initial=_record_initial(assessment))

    if request.method == "POST":
        draft_state = "kept"  # the form holds what was typed: nothing to restore
    elif request.GET.get("saved") == "1":
        draft_state = "saved"  # the browser's copy has been saved: clear it
    else:
        draft_state = "fresh"
    return render(
        request,
        "assessments/record.jinja",
        {
            "title": f"Record the assessment for {assessment.person.full_name}",
            "assessment": assessment,
            "read_only": False,
            "form": form,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "draft_state": draft_state,
            "has_errors": bool(form.errors) or stale,
            "sections": presenters.RECORD_SECTIONS,
            "p": presenters,
            "can": _can(user),
            "back_link": _back_to(assessment),
        },
    )


@require_http_methods(["GET", "POST"])
def addendum_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, may_contribute)
    assessment = assessment_or_refuse(request, pk, section="assessment addendum")
    if not assessment.is_finalised:
        messages.info(
            request, "Addenda are for finalised assessments. Edit the draft record directly."
        )
        return redirect("assessments:record", pk=assessment.pk)
    form = AddendumForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.addendum_add(
                    assessment=assessment, text=form.cleaned_data["text"], by=user
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Addendum added.")
                return redirect("assessments:record", pk=assessment.pk)
    else:
        audit_view(user, assessment, "assessment addendum")
    return render(
        request,
        "assessments/addendum.jinja",
        {
            "title": "Add an addendum",
            "assessment": assessment,
            "form": form,
            "has_errors": bool(form.errors),
            "p": presenters,
            "back_link": {
                "href": reverse("assessments:record", args=[assessment.pk]),
                "text": "Back to the assessment record",
            },
        },
    )


# --- Key people --------------------------------------------------------------------------


def _key_person_prefix(contact_pk: uuid.UUID) -> str:
    return f"c{contact_pk.hex}"


@require_http_methods(["GET", "POST"])
def key_people(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, may_contribute)
    assessment = assessment_or_refuse(request, pk, section="key people")
    contacts = selectors.contacts_for_person(person=assessment.person)
    editable = assessment.status == AssessmentStatus.STARTED and not assessment.is_finalised
    key_forms = {
        contact.pk: KeyPersonForm(
            initial={"involvement": contact.involvement, "note": contact.involvement_note},
            prefix=_key_person_prefix(contact.pk),
        )
        for contact in contacts
    }
    if request.method == "POST":
        contact = next((c for c in contacts if str(c.pk) == request.POST.get("contact")), None)
        if contact is None:
            raise Http404("No such contact for this person")
        form = KeyPersonForm(request.POST, prefix=_key_person_prefix(contact.pk))
        if form.is_valid():
            try:
                services.key_person_record(
                    assessment=assessment,
                    contact=contact,
                    involvement=form.cleaned_data["involvement"],
                    note=form.cleaned_data["note"],
                    by=user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                wish = Involvement(form.cleaned_data["involvement"]).label.lower()
                messages.success(request, f"Recorded for {contact.name}: {wish}.")
                return redirect("assessments:key_people", pk=assessment.pk)
        key_forms[contact.pk] = form
    else:
        audit_view(user, assessment, "key people")
    forms_with_errors = [f for f in key_forms.values() if f.errors]
    return render(
        request,
        "assessments/key_people.jinja",
        {
            "title": f"Key people in {assessment.person.given_name}'s life",
            "assessment": assessment,
            "person": assessment.person,
            "rows": [(contact, key_forms[contact.pk]) for contact in contacts],
            "recorded": selectors.key_people_recorded(assessment=assessment),
            "editable": editable,
            "error_forms": forms_with_errors,
            "has_errors": bool(forms_with_errors),
            "pp": people_presenters,
            "p": presenters,
            "back_link": _back_to(assessment),
        },
    )
