"""Forms for the daily MDT review: who attended, the review of one person (decision and
discharge readiness), a change of the team's rating, and up to three actions.

Forms parse what was typed and check its shape (an action row is all or nothing); the rules
(owner in the team, due time not in the past, reason required for a change of rating, the
rating seen still current) are the service's, and the view shows its messages against these
fields."""

import datetime as dt
import uuid
from typing import Any

from django import forms

from crisis_care.core.clock import local_instant
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.referrals.forms import LocalTimeField
from crisis_care.workforce.models import Profession, StaffMember

from ..models import DischargeReadiness, Rating
from ..services.actions import DESCRIPTION_MAX
from ..services.mdt import DECISION_MAX, MAX_ACTIONS, REASON_MAX, SUMMARY_MAX

ACTION_PREFIXES = [f"action{n}" for n in range(1, MAX_ACTIONS + 1)]


def staff_label(staff: StaffMember) -> str:
    name = staff.user.get_full_name() or staff.user.username
    return f"{name}, {Profession(staff.profession).label}"


class AttendanceForm(forms.Form):
    attendees = forms.MultipleChoiceField(
        label="Who is attending?",
        help_text="Select everyone at the meeting. Their profession is recorded as it is today.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select members of the team from the list"},
    )

    def __init__(self, *args: Any, staff: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(s.pk): s for s in staff}
        self.fields["attendees"].choices = [  # type: ignore[attr-defined]
            (pk, staff_label(s)) for pk, s in self.staff.items()
        ]

    def chosen(self) -> list[StaffMember]:
        return [self.staff[pk] for pk in self.cleaned_data.get("attendees", [])]


class ReviewForm(forms.Form):
    decision = forms.CharField(
        label="The team's decision",
        help_text="What the team decided about care, visits and next steps",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DECISION_MAX,
        error_messages={
            "required": "Enter the team's decision",
            "max_length": f"The decision must be {DECISION_MAX:,} characters or fewer",
        },
    )
    discharge_readiness = forms.ChoiceField(
        label="Discharge readiness",
        choices=DischargeReadiness.choices,
        widget=forms.RadioSelect,
        initial=DischargeReadiness.NOT_YET,
        error_messages={"required": "Select how ready for discharge the person is"},
    )


class RatingForm(forms.Form):
    """The rating as the user saw it (prefilled); changing the colour or the words is a change,
    which needs a reason."""

    rating = forms.ChoiceField(
        label="Rating",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select red, amber or green"},
    )
    summary = forms.CharField(
        label="The team's summary of risk",
        help_text="In the team's own words: what the risks are now and what keeps the person safe",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=SUMMARY_MAX,
        error_messages={"max_length": f"The summary must be {SUMMARY_MAX:,} characters or fewer"},
    )
    reason = forms.CharField(
        label="Reason for the change",
        help_text="Needed when the rating or summary changes",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=REASON_MAX,
        error_messages={"max_length": f"The reason must be {REASON_MAX:,} characters or fewer"},
    )
    seen = forms.UUIDField(required=False, widget=forms.HiddenInput)

    @property
    def seen_pk(self) -> uuid.UUID | None:
        return self.cleaned_data.get("seen")


class ActionForm(forms.Form):
    """One action row: left blank, or filled in completely."""

    description = forms.CharField(
        label="What needs to be done",
        required=False,
        max_length=DESCRIPTION_MAX,
        error_messages={
            "max_length": f"What needs to be done must be {DESCRIPTION_MAX:,} characters or fewer"
        },
    )
    owner = forms.ChoiceField(
        label="Who will do it",
        required=False,
        error_messages={"invalid_choice": "Select a member of the team from the list"},
    )
    due_on = NhsDateField(label="Date due", required=False, allow_past=False)
    due_time = LocalTimeField(
        label="Time due", required=False, help_text="24-hour clock, for example 14:00"
    )

    def __init__(self, *args: Any, owners: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {str(s.pk): s for s in owners}
        self.fields["owner"].choices = [("", "Select a member of staff")] + [  # type: ignore[attr-defined]
            (pk, staff_label(s)) for pk, s in self.owners.items()
        ]

    def has_input(self) -> bool:
        """Anything typed in the row (checked on the raw input, so half a date counts)."""
        if not self.is_bound:
            return False
        for name in ("description", "owner", "due_time"):
            if (self.data.get(self.add_prefix(name)) or "").strip():
                return True
        date_name = self.add_prefix("due_on")
        return any(
            (self.data.get(f"{date_name}[{part}]") or "").strip()
            for part in ("day", "month", "year")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_input():
            return data
        missing = {
            "description": "Enter what needs to be done",
            "owner": "Select who will do it",
            "due_on": "Enter the date it is due",
            "due_time": "Enter the time it is due",
        }
        for name, message in missing.items():
            if name not in self.errors and not data.get(name):
                self.add_error(name, message)
        if data.get("due_on") and data.get("due_time"):
            data["due_at"] = local_instant(data["due_on"], data["due_time"])
        return data

    @property
    def owner_member(self) -> StaffMember | None:
        return self.owners.get(self.cleaned_data.get("owner") or "")

    @property
    def due_at(self) -> dt.datetime | None:
        return self.cleaned_data.get("due_at")
