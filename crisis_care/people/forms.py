"""Forms for people. Error messages follow the NHS.UK style: say what to do."""

from typing import Any

from django import forms

from crisis_care.nhsuk_forms.fields import NhsDateField

from .models import Capacity, Gender, GPPractice, Involvement, Relationship, ShareScope
from .validators import (
    normalise_nhs_number,
    normalise_postcode,
    validate_nhs_number,
    validate_postcode,
)


class NhsNumberField(forms.CharField):
    """An NHS number typed with or without spaces; cleans to 10 digits that pass modulus 11."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "NHS number")
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault("help_text", "10 digits, like 999 123 4560")
        kwargs.setdefault("error_messages", {"required": "Enter an NHS number"})
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        cleaned = normalise_nhs_number(super().clean(value) or "")
        if cleaned:
            validate_nhs_number(cleaned)
        return cleaned


class PostcodeField(forms.CharField):
    """A UK postcode, cleaned to upper case with one space (LE1 5WW)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Postcode")
        kwargs.setdefault("max_length", 8)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        cleaned = (super().clean(value) or "").strip()
        if cleaned:
            validate_postcode(cleaned)
            return normalise_postcode(cleaned)
        return cleaned


class PersonSearchForm(forms.Form):
    nhs_number = NhsNumberField(required=False)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = NhsDateField(
        label="Date of birth",
        required=False,
        allow_future=False,
        help_text="For example, 31 3 1980",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("nhs_number"):
            return data
        if data.get("family_name") and data.get("date_of_birth"):
            return data
        if data.get("family_name"):
            self.add_error("date_of_birth", "Enter their date of birth as well as their last name")
        elif data.get("date_of_birth"):
            self.add_error("family_name", "Enter their last name as well as their date of birth")
        else:
            self.add_error("nhs_number", "Enter an NHS number, or a last name and date of birth")
        return data


class PersonForm(forms.Form):
    """A person's details. `version` is the record version the form was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    nhs_number = NhsNumberField(required=False)
    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter their first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter their last name"}
    )
    preferred_name = forms.CharField(
        label="Preferred name (optional)", max_length=100, required=False
    )
    date_of_birth = NhsDateField(
        label="Date of birth",
        allow_future=False,
        help_text="For example, 31 3 1980",
        error_messages={"required": "Enter their date of birth"},
    )
    gender = forms.ChoiceField(
        label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN, widget=forms.RadioSelect
    )
    pronouns = forms.CharField(label="Pronouns (optional)", max_length=40, required=False)
    address_line_1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", max_length=200, required=False
    )
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = PostcodeField(required=False)
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    gp_practice = forms.ModelChoiceField(
        label="GP practice",
        queryset=GPPractice.objects.none(),
        required=False,
        empty_label="Not known",
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    interpreter_language = forms.CharField(label="Language", max_length=100, required=False)
    uses_bsl = forms.BooleanField(label="Uses British Sign Language (BSL)", required=False)
    easy_read = forms.BooleanField(label="Needs information in Easy Read", required=False)
    other_adjustments = forms.CharField(
        label="Other adjustments (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="For example, hearing loop, large print, avoid phone calls",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gp_practice"].queryset = GPPractice.objects.order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("interpreter_needed") and not data.get("interpreter_language"):
            self.add_error(
                "interpreter_language", "Enter the language they need an interpreter for"
            )
        return data


class ContactForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter their name"}
    )
    relationship = forms.ChoiceField(
        label="Relationship to the person",
        choices=Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their relationship to the person"},
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    address = forms.CharField(label="Address (optional)", max_length=300, required=False)
    is_carer = forms.BooleanField(label="They are a carer for the person", required=False)
    is_next_of_kin = forms.BooleanField(label="They are the person's next of kin", required=False)
    involvement = forms.ChoiceField(
        label="Does the person want them involved in their care?",
        choices=Involvement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person wants them involved"},
    )
    involvement_note = forms.CharField(
        label="In the person's words (optional)", required=False, widget=forms.Textarea
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email") and not data.get("address"):
            self.add_error(
                "phone", "Enter at least one way to reach them: a phone number, email or address"
            )
        return data


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(
        label="What has the person agreed can be shared with them?",
        choices=ShareScope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what can be shared"},
    )
    capacity = forms.ChoiceField(
        label="Capacity to make this decision",
        choices=Capacity.choices,
        widget=forms.RadioSelect,
        initial=Capacity.HAS_CAPACITY,
        error_messages={"required": "Select the person's capacity for this decision"},
    )
    review_on = NhsDateField(
        label="Review date",
        allow_past=False,
        help_text="When this should be asked again. For example, 31 3 2027",
        error_messages={"required": "Enter a review date"},
    )
    note = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("capacity") == Capacity.LACKS_CAPACITY and not data.get("note"):
            self.add_error("note", "Explain the best-interests decision")
        return data


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        widget=forms.Textarea,
        min_length=10,
        max_length=2000,
        help_text="Your reason is recorded and reviewed by the information governance lead.",
        error_messages={
            "required": "Enter the reason you need to see this record now",
            "min_length": "Reason must be at least 10 characters",
        },
    )


class AccessReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Was this access appropriate?",
        choices=[("appropriate", "Yes, it was appropriate"), ("inappropriate", "No, escalate it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the access was appropriate"},
    )
    note = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "inappropriate" and not data.get("note"):
            self.add_error("note", "Say what you have done about it")
        return data
