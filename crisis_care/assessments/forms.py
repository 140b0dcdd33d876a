"""Assessment forms: booking, the structured record, addenda, key people and cancelling.

Forms parse and check the shape of what was typed; the rules (who may assess, double
bookings, shifts, the clock, what must be written before finalising) live in services.py.
"""

import datetime as dt
from typing import Any

from django import forms

from crisis_care.core.clock import local_instant
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.people.models import Involvement
from crisis_care.referrals.forms import LocalTimeField

from . import presenters
from .models import Venue
from .selectors import StaffOption

DURATIONS = [("60", "1 hour"), ("90", "1 hour 30 minutes"), ("120", "2 hours")]

_STAFF_ERRORS = {
    "invalid_choice": "Select a member of the team from the list",
}


class BookingForm(forms.Form):
    date = NhsDateField(
        label="Date",
        allow_past=False,
        help_text="For example, 31 3 2026",
        error_messages={"required": "Enter the date of the assessment"},
    )
    time = LocalTimeField(
        label="Time",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time of the assessment"},
    )
    duration = forms.ChoiceField(
        label="How long will it take?",
        choices=DURATIONS,
        widget=forms.RadioSelect,
        initial="90",
        error_messages={"required": "Select how long the assessment will take"},
    )
    venue = forms.ChoiceField(
        label="Where will it be?",
        choices=Venue.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the assessment will be"},
    )
    venue_address = forms.CharField(
        label="Address of the venue",
        required=False,
        max_length=300,
        help_text="Needed for a GP surgery, a friend's or relative's home, or another place",
    )
    staff_1 = forms.ChoiceField(
        label="First member of staff",
        help_text="At least one of the two must be a registered mental health practitioner",
        error_messages={"required": "Select the first member of staff", **_STAFF_ERRORS},
    )
    staff_2 = forms.ChoiceField(
        label="Second member of staff",
        error_messages={"required": "Select the second member of staff", **_STAFF_ERRORS},
    )
    breach_acknowledged = forms.CharField(
        label="Why can it not be sooner?",
        help_text="Your reason is kept for the team's review of response times",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, staff_options: list[StaffOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Select a member of staff")] + [
            (
                str(option.staff.pk),
                presenters.staff_label(
                    str(option.staff),
                    registered=option.registered_practitioner,
                    on_shift=option.on_shift,
                ),
            )
            for option in staff_options
        ]
        for name in ("staff_1", "staff_2"):
            self.fields[name].choices = choices  # type: ignore[attr-defined]

    @classmethod
    def when_from(cls, data: Any) -> tuple[dt.datetime, dt.datetime] | None:
        """The start and end instants typed, if the date and time are right: usable before the
        rest of the form is valid, to show who is on shift then."""
        date_field, time_field = cls.base_fields["date"], cls.base_fields["time"]
        try:
            day = date_field.clean(date_field.widget.value_from_datadict(data, {}, "date"))
            at = time_field.clean(data.get("time", ""))
        except forms.ValidationError:
            return None
        if day is None or at is None:
            return None
        starts_at = local_instant(day, at)
        minutes = str(data.get("duration") or "")
        length = int(minutes) if minutes in dict(DURATIONS) else 90
        return starts_at, starts_at + dt.timedelta(minutes=length)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("time"):
            data["starts_at"] = local_instant(data["date"], data["time"])
        if data.get("duration"):
            data["length"] = dt.timedelta(minutes=int(data["duration"]))
        return data


def _domain(name: str) -> forms.CharField:
    return forms.CharField(
        label=presenters.domain_label(name),
        help_text=DOMAIN_HINTS.get(name, ""),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20_000,
    )


# What to cover under each heading (CORE item 11's twelve parts, items 18 and 31a).
DOMAIN_HINTS = {
    "circumstances_triggers": "What led to the crisis, and why now",
    "symptoms": "What the person is experiencing, for how long, and how it affects them",
    "mental_state": "Appearance and behaviour, speech, mood, thoughts, perceptions, cognition and insight",
    "medication": "Current medicines and doses, whether they are taken as prescribed, side effects",
    "physical_health": "Physical conditions, recent checks, and anything that needs a GP or hospital",
    "substance_use": "Alcohol, drugs and other substances: what, how much and how often",
    "history": "Past mental health care and admissions, and significant life events",
    "family_social_network": "Who they live with, family, friends and other support",
    "social_functioning": "Work or study, housing, money and benefits, and daily living",
    "carers_views": "What family or carers said, where the person agreed to their involvement",
    "children_vulnerable_adults": "Children or adults at risk who live with or depend on the person, and any safeguarding concern",
    "religion_spirituality": "Beliefs or practices that matter to them and to their care",
    "risks_summary": "In words. The risk formulation and safety plan are recorded on their own pages",
    "strengths_goals": "What helps, what they are good at, and what they want from treatment",
    "needs_and_goals": "In their own words where possible",
}


class RecordForm(forms.Form):
    """The structured assessment. Any part may be empty in a draft."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    circumstances_triggers = _domain("circumstances_triggers")
    symptoms = _domain("symptoms")
    mental_state = _domain("mental_state")
    medication = _domain("medication")
    physical_health = _domain("physical_health")
    substance_use = _domain("substance_use")
    history = _domain("history")
    family_social_network = _domain("family_social_network")
    social_functioning = _domain("social_functioning")
    carers_views = _domain("carers_views")
    children_vulnerable_adults = _domain("children_vulnerable_adults")
    religion_spirituality = _domain("religion_spirituality")
    risks_summary = _domain("risks_summary")
    strengths_goals = _domain("strengths_goals")
    needs_and_goals = _domain("needs_and_goals")

    person_present = forms.BooleanField(label="The person was present", required=False)
    others_present = forms.CharField(
        label="Who else was present?",
        help_text="Family, friends, carers or other professionals, and how they know the person",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        help_text="Say what is corrected or added, and why. The finalised record is not changed.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        error_messages={"required": "Enter the addendum"},
    )


class KeyPersonForm(forms.Form):
    """The person's wish about involving one of their contacts (CORE item 13)."""

    involvement = forms.ChoiceField(
        label="Does the person want them involved in their care?",
        choices=Involvement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the person wants"},
    )
    note = forms.CharField(
        label="In the person's words (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the assessment cancelled?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why the assessment is cancelled"},
    )
