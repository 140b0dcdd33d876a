"""Forms for the care plan. They parse what was typed; the rules (a goal belongs to this plan,
the lead is in the team, consent for a family role or a copy of the written plan, dates) are
the service's (services.careplans), whose messages the views put against these fields: the
field names match its keys."""

from typing import Any

from django import forms

from crisis_care.nhsuk_forms.fields import NhsDateField

from ..models import GivenMethod, GoalStatus, InterventionKind, Progress

YES_NO = [("yes", "Yes"), ("no", "No")]
NO_FAMILY = "none"
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


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class CarePlanForm(VersionedForm):
    strengths = _text(
        "Strengths and what has helped before",
        help_text="In the person's words where you can: what they are good at, people and "
        "things that help, what worked in past crises.",
    )
    preferences = _text(
        "Treatment preferences",
        help_text="What the person wants from treatment, and anything they do not want.",
    )
    written_with_person = forms.TypedChoiceField(
        label="Was the plan written with the person?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the plan was written with the person"},
    )


class GoalForm(VersionedForm):
    need = _text(
        "What I need help with",
        required="Enter what the person needs help with, in their words",
        help_text="Write it as the person said it, for example: I can't sleep and I'm "
        "frightened to be on my own at night.",
    )
    goal = _text(
        "What I want to achieve",
        required="Enter what the person wants to achieve, in their words",
        help_text="For example: To sleep through most nights and feel safe at home.",
    )


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Where is this goal now?",
        choices=GoalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the goal is now"},
    )
    note = _text("Note", help_text="Optional. For example, what the person said about it.")


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(
        label="How are things going with this goal?",
        choices=Progress.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how things are going with this goal"},
    )
    note = _text(
        "Note",
        required="Enter a note about the progress",
        help_text="What has changed, in the person's words where you can.",
    )


class InterventionForm(VersionedForm):
    kind = forms.ChoiceField(
        label="What will the team do?",
        choices=InterventionKind.choices,
        error_messages={
            "required": "Select what the team will do from the list",
            "invalid_choice": "Select what the team will do from the list",
        },
    )
    detail = _text(
        "What exactly will be done",
        required="Enter what will be done, in plain English",
        help_text="The person reads this in their written plan. For example: Help to apply "
        "for a Household Support Fund payment for the gas bill this week.",
    )
    goals = forms.MultipleChoiceField(
        label="Which goals does this help with?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one goal this helps with",
            "invalid_choice": "Select goals from this care plan",
        },
    )
    lead = forms.ChoiceField(
        label="Who in the team leads it? (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose a member of the team"},
    )
    family_member = forms.ChoiceField(
        label="Does a family member or friend have a role in it?",
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Choose someone the person has agreed may see their care plan"
        },
    )

    def __init__(
        self,
        *args: Any,
        goals: list[tuple[str, str]] | None = None,
        staff: list[tuple[str, str]] | None = None,
        contacts: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].choices = goals or []  # type: ignore[attr-defined]
        self.fields["lead"].choices = [("", "No one in particular"), *(staff or [])]  # type: ignore[attr-defined]
        # "No" is a radio of its own (a blank value is not shown as a radio).
        self.fields["family_member"].choices = [(NO_FAMILY, "No"), *(contacts or [])]  # type: ignore[attr-defined]


class StopForm(VersionedForm):
    pass


class WrittenPlanGivenForm(forms.Form):
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
    to_person = forms.TypedChoiceField(
        label="Was it given to the person?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person was given the plan"},
    )
    to_contacts = forms.MultipleChoiceField(
        label="Family and friends given a copy",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": "Choose people the person has agreed may see their care plan"
        },
    )

    def __init__(
        self, *args: Any, contacts: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_contacts"].choices = contacts or []  # type: ignore[attr-defined]
