"""Forms for the directory. Error messages follow the NHS.UK style: say what to do.

The service form has a variable number of phone rows and opening-time rows: as many as
the service already has plus one or two blank ones. A row of opening times is a set of
days with one opening and one closing time, as an ORUK schedule's `byday` is.
"""

import datetime as dt
import re
from typing import Any

from django import forms

from crisis_care.core.presenters import time_short
from crisis_care.nhsuk_forms.fields import NhsDateField

from . import selectors
from .models import WEEKDAY_ORDER, Area, Category, Service, ServiceStatus, Weekday

MIN_PHONE_ROWS = 2
MIN_SCHEDULE_ROWS = 2
MAX_ROWS = 30
DEFAULT_CRISIS_HELP_ORDER = 100

_TIME = re.compile(r"(\d{1,2})(?::?(\d{2}))?(am|pm)?")
_PHONE = re.compile(r"\+?[\d ()-]+")


def parse_time(text: str) -> dt.time | None:
    """'9am', '9:30pm', '17:30', '1730', 'midday', 'midnight' -> a time; None if unreadable."""
    value = text.strip().lower().replace(" ", "").replace(".", ":")
    if value in ("midday", "noon", "12noon"):
        return dt.time(12, 0)
    if value in ("midnight", "12midnight"):
        return dt.time(0, 0)
    match = _TIME.fullmatch(value)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3)
    if minute > 59:
        return None
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif hour > 23:
        return None
    return dt.time(hour, minute)


