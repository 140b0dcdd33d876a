"""Forms for carers and family. They parse what was typed (dates and London times become UTC
instants) and ask for what every answer needs; the rules (the contact belongs to the person,
times are not in the future, consent for an invitation, agreement for a referral) are the
services' (`services.carers`), whose messages the views put against these fields: the names
match the services' keys (offered_at, held_at, ... are shown against the time box)."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.referrals.forms import LocalTimeField, WhenMixin

from ..models import AttemptMethod, AttemptOutcome, CarerAssessmentStatus, OfferResponse
from ..selectors.carers import carer_service_choices

YES_NO = [("yes", "Yes"), ("no", "No")]

COUNCILS = (
    "Leicester City Council",
    "Leicestershire County Council",
    "Rutland County Council",
)
OTHER_COUNCIL = "other"

# Where a service error about a time is shown: the time box of the pair.
TIME_FIELDS = {
    "offered_at": "offered_time",
    "held_at": "held_time",
    "attempted_at": "attempted_time",
    "given_at": "given_time",
    "meeting_at": "meeting_time",
}


def _yes_no(value: str) -> bool:
    return value == "yes"


def _now_local() -> dt.datetime:
    return timezone.now().astimezone(LONDON)


def _text(label: str, *, required: str = "", max_length: int = 5000, **kwargs: Any) -> Any:
    messages = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        required=bool(required),
        max_length=max_length,
        error_messages=messages,
        **kwargs,
    )


class _WhenForm(WhenMixin):
    """A date and a time typed in London time, defaulting to now, never in the future."""

    date_name = ""
    time_name = ""
    instant_name = ""
    when_label = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.date_name not in self.initial:
            now = _now_local()
            self.initial.update({self.date_name: now.date(), self.time_name: now.strftime("%H:%M")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data[self.instant_name] = self.clean_when(self.date_name, self.time_name, self.when_label)
        return data


class OfferForm(_WhenForm):
    date_name, time_name, instant_name, when_label = (
        "offered_on",
        "offered_time",
        "offered_at",
        "Time offered",
    )

    response = forms.ChoiceField(
        label="What did they say?",
        choices=OfferResponse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they said"},
    )
    offered_on = NhsDateField(
        label="Date offered",
        allow_future=False,
        error_messages={"required": "Enter the date you offered it"},
    )
    offered_time = LocalTimeField(
        label="Time offered",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time you offered it"},
    )


class ConversationForm(_WhenForm):
    date_name, time_name, instant_name, when_label = (
        "held_on",
        "held_time",
        "held_at",
        "Time of the conversation",
    )

    held_on = NhsDateField(
        label="Date of the conversation",
        allow_future=False,
        error_messages={"required": "Enter the date of the conversation"},
    )
    held_time = LocalTimeField(
        label="Time of the conversation",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time of the conversation"},
    )
    separate_from_person = forms.TypedChoiceField(
        label="Was the conversation held apart from the person they care for?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the conversation was held apart"},
    )
    carer_needs = _text(
        "What they need as a carer",
        required="Enter what they need as a carer",
        help_text="Their own needs, in their words where you can: how caring affects them, their "
        "health, work and sleep, and what they want.",
    )
    notes = _text("Notes (optional)")


class SupportPlanForm(forms.Form):
    needs = _text(
        "What the carer needs",
        required="Enter what the carer needs",
        help_text="Write to the carer: they will be given a copy.",
    )
    support = _text(
        "What will help, and who will do it",
        required="Enter what will help and who will do it",
    )
    if_things_get_worse = _text(
        "What the carer can do if things get worse",
        required="Enter what the carer can do if things get worse",
    )
    # The directory's active services, carer services first (read each time the form is made).
    services = forms.MultipleChoiceField(
        label="Local services for carers",
        choices=carer_service_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Their details go in the carer's copy. Services for carers are listed first.",
        error_messages={"invalid_choice": "Choose services that are listed in the directory"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PlanGivenForm(forms.Form):
    given_on = NhsDateField(
        label="Date given",
        allow_future=False,
        error_messages={"required": "Enter the date you gave the plan"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "given_on" not in self.initial:
            self.initial["given_on"] = timezone.localdate()


class AssessmentReferralForm(forms.Form):
    council = forms.ChoiceField(
        label="Which council?",
        choices=[*((c, c) for c in COUNCILS), (OTHER_COUNCIL, "Another council")],
        widget=forms.RadioSelect,
        help_text="The council where the person they care for lives assesses the carer.",
        error_messages={"required": "Select the council"},
    )
    council_other = forms.CharField(
        label="Name of the other council", max_length=100, required=False
    )
    carer_agreed = forms.TypedChoiceField(
        label="Has the carer agreed to be referred?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the carer agreed to be referred"},
    )
    note = _text(
        "Note for the council (optional)",
        help_text="For example, when and how the carer would like to be contacted.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("council") == OTHER_COUNCIL:
            name = (data.get("council_other") or "").strip()
            if not name:
                self.add_error("council_other", "Enter the name of the council")
            data["council_name"] = name
        else:
            data["council_name"] = data.get("council", "")
        return data


class AssessmentStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="What did the council say?",
        choices=CarerAssessmentStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the council said"},
    )
    expected_status = forms.ChoiceField(
        choices=CarerAssessmentStatus.choices, widget=forms.HiddenInput
    )
    note = _text("Note (optional)")


class ContactAttemptForm(_WhenForm):
    date_name, time_name, instant_name, when_label = (
        "attempted_on",
        "attempted_time",
        "attempted_at",
        "Time of the attempt",
    )

    attempted_on = NhsDateField(
        label="Date",
        allow_future=False,
        error_messages={"required": "Enter the date you tried to contact them"},
    )
    attempted_time = LocalTimeField(
        label="Time",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time you tried to contact them"},
    )
    method = forms.ChoiceField(
        label="How did you try to contact them?",
        choices=AttemptMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you tried to contact them"},
    )
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=AttemptOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    note = _text("Notes (optional)")


class GeneralInformationForm(_WhenForm):
    """Who the general information was given to (one of the person's contacts), when and how."""

    date_name, time_name, instant_name, when_label = (
        "given_on",
        "given_time",
        "given_at",
        "Time given",
    )

    contact = forms.ChoiceField(
        label="Who did you give it to?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who you gave it to",
            "invalid_choice": "Select who you gave it to",
        },
    )
    method = forms.ChoiceField(
        label="How did you give it?",
        choices=AttemptMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you gave it"},
    )
    given_on = NhsDateField(
        label="Date given",
        allow_future=False,
        error_messages={"required": "Enter the date you gave it"},
    )
    given_time = LocalTimeField(
        label="Time given",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time you gave it"},
    )
    note = _text("Notes (optional)")

    def __init__(self, *args: Any, contacts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = contacts  # type: ignore[attr-defined]


class ReviewInvitationForm(forms.Form):
    purpose = forms.CharField(
        label="What is the meeting?",
        max_length=200,
        help_text="For example, care-planning meeting, six-week review or discharge planning.",
        error_messages={
            "required": "Enter what the meeting is",
            "max_length": "What the meeting is must be 200 characters or fewer",
        },
    )
    meeting_on = NhsDateField(
        label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"}
    )
    meeting_time = LocalTimeField(
        label="Time of the meeting",
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time of the meeting"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("meeting_on"), data.get("meeting_time")
        data["meeting_at"] = local_instant(day, at) if day and at else None
        return data
