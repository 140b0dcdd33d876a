"""The decision form. It parses what was typed and asks for the answers every decision
needs (the outcome, the reasons, whether it was discussed with the person). Which answers
each outcome needs (legal status, ward and gatekeeping for an admission; a service for
referral on or signposting) is the service's rule (`assessments.services.decision_record`):
the view shows its messages against these fields, so the field names match its keys."""

from typing import Any

from django import forms

from crisis_care.assessments.models import LegalStatus, Outcome
from crisis_care.nhsuk_forms.fields import NhsDateField

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool:
    return value == "yes"


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did you decide with the person?",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision"},
    )
    reasons = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea,
        max_length=5000,
        help_text="These go in the letter to the GP and the referrer. Write them in plain English.",
        error_messages={
            "required": "Enter the reasons for the decision",
            "max_length": "The reasons must be 5,000 characters or fewer",
        },
    )
    discussed_with_person = forms.TypedChoiceField(
        label="Did you discuss the decision with the person?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you discussed the decision with the person"},
    )
    person_view = forms.CharField(
        label="The person's view",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="What they said about the decision, in their words where you can. If you "
        "could not discuss it with them, say why.",
        error_messages={"max_length": "The person's view must be 5,000 characters or fewer"},
    )

    # If hospital admission (CORE item 6: the gatekeeping record).
    legal_status = forms.ChoiceField(
        label="Legal status",
        choices=LegalStatus.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select the legal status of the admission"},
    )
    ward = forms.CharField(
        label="Ward",
        required=False,
        max_length=200,
        error_messages={"max_length": "The ward must be 200 characters or fewer"},
    )
    gatekept_in_person = forms.TypedChoiceField(
        label="Did the crisis team assess the person in person before admission?",
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )
    gatekeeping_failure_reason = forms.CharField(
        label="If no, why was the person not assessed in person before admission?",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="This is kept for the team's gatekeeping review. It does not go in the letter.",
        error_messages={"max_length": "The reason must be 5,000 characters or fewer"},
    )

    # If referral on or signposting: chosen from the directory (the view passes the choices).
    services = forms.MultipleChoiceField(
        label="Services from the directory",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="They go in the letter with their phone numbers. How to get crisis help is "
        "always included.",
        error_messages={"invalid_choice": "Choose services from the directory"},
    )

    # If home treatment after a ward referral: early supported discharge (CORE item 7).
    early_discharge_ward = forms.CharField(
        label="Which ward is the person leaving?",
        required=False,
        max_length=200,
        error_messages={"max_length": "The ward must be 200 characters or fewer"},
    )
    early_discharge_admitted_on = NhsDateField(
        label="Date of admission",
        required=False,
        allow_future=False,
        help_text="The day they were admitted to the ward. For example, 15 3 2026",
    )

    def __init__(
        self,
        *args: Any,
        services: list[tuple[str, str]] | None = None,
        early_discharge: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = services or []  # type: ignore[attr-defined]
        self.early_discharge = early_discharge
        if not early_discharge:
            del self.fields["early_discharge_ward"]
            del self.fields["early_discharge_admitted_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # After a ward referral, home treatment is early supported discharge: the episode
        # must say which admission it shortens.
        if self.early_discharge and data.get("outcome") == Outcome.HOME_TREATMENT:
            if not (data.get("early_discharge_ward") or "").strip():
                self.add_error("early_discharge_ward", "Enter the ward the person is leaving")
            if (
                data.get("early_discharge_admitted_on") is None
                and "early_discharge_admitted_on" not in self.errors
            ):
                self.add_error("early_discharge_admitted_on", "Enter the date of admission")
        return data
