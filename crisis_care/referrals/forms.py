"""Referral forms. Times are typed as London wall-clock date and time."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.people.forms import NhsNumberField, PostcodeField

from .models import (
    Channel,
    ContactWith,
    DeclineCategory,
    Medium,
    Outcome,
    PersonAgrees,
    Priority,
    Source,
)

CRS_CRITERIA = [
    ("1", "High risk of deterioration without timely social care"),
    ("2", "Palliative, but not at the end of life"),
    ("3", "Has fallen without needing hospital, or is at risk of further falls"),
    ("4", "Sudden, acute inability to transfer"),
    ("5", "Needs urgent support on discharge from hospital"),
    ("6", "At risk of admission to hospital or residential care"),
    ("7", "Carer crisis"),
    ("8", "Another health and social care crisis at home"),
]


class LocalTimeField(forms.Field):
    """A 24-hour time like 14:05 (London)."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> dt.time | None:
        value = (value or "").strip().replace(".", ":")
        if not value:
            return None
        try:
            return dt.time.fromisoformat(value if ":" in value else f"{value[:-2]}:{value[-2:]}")
        except ValueError as error:
            raise forms.ValidationError(f"{self.label} must be a real time, like 14:05") from error


class WhenMixin(forms.Form):
    """A date and time field pair that cleans to an aware instant in `when_field`."""

    when_field = "when"

    def clean_when(self, date_name: str, time_name: str, label: str) -> dt.datetime | None:
        day, at = self.cleaned_data.get(date_name), self.cleaned_data.get(time_name)
        if day is None or at is None:
            return None
        instant = local_instant(day, at)
        if instant > timezone.now() + dt.timedelta(minutes=2):
            self.add_error(time_name, f"{label} must be now or in the past")
            return None
        return instant


def _now_local() -> dt.datetime:
    return timezone.now().astimezone(LONDON)


