"""Forms for the relapse prevention plan and for recording that the written discharge plan
was given. They parse what was typed; the rules (consent for what family get, the dates, a
named follow-on service) are the service's (services.plans), whose messages the views put
against these fields: the field names match its keys."""

from typing import Any

from django import forms

from crisis_care.nhsuk_forms.fields import NhsDateField

from ..models import GivenMethod, PlanFormat

YES_NO = [("yes", "Yes"), ("no", "No")]
TEXT_LIMIT = 5000


def _yes_no(value: str) -> bool:
    return value == "yes"


def _text(label: str, *, required: str = "", help_text: str = "") -> forms.CharField:
    messages = {"max_length": f"{label} must be {TEXT_LIMIT:,} characters or fewer"}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        required=bool(required),
        max_length=TEXT_LIMIT,
        help_text=help_text,
        error_messages=messages,
    )


class RelapsePlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    early_warning_signs = _text(
        "Early warning signs",
        required="Enter the early warning signs, in the person's words",
        help_text="What the person, or people close to them, notice first when things start "
        "to go wrong. For example: I stop answering my phone and stay up all night.",
    )
    triggers = _text(
        "Triggers",
        required="Enter what can set things off, in the person's words",
        help_text="What can set things off. For example: money worries, the anniversary of "
        "my mum's death.",
    )
    what_helps = _text(
        "What helps",
        required="Enter what helps, in the person's words",
        help_text="What the person can do, and what others can do, when the signs start. For "
        "example: walk the dog, ring my sister, keep to my sleep routine.",
    )
    who_to_contact = _text(
        "Who to contact",
        required="Enter who the person will contact",
        help_text="People and services, with their phone numbers if the person wants them "
        "here. For example: my sister Jo, then my care coordinator at the community team.",
    )
    advance_statement = _text(
        "Advance statement (optional)",
        help_text="What the person wants to happen, or not to happen, if they become unwell "
        "again: treatment, who to tell, who looks after a pet or children.",
    )
    written_with_person = forms.TypedChoiceField(
        label="Was the plan written with the person?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the plan was written with the person"},
    )


class PlanGivenForm(forms.Form):
    """Family choices hold all the person's contacts, so the service (which reads consent as
    it is now) decides and refuses by name; the page offers only those consent allows."""

    given_on = NhsDateField(
        label="Date it was given",
        allow_future=False,
        help_text="For example, 5 3 2026",
        error_messages={"required": "Enter the date the plan was given"},
    )
    method = forms.ChoiceField(
        label="How was it given?",
        choices=GivenMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the plan was given"},
    )
    format = forms.ChoiceField(
        label="Which version was given?",
        choices=PlanFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which version of the plan was given"},
    )
    to_person = forms.TypedChoiceField(
        label="Was it given to the person?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person was given the plan"},
    )
    plan_to_contacts = forms.MultipleChoiceField(
        label="Family and friends given the full plan",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose people from the person's family and friends"},
    )
    crisis_card_to_contacts = forms.MultipleChoiceField(
        label="Family and friends given the crisis-help card",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose people from the person's family and friends"},
    )

    def __init__(
        self, *args: Any, contacts: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("plan_to_contacts", "crisis_card_to_contacts"):
            self.fields[name].choices = contacts or []  # type: ignore[attr-defined]
