"""Forms for planning and staffing visits and recording contacts. They parse what was typed
(London dates and times into UTC instants); the rules are the services' (services.visits and
services.contacts), whose messages the views put against these fields."""

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, cast

from django import forms

from crisis_care.core.clock import local_instant
from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.referrals.forms import LocalTimeField

from ..models import Attendance, Medium, VisitLocation, VisitStatus
from ..services.visits import (
    DEFAULT_TIMES,
    PRESCRIBER,
    PSYCHOLOGIST,
    REGISTERED_PRACTITIONER,
    PatternPhase,
    VisitDetails,
)

Choices = list[tuple[str, str]]
ChoicesIn = Sequence[tuple[str, str]]


def set_choices(form: forms.Form, name: str, choices: ChoicesIn) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = list(choices)


NEED_CHOICES: Choices = [
    (REGISTERED_PRACTITIONER, "A registered practitioner"),
    (PRESCRIBER, "A prescriber (a psychiatrist or non-medical prescriber)"),
    (PSYCHOLOGIST, "A psychologist"),
]
STAFF_NEEDED_CHOICES: Choices = [("1", "One"), ("2", "Two")]
YES_NO: Choices = [("yes", "Yes"), ("no", "No")]
WINDOW_CHOICES: Choices = [("30", "30 minutes"), ("45", "45 minutes"), ("60", "1 hour")]
FREQUENCY_CHOICES: Choices = [
    ("", "Select how often"),
    ("1", "Once a day"),
    ("2", "Twice a day"),
    ("3", "Three times a day"),
    ("every_2", "Every other day"),
    ("every_3", "Every 3 days"),
    ("every_7", "Once a week"),
]
PATTERN_PHASES = 4


def to_time(text: str) -> dt.time | None:
    """'09:30', '9:30', '9.30', '930' or '0930' -> a time; None if it is not one."""
    value = text.strip().replace(".", ":")
    if ":" not in value:
        if not value.isdigit() or len(value) not in (3, 4):
            return None
        value = f"{value[:-2]}:{value[-2:]}"
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        return None
    try:
        return dt.time(int(hours), int(minutes))
    except ValueError:
        return None


class TimeField(LocalTimeField):
    """A 24-hour London time, forgiving about how it is typed (9:30, 09.30, 0930)."""

    def to_python(self, value: Any) -> dt.time | None:
        if isinstance(value, dt.time):
            return value
        text = (value or "").strip()
        if not text:
            return None
        parsed = to_time(text)
        if parsed is None:
            raise forms.ValidationError(f"{self.label} must be a real time, like 14:05")
        return parsed


def _time(label: str, required_message: str, **kwargs: Any) -> TimeField:
    return TimeField(label=label, error_messages={"required": required_message}, **kwargs)


class VisitDetailsForm(forms.Form):
    """What every visit needs: where, how many staff, which skills, how long, what for."""

    location = forms.ChoiceField(
        label="Where will the visit be?",
        choices=VisitLocation.choices,
        widget=forms.RadioSelect,
        initial=VisitLocation.HOME,
        error_messages={"required": "Select where the visit will be"},
    )
    location_detail = forms.CharField(
        label="Where, if somewhere else",
        required=False,
        max_length=300,
        help_text="For example, the person's sister's house, 4 Mill Lane",
    )
    staff_needed = forms.ChoiceField(
        label="How many staff will go?",
        choices=STAFF_NEEDED_CHOICES,
        widget=forms.RadioSelect,
        initial="1",
        error_messages={"required": "Select how many staff will go"},
    )
    needs = forms.MultipleChoiceField(
        label="What does the visit need?",
        choices=NEED_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply. Leave blank if any member of the team can go",
    )
    expected_minutes = forms.IntegerField(
        label="How long will the visit take, in minutes?",
        initial=45,
        min_value=5,
        max_value=240,
        help_text="For lone working. At least one visit a day should last 30 minutes or more",
        error_messages={
            "required": "Enter how long the visit will take",
            "invalid": "Enter how long the visit will take as a number of minutes",
            "min_value": "How long the visit will take must be 5 minutes or more",
            "max_value": "How long the visit will take must be 240 minutes or fewer",
        },
    )
    purpose = forms.CharField(
        label="What is the visit for? (optional)",
        required=False,
        max_length=300,
        help_text="For example, medication review, or help with the benefits form",
    )

    def details(self) -> VisitDetails:
        data = self.cleaned_data
        return VisitDetails(
            location=data["location"],
            location_detail=data.get("location_detail", ""),
            staff_needed=int(data["staff_needed"]),
            needs=frozenset(data.get("needs") or []),
            purpose=data.get("purpose", ""),
            expected_minutes=data["expected_minutes"],
        )