def _rows_in(data: Any, prefix: str, suffix: str) -> int:
    """How many rows a posted form has (the highest row number posted)."""
    pattern = re.compile(rf"{prefix}_(\d+)_{suffix}")
    numbers = [int(m.group(1)) for key in data if (m := pattern.fullmatch(key))]
    return min(max(numbers, default=0), MAX_ROWS)


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or what it offers", required=False, max_length=200)
    category = forms.ChoiceField(
        label="Kind of help", required=False, choices=[("", "Any"), *Category.choices]
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        choices=[
            ("", "Anywhere"),
            (Area.LEICESTER, "Leicester (city)"),
            (Area.LEICESTERSHIRE, "Leicestershire (county)"),
            (Area.RUTLAND, "Rutland"),
            (Area.NATIONAL, "National services only"),
        ],
    )
    takes_referrals = forms.ChoiceField(
        label="Referrals",
        required=False,
        choices=[
            ("", "Any"),
            ("yes", "Takes referrals"),
            ("no", "Signposting only (people contact them themselves)"),
        ],
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        referrals = data.get("takes_referrals", "")
        return {
            "search": data.get("q", ""),
            "category": data.get("category", ""),
            "area": data.get("area", ""),
            "takes_referrals": {"yes": True, "no": False}.get(referrals),
        }


def _yes_no(value: Any) -> bool:
    return value in (True, "True", "yes")


class ServiceForm(forms.Form):
    """A service's details. `version` is the record version the form was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the service's name"}
    )
    organization = forms.ModelChoiceField(
        label="Organisation that runs it",
        queryset=selectors.organizations().none(),
        required=False,
        empty_label="None, or not listed",
    )
    new_organization = forms.CharField(
        label="Or add an organisation that is not listed (optional)",
        required=False,
        max_length=200,
    )
    description = forms.CharField(
        label="What it offers",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Enter what the service offers"},
    )
    who_it_is_for = forms.CharField(
        label="Who it is for (optional)",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="For example, age range, where they live, or what they need help with",
    )
    categories = forms.MultipleChoiceField(
        label="What kind of help it gives (optional)",
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    area = forms.ChoiceField(
        label="Area it serves",
        choices=Area.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the area the service serves"},
    )
    area_description = forms.CharField(
        label="Area served, in words (optional)",
        required=False,
        max_length=300,
        help_text="For example, city-based drop-in, or residents of Melton only",
    )
    hours_description = forms.CharField(
        label="Opening hours, in words (optional)",
        required=False,
        max_length=300,
        help_text="For example, 24 hours, every day. Use this when the times below cannot say it.",
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    url = forms.URLField(
        label="Website (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a web address in the correct format, like https://www.example.org.uk"
        },
    )
    takes_referrals = forms.TypedChoiceField(
        label="Does it take referrals?",
        choices=[
            ("True", "Yes, we can refer people to it"),
            ("False", "No, people contact it themselves (signposting)"),
        ],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the service takes referrals"},
    )
    referral_how = forms.CharField(
        label="How to refer (optional)",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
        help_text="Who can refer, and how",
    )
    is_crisis_help = forms.TypedChoiceField(
        label="List it under “how to get crisis help” on plans and letters?",
        choices=[("True", "Yes"), ("False", "No")],
        coerce=_yes_no,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to list it under how to get crisis help"},
    )
    crisis_help_order = forms.IntegerField(
        label="Position in the crisis help list (optional)",
        required=False,
        min_value=0,
        max_value=999,
        help_text="Lower numbers come first, for example 10 before 20",
        error_messages={
            "invalid": "Position must be a whole number, like 70",
            "min_value": "Position must be 0 or more",
            "max_value": "Position must be 999 or less",
        },
    )
    status = forms.ChoiceField(
        label="Is it running?",
        choices=ServiceStatus.choices,
        widget=forms.RadioSelect,
        initial=ServiceStatus.ACTIVE,
        error_messages={"required": "Select whether the service is running"},
    )
    assured_date = NhsDateField(
        label="Date these details were last checked (optional)",
        required=False,
        allow_future=False,
        help_text="For example, 15 3 2026",
    )

    def __init__(
        self,
        *args: Any,
        phone_rows: int = MIN_PHONE_ROWS,
        schedule_rows: int = MIN_SCHEDULE_ROWS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = selectors.organizations()  # type: ignore[attr-defined]
        if self.is_bound:
            phone_rows = max(_rows_in(self.data, "phone", "number"), 1)
            schedule_rows = max(_rows_in(self.data, "schedule", "opens"), 1)
        self.phone_rows = list(range(1, phone_rows + 1))
        self.schedule_rows = list(range(1, schedule_rows + 1))
        for i in self.phone_rows:
            self.fields[f"phone_{i}_number"] = forms.CharField(
                label=f"Phone number {i}", required=False, max_length=40
            )
            self.fields[f"phone_{i}_description"] = forms.CharField(
                label=f"What phone number {i} is for (optional)",
                required=False,
                max_length=300,
                help_text="For example, free, 24 hours" if i == 1 else "",
            )
        for i in self.schedule_rows:
            self.fields[f"schedule_{i}_days"] = forms.MultipleChoiceField(
                label=f"Days (opening times {i})",
                choices=Weekday.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields[f"schedule_{i}_opens"] = forms.CharField(
                label=f"Opens at (opening times {i})", required=False, max_length=20
            )
            self.fields[f"schedule_{i}_closes"] = forms.CharField(
                label=f"Closes at (opening times {i})",
                required=False,
                max_length=20,
                help_text="A closing time earlier than the opening time means the next day",
            )

    @classmethod
    def for_service(cls, service: Service) -> "ServiceForm":
        """A form holding a service's current details (phones, schedules prefetched)."""
        initial: dict[str, Any] = {
            "version": service.version,
            "name": service.name,
            "organization": service.organization_id,
            "description": service.description,
            "who_it_is_for": service.who_it_is_for,
            "categories": [t.code for t in service.categories.all()],
            "area": service.area,
            "area_description": service.area_description,
            "hours_description": service.hours_description,
            "email": service.email,
            "url": service.url,
            "takes_referrals": str(service.takes_referrals),
            "referral_how": service.referral_how,
            "is_crisis_help": str(service.is_crisis_help),
            "crisis_help_order": service.crisis_help_order if service.is_crisis_help else None,
            "status": service.status,
            "assured_date": service.assured_date,
        }
        phones = list(service.phones.all())
        for i, phone in enumerate(phones, start=1):
            initial[f"phone_{i}_number"] = phone.number
            initial[f"phone_{i}_description"] = phone.description
        groups: dict[tuple[dt.time, dt.time], list[str]] = {}
        for schedule in service.schedules.all():
            groups.setdefault((schedule.opens_at, schedule.closes_at), []).append(schedule.byday)
        ordered = sorted(
            groups.items(), key=lambda item: (min(WEEKDAY_ORDER[d] for d in item[1]), item[0])
        )
        for i, ((opens, closes), days) in enumerate(ordered, start=1):
            initial[f"schedule_{i}_days"] = sorted(days, key=WEEKDAY_ORDER.__getitem__)
            initial[f"schedule_{i}_opens"] = time_short(opens)
            initial[f"schedule_{i}_closes"] = time_short(closes)
        return cls(
            initial=initial,
            phone_rows=max(len(phones) + 1, MIN_PHONE_ROWS),
            schedule_rows=max(len(ordered) + 1, MIN_SCHEDULE_ROWS),
        )

    def phone_fields(self) -> list[tuple[int, Any, Any]]:
        return [
            (i, self[f"phone_{i}_number"], self[f"phone_{i}_description"]) for i in self.phone_rows
        ]

    def schedule_fields(self) -> list[tuple[int, Any, Any, Any]]:
        return [
            (
                i,
                self[f"schedule_{i}_days"],
                self[f"schedule_{i}_opens"],
                self[f"schedule_{i}_closes"],
            )
            for i in self.schedule_rows
        ]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def _clean_phones(self, data: dict[str, Any]) -> list[tuple[str, str]]:
        phones = []
        for i in self.phone_rows:
            number = (data.get(f"phone_{i}_number") or "").strip()
            description = (data.get(f"phone_{i}_description") or "").strip()
            if not number:
                if description:
                    self.add_error(
                        f"phone_{i}_number", f"Enter phone number {i}, or remove what it is for"
                    )
                continue
            digits = sum(c.isdigit() for c in number)
            if not _PHONE.fullmatch(number) or digits < 3 or digits > 15:
                self.add_error(
                    f"phone_{i}_number",
                    f"Enter phone number {i} in the correct format, like 0116 496 0000 or 111",
                )
                continue
            phones.append((number, description))
        return phones

    def _clean_schedules(self, data: dict[str, Any]) -> list[tuple[str, dt.time, dt.time]]:
        rows: list[tuple[str, dt.time, dt.time]] = []
        for i in self.schedule_rows:
            days = data.get(f"schedule_{i}_days") or []
            opens_text = (data.get(f"schedule_{i}_opens") or "").strip()
            closes_text = (data.get(f"schedule_{i}_closes") or "").strip()
            if not (days or opens_text or closes_text):
                continue
            if not days:
                self.add_error(f"schedule_{i}_days", f"Select the days for opening times {i}")
            opens = parse_time(opens_text) if opens_text else None
            closes = parse_time(closes_text) if closes_text else None
            if not opens_text:
                self.add_error(
                    f"schedule_{i}_opens", f"Enter the opening time for opening times {i}"
                )
            elif opens is None:
                self.add_error(
                    f"schedule_{i}_opens",
                    f"Enter the opening time for opening times {i} in the correct format, like 9am or 17:30",
                )
            if not closes_text:
                self.add_error(
                    f"schedule_{i}_closes", f"Enter the closing time for opening times {i}"
                )
            elif closes is None:
                self.add_error(
                    f"schedule_{i}_closes",
                    f"Enter the closing time for opening times {i} in the correct format, like 5pm or 23:00",
                )
            if opens is not None and closes is not None and opens == closes:
                self.add_error(
                    f"schedule_{i}_closes",
                    f"Closing time must be different from the opening time (opening times {i})",
                )
                continue
            if days and opens is not None and closes is not None:
                rows.extend((day, opens, closes) for day in days)
        seen: dict[tuple[str, dt.time], int] = {}
        for day, opens, _ in rows:
            seen[(day, opens)] = seen.get((day, opens), 0) + 1
        if any(count > 1 for count in seen.values()):
            self.add_error(
                None, "Each day can open only once at the same time: remove the repeated row"
            )
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["phones"] = self._clean_phones(data)
        data["schedules"] = self._clean_schedules(data)
        if data.get("organization") and (data.get("new_organization") or "").strip():
            self.add_error(
                "new_organization",
                "Either choose an organisation from the list or add a new one, not both",
            )
        if data.get("is_crisis_help") and data.get("crisis_help_order") is None:
            data["crisis_help_order"] = DEFAULT_CRISIS_HELP_ORDER
        if not data.get("is_crisis_help"):
            data["crisis_help_order"] = 0
        return data
