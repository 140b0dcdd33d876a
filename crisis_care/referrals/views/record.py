"""One referral: its clocks, eligibility, priority and contact history, and the actions on it."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction
from crisis_care.people import selectors as people_selectors
from crisis_care.people import services as people_services
from crisis_care.people.forms import PersonSearchForm

from .. import presenters, selectors, services
from ..clocks import ClockName, ClockState
from ..forms import CRS_CRITERIA, BreachReasonForm, ContactForm, EligibilityForm, PriorityForm
from ..rules import ReferralAction, role_may
from .common import current_user, referral_or_refuse, require


def _back(referral_pk: uuid.UUID) -> dict[str, str]:
    return {"href": reverse("referrals:detail", args=[referral_pk]), "text": "Back to the referral"}


@require_http_methods(["GET"])
def referral_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = require(request, ReferralAction.VIEW_QUEUE)
    referral = referral_or_refuse(request, pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=referral,
        person_id=referral.person_id,
        section="referral",
    )
    clocks = selectors.referral_clocks(referral)
    recorded = {b.clock for b in referral.breach_reasons.all()}
    return render(
        request,
        "referrals/detail.jinja",
        {
            "title": f"Referral for {referral.display_name}",
            "referral": referral,
            "clocks": clocks,
            "breaches_needing_reason": [
                c for c in clocks if c.state is ClockState.BREACHED and c.name.value not in recorded
            ],
            "concerns": presenters.eligibility_concerns(referral),
            "crs_labels": dict(CRS_CRITERIA),
            "p": presenters,
            "can": {action.value: role_may(user.role, action) for action in ReferralAction},
        },
    )


@require_POST
def referral_take(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, ReferralAction.TAKE)
    referral = referral_or_refuse(request, pk)
    try:
        services.referral_take(referral_id=referral.pk, by=user)
    except services.AlreadyTaken as taken:
        messages.error(
            request, f"{taken.referral.owner} took this referral first. It has not been changed."
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "You have taken this referral.")
    return redirect("referrals:detail", pk=referral.pk)


@require_http_methods(["GET", "POST"])
def priority_change(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, ReferralAction.SET_PRIORITY)
    referral = referral_or_refuse(request, pk)
    form = PriorityForm(request.POST or None, initial={"priority": referral.priority})
    if request.method == "POST" and form.is_valid():
        services.priority_set(referral=referral, by=user, **form.cleaned_data)
        messages.success(
            request, "Priority changed. The face-to-face clock now follows the new priority."
        )
        return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/priority.jinja",
        {
            "title": "Change the triage priority",
            "form": form,
            "referral": referral,
            "has_errors": bool(form.errors),
            "back_link": _back(referral.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, ReferralAction.RECORD_CONTACT)
    referral = referral_or_refuse(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_record(
                referral=referral,
                occurred_at=data["occurred_at"],
                with_whom=data["with_whom"],
                medium=data["medium"],
                outcome=data["outcome"],
                note=data["note"],
                by=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Contact recorded.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/contact.jinja",
        {
            "title": "Record a contact",
            "form": form,
            "referral": referral,
            "has_errors": bool(form.errors),
            "back_link": _back(referral.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def breach_reason(request: HttpRequest, pk: uuid.UUID, clock: str) -> HttpResponseBase:
    user = require(request, ReferralAction.RECORD_BREACH_REASON)
    referral = referral_or_refuse(request, pk)
    try:
        clock_name = ClockName(clock)
    except ValueError:
        raise Http404("No such clock") from None
    form = BreachReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.breach_reason_record(
                referral=referral, clock=clock_name, reason=form.cleaned_data["reason"], by=user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Reason recorded for review.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/breach.jinja",
        {
            "title": "Why was the standard not met?",
            "form": form,
            "referral": referral,
            "has_errors": bool(form.errors),
            "back_link": _back(referral.pk),
            "clock": next(
                (c for c in selectors.referral_clocks(referral) if c.name is clock_name), None
            ),
            "p": presenters,
        },
    )


@require_http_methods(["GET", "POST"])
def eligibility_confirm(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, ReferralAction.CONFIRM_ELIGIBILITY)
    referral = referral_or_refuse(request, pk)
    form = EligibilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.eligibility_confirm(referral=referral, note=form.cleaned_data["note"], by=user)
        messages.success(request, "Eligibility confirmed.")
        return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/eligibility.jinja",
        {
            "title": "Confirm eligibility",
            "form": form,
            "referral": referral,
            "p": presenters,
            "concerns": presenters.eligibility_concerns(referral),
            "has_errors": bool(form.errors),
            "back_link": _back(referral.pk),
        },
    )


@require_POST
def referral_accept(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, ReferralAction.ACCEPT)
    referral = referral_or_refuse(request, pk)
    try:
        services.referral_accept(referral=referral, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Referral accepted for assessment.")
    return redirect("referrals:detail", pk=referral.pk)


@require_http_methods(["GET", "POST"])
def match_person(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """Link a self-referral to a person: an existing record found by search, or a new one
    made from what the self-referrer told us."""
    user = require(request, ReferralAction.TAKE)
    referral = referral_or_refuse(request, pk)
    if referral.person_id:
        return redirect("referrals:detail", pk=referral.pk)
    if request.method == "POST":
        try:
            if request.POST.get("person") == "new":
                details = referral.submitted_details
                person = people_services.person_create(
                    by=user,
                    data={
                        "given_name": details.get("given_name", ""),
                        "family_name": details.get("family_name", ""),
                        "date_of_birth": details.get("date_of_birth"),
                        "phone": details.get("phone", ""),
                        "email": details.get("email", ""),
                        "postcode": details.get("postcode", ""),
                    },
                )
            else:
                person = people_selectors.person_get(pk=uuid.UUID(request.POST.get("person", "")))
            services.referral_match_person(referral=referral, person=person, by=user)
        except (ValueError, ValidationError) as error:
            messages.error(request, f"The record could not be linked: {error}")
        else:
            messages.success(request, f"Referral linked to {person.full_name}'s record.")
            return redirect("referrals:detail", pk=referral.pk)
    details = referral.submitted_details
    searched = any(k in request.GET for k in ("nhs_number", "family_name"))
    form = PersonSearchForm(
        request.GET if searched else None,
        initial={
            "family_name": details.get("family_name", ""),
        },
    )
    results = None
    if searched and form.is_valid():
        results = people_selectors.person_search(
            user=current_user(request),
            nhs_number=form.cleaned_data["nhs_number"],
            family_name=form.cleaned_data["family_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
    return render(
        request,
        "referrals/match.jinja",
        {
            "title": "Match the referral to a person",
            "form": form,
            "referral": referral,
            "details": details,
            "results": results,
            "has_errors": bool(form.errors),
            "back_link": _back(referral.pk),
        },
    )
