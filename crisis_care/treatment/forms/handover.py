"""The form that records a handover as given: which shift takes over, who received it, notes.
The rules (at least one receiver other than the giver, the shift is the team's) are in
services/handover.py."""

from typing import Any

from django import forms

from ..services.handover import NOTES_MAX


class HandoverForm(forms.Form):
    shift = forms.ChoiceField(
        label="Which shift is taking over?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the shift taking over",
            "invalid_choice": "Select one of the shifts listed",
        },
    )
    received_by = forms.MultipleChoiceField(
        label="Who received the handover?",
        help_text="Select everyone who was there to receive it",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one person who received the handover (not yourself)",
            "invalid_choice": "Select people from the list",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        help_text="Anything said at the handover that is not in the summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=NOTES_MAX,
        error_messages={"max_length": f"Notes must be {NOTES_MAX} characters or fewer"},
    )

    def __init__(
        self,
        *args: Any,
        shifts: list[tuple[str, str]],
        people: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = shifts  # type: ignore[attr-defined]
        self.fields["received_by"].choices = people  # type: ignore[attr-defined]
