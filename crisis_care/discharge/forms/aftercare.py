"""Forms for aftercare planning. They parse what was typed (dates and London times become UTC
instants) and ask for what every answer needs; the rules (dates in range, who may be invited,
one arranged meeting at a time) are the services' (`services.aftercare`), whose messages the
views put against these fields (SERVICE_FIELDS maps the services' names onto the form's)."""

from typing import Any

from django import forms
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.directory.selectors import services_for_choosing
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.referrals.forms import LocalTimeField

from ..models import FollowOnKind, OnwardReferralStatus

YES_NO = [("yes", "Yes"), ("no", "No")]
TIME_HINT = "24-hour clock, for example 14:05"

# Where a service's refusal is shown: the service's name for a value -> the form's field.
SERVICE_FIELDS = {
    "starts_at": "meeting_time",
    "first_appointment_at": "appointment_time",
}


def _yes_no(value: str) -> bool:
    return value == "yes"


def _text(
    label: str,
    *,
    required: str = "",
    max_length: int = 5000,
    textarea: bool = True,
    **kwargs: Any,
) -> Any:
    messages = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        widget=forms.Textarea if textarea else forms.TextInput,
        required=bool(required),
        max_length=max_length,
        error_messages=messages,
        **kwargs,
    )


def _directory_field(label: str, help_text: str, empty_label: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=services_for_choosing(),
        required=False,
        empty_label=empty_label,
        help_text=help_text,
        error_messages={"invalid_choice": "Choose a service that is listed in the directory"},
    )


class InvolvedServiceForm(forms.Form):
    """Another service involved, and the end-of-care and follow-on plan agreed with it (25a)."""

    service = _directory_field(
        "Service from the directory",
        "Choose it if it is listed. If it is not, enter its name below.",
        "Not in the directory",
    )
    name = _text(
        "Name of the service (if it is not in the directory)", max_length=200, textarea=False
    )
    secondary_mental_health = forms.TypedChoiceField(
        label="Is it a secondary mental health service?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        help_text="For example a community mental health team, early intervention in psychosis "
        "or an inpatient ward. The team agrees follow-on plans with these services, and they are "
        "invited to the discharge meeting.",
        error_messages={"required": "Select whether it is a secondary mental health service"},
    )
    contact_name = _text("Contact name (optional)", max_length=200, textarea=False)
    contact_phone = _text("Contact phone (optional)", max_length=40, textarea=False)
    contact_email = forms.EmailField(
        label="Contact email (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.nhs.net"
        },
    )
    plan_agreed = _text(
        "End-of-care and follow-on plan agreed (optional until it is agreed)",
        help_text="What was agreed about the end of crisis care and what the service does next.",
    )
    plan_agreed_on = NhsDateField(label="Date the plan was agreed", required=False)
    plan_agreed_with = _text(
        "Who the plan was agreed with", max_length=200, textarea=False, help_text="Name and role"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("service") is None
            and not (data.get("name") or "").strip()
            and not self.has_error("service")
        ):
            self.add_error("name", "Choose the service from the directory or enter its name")
        return data


class OnwardReferralForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of service is it?",
        choices=FollowOnKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of service the referral is to"},
    )
    service = _directory_field(
        "Service from the directory",
        "Needed for every referral except one to the person's own GP practice.",
        "Choose a service",
    )
    reason = _text(
        "Why are you referring?",
        required="Enter why you are referring",
        help_text="What support the person needs after discharge, in plain words.",
    )
    sent_on = NhsDateField(
        label="Date the referral was sent",
        allow_future=False,
        error_messages={"required": "Enter the date the referral was sent"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and "sent_on" not in self.initial:
            self.initial["sent_on"] = timezone.localdate()


STATUS_CHOICES = [
    (s.value, s.label)
    for s in (
        OnwardReferralStatus.ACCEPTED,
        OnwardReferralStatus.DECLINED,
        OnwardReferralStatus.WITHDRAWN,
    )
]


class OnwardReferralStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="What is the referral's status now?",
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the service said"},
    )
    note = _text(
        "Note",
        help_text="Needed if the referral was declined or withdrawn: why, and what happens "
        "instead.",
    )
    worker_name = _text("Who will see the person (if accepted)", max_length=200, textarea=False)
    worker_phone = _text("Their phone number", max_length=40, textarea=False)
    appointment_on = NhsDateField(label="Date of the first appointment", required=False)
    appointment_time = LocalTimeField(
        label="Time of the first appointment", required=False, help_text=TIME_HINT
    )
    first_appointment_place = _text(
        "Where the first appointment is", max_length=200, textarea=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("appointment_on"), data.get("appointment_time")
        data["first_appointment_at"] = None
        if day and at:
            data["first_appointment_at"] = local_instant(day, at)
        elif day and not self.has_error("appointment_time"):
            self.add_error("appointment_time", "Enter the time of the first appointment")
        elif at and not self.has_error("appointment_on"):
            self.add_error("appointment_on", "Enter the date of the first appointment")
        return data


class MeetingArrangeForm(forms.Form):
    meeting_on = NhsDateField(
        label="Date of the meeting",
        allow_past=False,
        error_messages={"required": "Enter the date of the meeting"},
    )
    meeting_time = LocalTimeField(
        label="Time of the meeting",
        help_text=TIME_HINT,
        error_messages={"required": "Enter the time of the meeting"},
    )
    place = _text(
        "Where is the meeting?",
        required="Enter where the meeting will be",
        max_length=200,
        textarea=False,
        help_text="For example, the person's home, or a room at the Bradgate Unit.",
    )
    person_invited = forms.TypedChoiceField(
        label="Has the person been invited?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person has been invited"},
    )
    family = forms.MultipleChoiceField(
        label="Family and friends invited",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose family from the person's contacts"},
    )
    services = forms.MultipleChoiceField(
        label="Other services invited",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose services recorded as involved"},
    )

    def __init__(
        self,
        *args: Any,
        family: list[tuple[str, str]],
        services: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["family"].choices = family  # type: ignore[attr-defined]
        self.fields["services"].choices = services  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at = data.get("meeting_on"), data.get("meeting_time")
        data["starts_at"] = local_instant(day, at) if day and at else None
        return data


class MeetingRecordForm(forms.Form):
    """The meeting as held: who came (one yes/no per invitee, `invitee_<id>`) and what was
    agreed."""

    person_attended = forms.TypedChoiceField(
        label="Did the person come?",
        choices=YES_NO,
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the person came"},
    )
    agreed = _text(
        "What was agreed",
        required="Enter what was agreed at the meeting",
        help_text="Who supports the person after discharge, what happens next and when.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, invitees: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitee_fields: list[str] = []
        for pk, label in invitees:
            name = f"invitee_{pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"Did {label} come?",
                choices=YES_NO,
                coerce=_yes_no,
                widget=forms.RadioSelect,
                error_messages={"required": f"Select whether {label} came"},
            )
            self.invitee_fields.append(name)

    def attended(self) -> dict[str, bool | None]:
        return {
            name.removeprefix("invitee_"): self.cleaned_data.get(name)
            for name in self.invitee_fields
        }


class MeetingCancelForm(forms.Form):
    reason = _text("Why is the meeting cancelled?", required="Enter why the meeting is cancelled")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
