"""Medication forms. They parse what was typed; the rules (who may prescribe, dates, the
delivery not in the future) are the services'. Field names match the services' error keys."""

from typing import Any

from django import forms

from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.referrals.forms import LocalTimeField


def _text(label: str, max_length: int, required_message: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


class MedicineForm(forms.Form):
    name = _text(
        "Medicine", 200, "Enter the name of the medicine", help_text="For example, sertraline"
    )
    dose = _text("Dose", 100, "Enter the dose", help_text="For example, 50mg")
    route = _text("How it is taken", 50, "Enter how it is taken", initial="By mouth")
    frequency = _text(
        "How often",
        100,
        "Enter how often it is taken",
        help_text="For example, once a day at night",
    )
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class RecordMedicineForm(MedicineForm):
    started_on = NhsDateField(
        label="When did they start taking it?",
        allow_future=False,
        help_text="If they are not sure, an approximate date is fine. For example, 15 3 2026",
        error_messages={"required": "Enter when they started taking it"},
    )


class StartMedicineForm(MedicineForm):
    pass


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DoseForm(VersionedForm):
    dose = _text("New dose", 100, "Enter the new dose")
    route = _text("How it is taken", 50, "Enter how it is taken")
    frequency = _text("How often", 100, "Enter how often it is taken")
    reason = forms.CharField(
        label="Why is the dose changing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter why the dose is changing",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class ReviewForm(VersionedForm):
    note = forms.CharField(
        label="What did the review find?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="For example, side effects, how they are taking it, and why it stays the same.",
        error_messages={
            "required": "Enter what the review found",
            "max_length": "The review must be 2,000 characters or fewer",
        },
    )


class StopForm(VersionedForm):
    stopped_on = NhsDateField(
        label="Date stopped",
        allow_future=False,
        error_messages={"required": "Enter the date it was stopped"},
    )
    reason = forms.CharField(
        label="Why is it being stopped?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter why the medicine is being stopped",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class DeliveryForm(forms.Form):
    medications = forms.MultipleChoiceField(
        label="Which medicines were delivered?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the medicines that were delivered",
            "invalid_choice": "Select only this person's current medicines",
        },
    )
    delivered_on = NhsDateField(
        label="Date delivered",
        allow_future=False,
        error_messages={"required": "Enter the date it was delivered"},
    )
    delivered_time = LocalTimeField(
        label="Time delivered",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time it was delivered"},
    )
    delivered_by = forms.ChoiceField(
        label="Who delivered it?", error_messages={"required": "Select who delivered it"}
    )
    supply = forms.CharField(
        label="Supply (optional)",
        max_length=200,
        required=False,
        help_text="For example, 7 days, or 14 tablets",
        error_messages={"max_length": "The supply must be 200 characters or fewer"},
    )
    visit = forms.ChoiceField(label="On which visit? (optional)", required=False)
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        medicines: list[tuple[str, str]],
        staff: list[tuple[str, str]],
        visits: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["medications"].choices = medicines  # type: ignore[attr-defined]
        self.fields["delivered_by"].choices = [("", "Select a member of staff"), *staff]  # type: ignore[attr-defined]
        self.fields["visit"].choices = [("", "Not on a planned visit"), *visits]  # type: ignore[attr-defined]
