"""Booking a two-person assessment from a referral, and cancelling one.

The rules (a registered practitioner in the pair, no double booking, both on shift, the
referral's clock) are the service's; this view shows its refusals in the error summary
with everything typed kept, and asks for a reason before booking past the clock.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction
from crisis_care.core.presenters import datetime_long
from crisis_care.nhsuk_forms.errors import add_service_error
from crisis_care.referrals import presenters as referral_presenters
from crisis_care.referrals.views.common import referral_or_refuse
from crisis_care.workforce.models import StaffMember

from .. import presenters, selectors, services
from ..forms import BookingForm, CancelForm
from ..rules import may_book
from .common import assessment_or_refuse, audit_view, require

# Only these fields' errors are shown when someone asks who is on shift at a time.
_WHEN_FIELDS = ("date", "time")


def _staff_field(message: str, pair: list[StaffMember]) -> str:
    """Which of the two selects a refusal about the pair belongs on."""
    if "different" in message:
        return "staff_2"
    first, second = (str(member) for member in pair)
    return "staff_2" if second in message and first not in message else "staff_1"


@require_http_methods(["GET", "POST"])
def assessment_book(request: HttpRequest, referral_pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, may_book)
    referral = referral_or_refuse(request, referral_pk, section="assessment booking")
    back_link = {
        "href": reverse("referrals:detail", args=[referral.pk]),
        "text": "Back to the referral",
    }
    if referral.person_id is None or not referral.is_open:
        return render(
            request,
            "assessments/book.jinja",
            {
                "title": "Book an assessment",
                "referral": referral,
                "blocked": True,
                "back_link": back_link,
            },
        )
    if request.method == "GET":
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            obj=referral,
            person_id=referral.person_id,
            section="assessment booking",
        )

    clock = selectors.face_to_face_clock(referral)
    span = BookingForm.when_from(request.POST) if request.method == "POST" else None
    options = selectors.booking_staff(
        team=referral.team,
        at=span[0] if span else None,
        until=span[1] if span else None,
    )
    form = BookingForm(request.POST or None, staff_options=options)
    late = span is not None and span[0] > clock.target_at
    breach_asked = request.POST.get("breach_asked") == "1"

    if request.method == "POST" and request.POST.get("action") == "check":
        # "Who is on shift then?": show the staff hints for the time typed, nothing else.
        form.is_valid()
        for name in [n for n in form.errors if n not in _WHEN_FIELDS]:
            del form.errors[name]
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {str(option.staff.pk): option.staff for option in options}
        pair = [by_pk[data["staff_1"]], by_pk[data["staff_2"]]]
        reason = data["breach_acknowledged"].strip() if late else ""
        try:
            assessment = services.assessment_book(
                referral=referral,
                starts_at=data["starts_at"],
                duration=data["length"],
                venue=data["venue"],
                venue_address=data["venue_address"],
                staff=pair,
                by=user,
                breach_acknowledged=reason,
            )
        except services.ClockWouldBreach:
            late = True
            if breach_asked:
                form.add_error("breach_acknowledged", "Enter why the assessment cannot be sooner")
        except ValidationError as error:
            fields = {"starts_at": "time"}
            if hasattr(error, "error_dict") and "staff" in error.error_dict:
                fields["staff"] = _staff_field(" ".join(error.message_dict["staff"]), pair)
            add_service_error(form, error, fields)
        else:
            names = " and ".join(str(member) for member in pair)
            messages.success(
                request,
                f"Assessment booked for {datetime_long(assessment.starts_at)} with {names}.",
            )
            return redirect("assessments:detail", pk=assessment.pk)

    return render(
        request,
        "assessments/book.jinja",
        {
            "title": "Book an assessment",
            "referral": referral,
            "blocked": False,
            "form": form,
            "clock": clock,
            "target_text": presenters.target_text(referral, clock),
            "late": late,
            "breach_warning": presenters.breach_warning(referral, clock),
            "shift_known": span is not None,
            "booked": list(selectors.assessments_for_referral(referral=referral)),
            "has_errors": bool(form.errors),
            "p": presenters,
            "rp": referral_presenters,
            "back_link": back_link,
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    user = require(request, may_book)
    assessment = assessment_or_refuse(request, pk, section="assessment cancel")
    form = CancelForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.assessment_cancel(
                    assessment=assessment, reason=form.cleaned_data["reason"], by=user
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Assessment cancelled.")
                return redirect("assessments:detail", pk=assessment.pk)
    else:
        audit_view(user, assessment, "assessment cancel")
    return render(
        request,
        "assessments/cancel.jinja",
        {
            "title": "Cancel the assessment",
            "assessment": assessment,
            "form": form,
            "has_errors": bool(form.errors),
            "p": presenters,
            "back_link": {
                "href": reverse("assessments:detail", args=[assessment.pk]),
                "text": "Back to the assessment",
            },
        },
    )