class ReferralForm(WhenMixin):
    # The person.
    nhs_number = NhsNumberField(label="NHS number (if known)", required=False)
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the person's first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the person's last name"},
    )
    date_of_birth = NhsDateField(
        label="Date of birth",
        allow_future=False,
        help_text="For example, 31 3 1980",
        error_messages={"required": "Enter the person's date of birth"},
    )
    person_phone = forms.CharField(label="Person's phone number", max_length=30, required=False)
    person_choice = forms.CharField(required=False, widget=forms.HiddenInput)

    # The referral.
    received_on = NhsDateField(
        label="Date received",
        allow_future=False,
        error_messages={"required": "Enter the date the referral was received"},
    )
    received_time = LocalTimeField(
        label="Time received",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time the referral was received"},
    )
    channel = forms.ChoiceField(
        label="How did the referral arrive?",
        choices=[c for c in Channel.choices if c[0] != Channel.ONLINE],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the referral arrived"},
    )
    source = forms.ChoiceField(
        label="Who is referring?",
        choices=[("", "Select a source"), *list(Source.choices)],
        error_messages={"required": "Select who is referring"},
    )
    referrer_name = forms.CharField(label="Referrer's name", max_length=200, required=False)
    referrer_organisation = forms.CharField(
        label="Referrer's organisation", max_length=200, required=False
    )
    referrer_phone = forms.CharField(
        label="Referrer's call-back number", max_length=30, required=False
    )
    reason = forms.CharField(
        label="Reason for referral",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Enter the reason for the referral"},
    )
    presenting_crisis = forms.CharField(
        label="What is happening now (presenting crisis)",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )
    person_agrees = forms.ChoiceField(
        label="Does the person know about the referral and agree to it?",
        choices=PersonAgrees.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person knows and agrees"},
    )
    current_location = forms.CharField(
        label="Where is the person now?", max_length=300, required=False
    )
    current_postcode = PostcodeField(label="Postcode where they are now or live", required=False)
    known_risks = forms.CharField(
        label="Known risks",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Risks to self, from others, to others, and to children or vulnerable adults",
    )
    priority = forms.ChoiceField(
        label="Triage priority",
        choices=Priority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a triage priority"},
    )
    priority_reason = forms.CharField(
        label="Why this priority?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why you chose this priority"},
    )
    # Council crisis response pathway only.
    crs_criteria = forms.MultipleChoiceField(
        label="Which crisis response criteria apply?",
        choices=CRS_CRITERIA,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    reablement_needed = forms.BooleanField(label="Needs reablement (2-day start)", required=False)

    def __init__(self, *args: Any, crs: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crs = crs
        if not self.is_bound and "received_on" not in self.initial:
            now = _now_local()
            self.initial.update({"received_on": now.date(), "received_time": now.strftime("%H:%M")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["received_at"] = self.clean_when("received_on", "received_time", "Time received")
        if not (data.get("referrer_phone") or data.get("person_phone")):
            self.add_error(
                "referrer_phone",
                "Enter a call-back number for the referrer or a phone number for the person",
            )
        if data.get("source") and data["source"] != Source.SELF and not data.get("referrer_name"):
            self.add_error("referrer_name", "Enter the referrer's name")
        if self.crs and not data.get("crs_criteria"):
            self.add_error("crs_criteria", "Select at least one crisis response criterion")
        return data


class PriorityForm(forms.Form):
    priority = ReferralForm.base_fields["priority"]
    reason = forms.CharField(
        label="Why are you changing the priority?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the priority is changing"},
    )


class ContactForm(WhenMixin):
    with_whom = forms.ChoiceField(
        label="Who was contacted?",
        choices=ContactWith.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who was contacted"},
    )
    medium = forms.ChoiceField(
        label="How?",
        choices=Medium.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you contacted them"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome"},
    )
    occurred_on = NhsDateField(
        label="Date",
        allow_future=False,
        error_messages={"required": "Enter the date of the contact"},
    )
    occurred_time = LocalTimeField(
        label="Time",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time of the contact"},
    )
    note = forms.CharField(
        label="Notes (optional)", widget=forms.Textarea, required=False, max_length=5000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = _now_local()
            self.initial.update({"occurred_on": now.date(), "occurred_time": now.strftime("%H:%M")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["occurred_at"] = self.clean_when("occurred_on", "occurred_time", "Time of contact")
        return data


class BreachReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why was the standard not met?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the standard was not met"},
    )


class EligibilityForm(forms.Form):
    note = forms.CharField(
        label="How did you confirm it?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter how you confirmed where the person lives"},
    )


class QueueFilterForm(forms.Form):
    priority = forms.ChoiceField(
        label="Priority", choices=[("", "All priorities"), *list(Priority.choices)], required=False
    )
    source = forms.ChoiceField(
        label="Source", choices=[("", "All sources"), *list(Source.choices)], required=False
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[
            ("", "All open"),
            ("new", "Awaiting triage"),
            ("taken", "With a clinician"),
            ("accepted", "Accepted"),
        ],
        required=False,
    )


class DeclineForm(forms.Form):
    """Decline with reasons and signposting (CORE item 8). The services to signpost to are
    chosen from the directory: the view passes them in as (id, name) choices."""

    category = forms.ChoiceField(
        label="Why is the referral being declined?",
        choices=DeclineCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the referral is being declined"},
    )
    reason = forms.CharField(
        label="Explain the reason",
        widget=forms.Textarea,
        max_length=5000,
        help_text="This goes in the letter. Write it in plain English, as you would say it to them.",
        error_messages={
            "required": "Enter why the referral is being declined",
            "max_length": "The reason must be 5,000 characters or fewer",
        },
    )
    services = forms.MultipleChoiceField(
        label="Where can they go instead?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose the services to name in the letter. How to get crisis help is always included.",
        error_messages={
            "required": "Choose at least one service to signpost to",
            "invalid_choice": "Choose services from the directory",
        },
    )

    def __init__(
        self, *args: Any, services: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = services or []  # type: ignore[attr-defined]
