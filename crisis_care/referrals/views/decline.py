"""Decline a referral with reasons and signposting, and the letter that says so (CORE item 8).

A declined referral is never deleted: it becomes "declined" with its history, the services
it was signposted to and the letter, which is kept on it as the record of what was sent.
Every view of the letter (page or PDF) is audited.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.directory import selectors as directory_selectors
from crisis_care.directory.models import Service
from crisis_care.nhsuk_forms import params as form_params

from .. import letters, services
from ..forms import DeclineForm
from ..models import Referral, Status
from ..rules import ReferralAction
from .common import referral_or_refuse, require


def _declined_or_404(request: HttpRequest, pk: uuid.UUID) -> Referral:
    referral = referral_or_refuse(request, pk, section="decline letter")
    if referral.status != Status.DECLINED or not referral.decline_letter:
        raise Http404("This referral has no decline letter")
    return referral


def _with_hints(params: dict[str, Any], hints: dict[str, str] | None = None) -> dict[str, Any]:
    """Add a hint under each radio or checkbox that has one."""
    for item in params["items"]:
        if hints and hints.get(item["value"]):
            item["hint"] = {"text": hints[item["value"]]}
    return params


def _audit_letter_view(user: User, referral: Referral, form: str) -> None:
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=referral,
        person_id=referral.person_id,
        section="decline letter",
        detail={"format": form},
    )


@require_http_methods(["GET", "POST"])
def referral_decline(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, ReferralAction.DECLINE)
    referral = referral_or_refuse(request, pk, section="referral decline")
    if not referral.is_open:
        if referral.status == Status.DECLINED:
            messages.info(request, "This referral has already been declined. This is the letter.")
            return redirect("referrals:letter", pk=referral.pk)
        messages.info(request, "This referral is closed, so it cannot be declined.")
        return redirect("referrals:detail", pk=referral.pk)

    choices: list[Service] = letters.services_in_choice_order(directory_selectors.services_list())
    form = DeclineForm(
        request.POST if request.method == "POST" else None,
        services=[(str(s.pk), s.name) for s in choices],
        initial={"category": letters.suggested_category(referral)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service_ids = [uuid.UUID(value) for value in data["services"]]
        letter = letters.build_letter(
            referral=referral,
            category=data["category"],
            reason=data["reason"],
            services=directory_selectors.services_for_signposting(service_ids),
            crisis_help=letters.crisis_help_for(
                data["category"], directory_selectors.crisis_help_services()
            ),
            by=user,
        )
        try:
            services.referral_decline(
                referral=referral,
                category=data["category"],
                reason=data["reason"],
                letter=letter,
                service_ids=service_ids,
                by=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Referral declined. The letter below has been kept with the referral: "
                "download it as a PDF to send it.",
            )
            return redirect("referrals:letter", pk=referral.pk)
    elif request.method == "GET":
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            obj=referral,
            person_id=referral.person_id,
            section="referral decline",
        )

    hints = {str(s.pk): letters.service_choice_hint(s) for s in choices}
    return render(
        request,
        "referrals/decline.jinja",
        {
            "title": "Decline and signpost",
            "referral": referral,
            "form": form,
            "has_errors": bool(form.errors),
            "category_params": _with_hints(form_params.choice_params(form["category"])),
            "services_params": _with_hints(form_params.choice_params(form["services"]), hints),
            "eligibility_rows": [
                {"key": {"text": key}, "value": {"text": value}}
                for key, value in letters.eligibility_rows(referral)
            ],
            "checks_found_eligible": letters.checks_found_eligible(referral),
            "to_person": letters.is_to_person(referral),
            "back_link": {
                "href": reverse("referrals:detail", args=[referral.pk]),
                "text": "Back to the referral",
            },
        },
    )


@require_http_methods(["GET"])
def decline_letter(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = require(request, ReferralAction.VIEW_QUEUE)
    referral = _declined_or_404(request, pk)
    _audit_letter_view(user, referral, "page")
    return render(
        request,
        "referrals/letter.jinja",
        {
            "title": letters.letter_heading(referral),
            "referral": referral,
            "team": referral.team,
            "blocks": letters.letter_blocks(referral.decline_letter),
            "declined_by": letters.declined_by(referral),
            "signposts": [s.service for s in referral.signposts.all()],
            "back_link": {
                "href": reverse("referrals:detail", args=[referral.pk]),
                "text": "Back to the referral",
            },
        },
    )


@require_http_methods(["GET"])
def decline_letter_pdf(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = require(request, ReferralAction.VIEW_QUEUE)
    referral = _declined_or_404(request, pk)
    _audit_letter_view(user, referral, "pdf")
    html = render_to_string(
        "referrals/letter_pdf.jinja",
        {
            "title": letters.pdf_title(referral),
            "to_person": letters.is_to_person(referral),
            "team": referral.team,
            "blocks": letters.letter_blocks(referral.decline_letter),
        },
    )
    response = HttpResponse(letters.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letters.pdf_filename(referral)}"'
    response["Cache-Control"] = "no-store, private"
    return response
