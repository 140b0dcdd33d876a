"""Forms for the discharge, the summary to the GP, addendums, re-referral and the 72-hour
follow-up. They parse what was typed (London dates and times become UTC instants) and ask
for what every answer needs; the rules are the services' (services.discharges), whose
messages the views put against these fields (the names match the services' keys)."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.referrals.forms import LocalTimeField, WhenMixin
from crisis_care.referrals.models import Channel, PersonAgrees, Priority, Source

from ..models import DischargeOutcome, SummaryMethod
from ..selectors.checklist import ChecklistItem
from ..services.discharges import TEXT_MAX_LENGTH, gap_field

# Where a service error about an instant is shown: the time box of the pair.
TIME_FIELDS = {"discharged_at": "discharged_time"}
GP = "gp"
# Re-referral: who usually asks for it, first.
REREFERRAL_SOURCES = [
    Source.SELF,
    Source.GP,
    Source.CARER_FAMILY,
    Source.TRUST_MH_PROFESSIONAL,
    Source.OTHER_HEALTH,
    Source.ED_LIAISON,
    Source.EMERGENCY_SERVICES,
    Source.NON_HEALTH_AGENCY,
    Source.CRISIS_CAFE,
]


def _now_local() -> dt.datetime:
    return timezone.now().astimezone(LONDON)


def _text(label: str, *, required: str = "", **kwargs: Any) -> Any:
    messages = {"max_length": f"{label} must be {TEXT_MAX_LENGTH:,} characters or fewer"}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        required=bool(required),
        max_length=TEXT_MAX_LENGTH,
        error_messages=messages,
        **kwargs,
    )


def _radios(label: str, choices: Any, required: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required, "invalid_choice": required},
        **kwargs,
    )


# -- The discharge ---------------------------------------------------------------------------


class DischargeForm(WhenMixin):
    """Outcome, reason and when; one "why is this not done?" box per checklist gap is added by
    `discharge_form_for` (a subclass per set of gaps, so a stale form can be rebuilt from its
    data alone)."""

    gap_items: tuple[ChecklistItem, ...] = ()

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    outcome = _radios(
        "What is the outcome?", DischargeOutcome.choices, "Select the outcome of the discharge"
    )
    reason = _text(
        "Reason for the discharge",
        required="Enter the reason for the discharge",
        help_text="Why home treatment is ending now, and what has changed since the crisis.",
    )
    discharged_on = NhsDateField(
        label="Date of discharge",
        allow_future=False,
        error_messages={"required": "Enter the date of discharge"},
    )
    discharged_time = LocalTimeField(
        label="Time of discharge",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time of discharge"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "discharged_on" not in self.initial:
            now = _now_local()
            self.initial.update(
                {"discharged_on": now.date(), "discharged_time": now.strftime("%H:%M")}
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["discharged_at"] = self.clean_when(
            "discharged_on", "discharged_time", "Time of discharge"
        )
        return data

    def gap_reasons(self) -> dict[str, str]:
        return {
            item.code: self.cleaned_data.get(gap_field(item.code), "") for item in self.gap_items
        }

    def gap_fields(self) -> list[tuple[ChecklistItem, forms.BoundField]]:
        return [(item, self[gap_field(item.code)]) for item in self.gap_items]


def discharge_form_for(gaps: list[ChecklistItem]) -> type[DischargeForm]:
    """The discharge form with a required reason for each item missing from the checklist."""
    attrs: dict[str, Any] = {"gap_items": tuple(gaps)}
    for item in gaps:
        attrs[gap_field(item.code)] = _text(
            "Why is this not done?",
            required=f"Enter why this is not done: {item.title.lower()}",
        )
    return type("DischargeFormWithGaps", (DischargeForm,), attrs)


# -- The summary to the GP -------------------------------------------------------------------


class SummarySentForm(forms.Form):
    sent_on = NhsDateField(
        label="Date sent",
        allow_future=False,
        error_messages={"required": "Enter the date the summary was sent"},
    )
    method = _radios("How was it sent?", SummaryMethod.choices, "Select how the summary was sent")
    recipients = forms.MultipleChoiceField(
        label="Who was it sent to?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The person's GP and the other services involved in their care.",
    )
    other_recipients = _text(
        "Anyone else it was sent to (optional)",
        help_text="One name on each line, for example a service not listed above.",
    )

    def __init__(
        self, *args: Any, recipient_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = recipient_choices or []  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("sent_on", timezone.localdate())
            self.initial.setdefault("recipients", [value for value, _ in recipient_choices or []])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("recipients") or []
        others = [
            line.strip()
            for line in (data.get("other_recipients") or "").splitlines()
            if line.strip()
        ]
        if not chosen and not others and "recipients" not in self.errors:
            self.add_error("recipients", "Select or enter who the summary was sent to")
        labels = dict(self.fields["recipients"].choices)  # type: ignore[attr-defined]
        data["recipient_names"] = [str(labels[value]) for value in chosen] + others
        data["to_gp"] = GP in chosen
        return data


# -- After the discharge ---------------------------------------------------------------------


class AddendumForm(forms.Form):
    text = _text(
        "Addendum",
        required="Enter the addendum",
        help_text="What has happened or come to light since the discharge. An addendum cannot be "
        "changed once saved: to correct one, add another.",
    )


class ReReferralForm(forms.Form):
    source = _radios(
        "Who is asking for the referral?",
        [(s.value, s.label) for s in REREFERRAL_SOURCES],
        "Select who is asking for the referral",
    )
    channel = _radios(
        "How did the referral come in?",
        [(c.value, c.label) for c in Channel if c != Channel.ONLINE],
        "Select how the referral came in",
    )
    referrer_name = forms.CharField(
        label="Name of the person asking (optional)", max_length=200, required=False
    )
    referrer_phone = forms.CharField(
        label="Phone number to call back (optional)",
        max_length=30,
        required=False,
        help_text="If there is none, the team calls the person on the number in their record.",
    )
    reason = _text(
        "Reason for the referral",
        required="Enter the reason for the referral",
        help_text="What is happening now, and what has changed since the discharge.",
    )
    person_agrees = _radios(
        "Does the person know about the referral?",
        PersonAgrees.choices,
        "Select whether the person knows about the referral",
    )
    priority = _radios("How urgent is it?", Priority.choices, "Select how urgent the referral is")
    priority_reason = _text("Why this priority? (optional)")


# -- The 72-hour follow-up -------------------------------------------------------------------


class WardDischargeForm(WhenMixin):
    left_on = NhsDateField(
        label="Date they left the ward",
        allow_future=False,
        error_messages={"required": "Enter the date they left the ward"},
    )
    left_time = LocalTimeField(
        label="Time they left the ward",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time they left the ward"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["discharged_at"] = self.clean_when(
            "left_on", "left_time", "The time they left the ward"
        )
        return data


WARD_TIME_FIELDS = {"discharged_at": "left_time"}


class FollowUpMissedForm(forms.Form):
    reason = _text(
        "Why was the follow-up missed?",
        required="Enter why the follow-up was missed",
        help_text="For example, no answer at the address and by phone, or the person asked to be "
        "seen later.",
    )


class DischargesFilterForm(forms.Form):
    """The discharges list's filter (a GET form)."""

    overdue = forms.MultipleChoiceField(
        label="Show",
        required=False,
        choices=[("yes", "Only discharges whose summary to the GP is overdue")],
        widget=forms.CheckboxSelectMultiple,
    )

    def overdue_only(self) -> bool:
        return self.is_bound and "yes" in self.data.getlist("overdue")  # type: ignore[attr-defined]
