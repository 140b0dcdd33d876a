"""Lone working forms: checking in (on a visit or not), checking out, and the coordinator's
action on an alert. The services hold the rules; the field names match their error keys."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.referrals.forms import LocalTimeField

from ..models import AlertAction
from ..services.lone_working import MAX_MINUTES, MIN_MINUTES


class CheckInForm(forms.Form):
    minutes = forms.IntegerField(
        label="How long do you expect to be, in minutes?",
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        help_text="If you are not checked out by then, the shift coordinator is alerted.",
        error_messages={
            "required": "Enter how long you expect to be, in minutes",
            "invalid": "How long you expect to be must be a number of minutes, like 45",
            "min_value": f"The expected time must be at least {MIN_MINUTES} minutes",
            "max_value": f"The expected time must be {MAX_MINUTES} minutes (4 hours) or less",
        },
    )
    location = forms.CharField(
        label="Where are you?",
        max_length=300,
        help_text="The address, so someone can find you if you need help.",
        error_messages={
            "required": "Enter where you are",
            "max_length": "Where you are must be 300 characters or fewer",
        },
    )


class AdHocCheckInForm(CheckInForm):
    purpose = forms.CharField(
        label="What is the visit for?",
        max_length=300,
        help_text="For example, an assessment of a new referral. The coordinator sees this.",
        error_messages={
            "required": "Enter what the visit is for",
            "max_length": "What the visit is for must be 300 characters or fewer",
        },
    )
    team = forms.ChoiceField(
        label="Which team are you working for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the team you are working for"},
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = teams
        if len(teams) == 1:
            field.initial = teams[0][0]
            field.widget = forms.HiddenInput()


class CheckOutForm(forms.Form):
    note = forms.CharField(
        label="How do you know they have left safely?",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="For example, you spoke to them on the phone and they are back in the car.",
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


def next_occurrence(at: dt.time, *, after: dt.datetime) -> dt.datetime:
    """The next instant (UTC) a London clock shows `at` after `after`: later today, or
    tomorrow if that time has passed (23:30 typed at 23:45 means tomorrow)."""
    today = after.astimezone(LONDON).date()
    instant = local_instant(today, at)
    if instant <= after:
        instant = local_instant(today + dt.timedelta(days=1), at)
    return instant


class AlertActionForm(forms.Form):
    action = forms.ChoiceField(
        label="What did you do?",
        choices=AlertAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you did"},
    )
    new_end = LocalTimeField(
        label="New time they expect to finish (if they are staying longer)",
        required=False,
        help_text="Only for a visit running on. 24-hour clock, for example 14:05",
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="What they said, who you told, any reference number.",
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def new_expected_end_at(self) -> dt.datetime | None:
        at = self.cleaned_data.get("new_end")
        if at is None or self.cleaned_data.get("action") != AlertAction.EXTENDED:
            return None
        return next_occurrence(at, after=timezone.now())
