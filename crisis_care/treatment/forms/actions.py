"""Forms for actions: set one, mark one done, cancel one, and filter the team's list. Forms
check the shape of what was typed; the rules (owner in the team, due time not past, a reason
to cancel) are in services/actions.py."""

import datetime as dt
from typing import Any

from django import forms

from crisis_care.core.clock import local_instant
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.referrals.forms import LocalTimeField
from crisis_care.workforce.models import StaffMember

from ..services.actions import DESCRIPTION_MAX


def _staff_choices(staff: list[StaffMember]) -> list[tuple[str, str]]:
    return [(str(member.pk), f"{member} ({member.job_title})") for member in staff]


class ActionForm(forms.Form):
    description = forms.CharField(
        label="What needs to be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DESCRIPTION_MAX,
        error_messages={
            "required": "Enter what needs to be done",
            "max_length": f"What needs to be done must be {DESCRIPTION_MAX} characters or fewer",
        },
    )
    owner = forms.ChoiceField(
        label="Who will do it",
        help_text="Someone in the team that holds this episode",
        error_messages={
            "required": "Select who will do it",
            "invalid_choice": "Select someone in the team from the list",
        },
    )
    due_date = NhsDateField(
        label="Date due",
        allow_past=False,
        help_text="For example, 31 3 2026",
        error_messages={"required": "Enter the date it is due"},
    )
    due_time = LocalTimeField(
        label="Time due",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time it is due"},
    )

    def __init__(self, *args: Any, owners: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Select a member of staff"), *_staff_choices(owners)]  # type: ignore[attr-defined]

    def due_at(self) -> dt.datetime:
        """The due instant (the date and time are London wall-clock time)."""
        return local_instant(self.cleaned_data["due_date"], self.cleaned_data["due_time"])


class ActionDoneForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        help_text="For example, what was done or what happens next",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "The note must be 2000 characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being cancelled?",
        help_text="For example, no longer needed after today's review",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter why the action is being cancelled",
            "max_length": "The reason must be 2000 characters or fewer",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamTasksFilterForm(forms.Form):
    owner = forms.ChoiceField(label="Whose actions", required=False)
    overdue = forms.BooleanField(label="Only overdue actions", required=False)

    def __init__(self, *args: Any, owners: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Everyone")] + [  # type: ignore[attr-defined]
            (str(member.pk), str(member)) for member in owners
        ]