class WindowForm(forms.Form):
    """A window on one London day. The service checks it ends after it starts and lasts at
    most an hour; this turns it into instants."""

    date = NhsDateField(
        label="Date",
        allow_past=False,
        help_text="For example, 31 3 2026",
        error_messages={"required": "Enter the date of the visit"},
    )
    window_start = _time(
        "Window starts",
        "Enter when the window starts",
        help_text="24-hour clock, for example 09:30",
    )
    window_end = _time(
        "Window ends",
        "Enter when the window ends",
        help_text="At most an hour after it starts, for example 10:30",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("window_start"), data.get("window_end")
        if day and start and end:
            data["starts_at"] = local_instant(day, start)
            data["ends_at"] = local_instant(day, end)
        return data


class VisitPlanForm(WindowForm, VisitDetailsForm):
    staff_1 = forms.ChoiceField(
        label="First member of staff (optional)",
        required=False,
        error_messages={"invalid_choice": "Select a member of the team from the list"},
    )
    staff_2 = forms.ChoiceField(
        label="Second member of staff (optional)",
        required=False,
        error_messages={"invalid_choice": "Select a member of the team from the list"},
    )

    def __init__(self, *args: Any, staff_choices: ChoicesIn = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("staff_1", "staff_2"):
            set_choices(self, name, [("", "Not yet"), *staff_choices])

    def chosen_staff(self) -> list[str]:
        return [pk for pk in (self.cleaned_data.get(n) for n in ("staff_1", "staff_2")) if pk]


def parse_times(text: str) -> tuple[dt.time, ...]:
    """'09:30, 16:00' or '9.30 16:00' -> times. Raises ValidationError on anything else."""
    found = []
    for part in [p for p in re.split(r"[,;\s]+", text.strip()) if p]:
        parsed = to_time(part)
        if parsed is None:
            raise forms.ValidationError(f"'{part}' is not a time: enter times like 09:30, 16:00")
        found.append(parsed)
    return tuple(found)


def _times_hint() -> str:
    named = {1: "once a day", 2: "twice a day", 3: "three times a day"}
    parts = [
        f"{', '.join(t.strftime('%H:%M') for t in times)} {named[count]}"
        for count, times in DEFAULT_TIMES.items()
    ]
    return "24-hour clock, separated by commas. Leave blank for " + "; ".join(parts)


class VisitPatternForm(VisitDetailsForm):
    """A pattern of visits in up to four parts, such as twice a day for 3 days, then daily
    for 4 days, then every other day for a week."""

    start_on = NhsDateField(
        label="First day",
        allow_past=False,
        help_text="For example, 31 3 2026",
        error_messages={"required": "Enter the first day of the pattern"},
    )
    window_minutes = forms.ChoiceField(
        label="How long is each window?",
        choices=WINDOW_CHOICES,
        widget=forms.RadioSelect,
        initial="60",
        help_text="The person is told the window: it can be at most an hour",
        error_messages={"required": "Select how long each window is"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, PATTERN_PHASES + 1):
            first = number == 1
            self.fields[f"phase_{number}_days"] = forms.IntegerField(
                label="For how many days?",
                required=first,
                min_value=1,
                max_value=42,
                error_messages={
                    "required": "Enter how many days the first part of the pattern lasts",
                    "invalid": "Enter the number of days as a number, like 3",
                    "min_value": "The number of days must be 1 or more",
                    "max_value": "The number of days must be 42 or fewer",
                },
            )
            self.fields[f"phase_{number}_frequency"] = forms.ChoiceField(
                label="How often?",
                choices=FREQUENCY_CHOICES,
                required=False,
            )
            self.fields[f"phase_{number}_times"] = forms.CharField(
                label="Window start times (optional)",
                required=False,
                max_length=40,
                help_text=_times_hint(),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        phases: list[PatternPhase] = []
        for number in range(1, PATTERN_PHASES + 1):
            days = data.get(f"phase_{number}_days")
            frequency = data.get(f"phase_{number}_frequency") or ""
            times_text = data.get(f"phase_{number}_times") or ""
            if days is None:
                if f"phase_{number}_days" in self.errors:
                    continue
                if frequency or times_text.strip():
                    self.add_error(f"phase_{number}_days", "Enter how many days this part lasts")
                continue
            if not frequency:
                self.add_error(f"phase_{number}_frequency", "Select how often to visit")
                continue
            per_day, every = (
                (1, int(frequency[6:]))
                if frequency.startswith("every_")
                else (
                    int(frequency),
                    1,
                )
            )
            try:
                times = parse_times(times_text)
            except forms.ValidationError as error:
                self.add_error(f"phase_{number}_times", error)
                continue
            if times and len(times) != per_day:
                self.add_error(
                    f"phase_{number}_times",
                    f"Enter {per_day} start "
                    + ("time" if per_day == 1 else "times")
                    + f" for {dict(FREQUENCY_CHOICES)[frequency].lower()}",
                )
                continue
            phases.append(PatternPhase(days=days, per_day=per_day, every=every, times=times))
        data["phases"] = phases
        if data.get("window_minutes"):
            data["window_length"] = int(data["window_minutes"])
        return data


PATTERN_INITIAL = {
    "phase_1_days": 3,
    "phase_1_frequency": "2",
    "phase_2_days": 4,
    "phase_2_frequency": "1",
}


class AssignForm(forms.Form):
    staff = forms.ChoiceField(
        label="Member of staff",
        error_messages={
            "required": "Select a member of staff",
            "invalid_choice": "Select a member of the team from the list",
        },
    )

    def __init__(self, *args: Any, staff_choices: ChoicesIn = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "staff", [("", "Select a member of staff"), *staff_choices])


class UnassignForm(forms.Form):
    staff = forms.UUIDField(error_messages={"required": "Select who to unassign"})


class VisitCancelForm(forms.Form):
    by_whom = forms.ChoiceField(
        label="Who cancelled the visit?",
        choices=[
            (VisitStatus.CANCELLED_BY_PERSON, "The person"),
            (VisitStatus.CANCELLED_BY_TEAM, "The team"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who cancelled the visit"},
    )
    reason = forms.CharField(
        label="Why was it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the visit is cancelled"},
    )


class VisitMoveForm(WindowForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# -- Contacts ----------------------------------------------------------------------------


class ContactForm(forms.Form):
    """Recording a contact, designed to take two minutes on a phone."""

    date = NhsDateField(
        label="Date",
        allow_future=False,
        error_messages={"required": "Enter the date of the contact"},
    )
    start_time = _time(
        "Start time", "Enter the start time", help_text="24-hour clock, for example 09:40"
    )
    end_time = _time("End time", "Enter the end time", help_text="For example, 10:25")
    attendance = forms.ChoiceField(
        label="What happened?",
        choices=Attendance.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    medium = forms.ChoiceField(
        label="How?",
        choices=Medium.choices,
        widget=forms.RadioSelect,
        initial=Medium.FACE_TO_FACE,
        error_messages={"required": "Select how the contact happened"},
    )
    location = forms.ChoiceField(
        label="Where? (face to face)",
        choices=VisitLocation.choices,
        widget=forms.RadioSelect,
        initial=VisitLocation.HOME,
        required=False,
    )
    location_detail = forms.CharField(
        label="Where, if somewhere else", required=False, max_length=300
    )
    staff = forms.MultipleChoiceField(
        label="Who was there from the team?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select who was there",
            "invalid_choice": "Select who was there from the list",
        },
    )
    also_present = forms.ChoiceField(
        label="Someone else from the team (optional)",
        required=False,
        error_messages={"invalid_choice": "Select a member of the team from the list"},
    )
    goals = forms.MultipleChoiceField(
        label="Which goals did you work on?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    interventions = forms.MultipleChoiceField(
        label="What did you do?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label="Note (you can write it up later)",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20_000,
        help_text="Write it up today: a note written up on a later day is flagged",
    )
    phoned_about_lateness = forms.ChoiceField(
        label="Did you phone the person to say you were running late?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        staff_choices: ChoicesIn = (),
        other_staff_choices: ChoicesIn = (),
        goal_choices: ChoicesIn = (),
        intervention_choices: ChoicesIn = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "staff", staff_choices)
        set_choices(self, "also_present", [("", "No one else"), *other_staff_choices])
        set_choices(self, "goals", goal_choices)
        set_choices(self, "interventions", intervention_choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date")
        if day and data.get("start_time"):
            data["started_at"] = local_instant(day, data["start_time"])
        if day and data.get("end_time"):
            data["ended_at"] = local_instant(day, data["end_time"])
        answer = data.get("phoned_about_lateness")
        data["phoned"] = None if not answer else answer == "yes"
        return data

    def staff_ids(self) -> list[str]:
        chosen = list(self.cleaned_data.get("staff") or [])
        extra = self.cleaned_data.get("also_present")
        if extra and extra not in chosen:
            chosen.append(extra)
        return chosen


class WriteUpForm(forms.Form):
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        error_messages={"required": "Enter the note"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
