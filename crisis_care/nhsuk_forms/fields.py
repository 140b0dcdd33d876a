"""Form fields whose values and errors follow the NHS.UK design system's patterns."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone


class DateInputWidget(forms.Widget):
    """Three boxes posted as <name>[day], <name>[month], <name>[year] (the NHS.UK date input)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {
            part: (data.get(f"{name}[{part}]") or "").strip() for part in ("day", "month", "year")
        }

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}[{part}]" in data for part in ("day", "month", "year"))

    def format_value(self, value: Any) -> dict[str, str]:
        if isinstance(value, dt.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, dict):
            return value
        return {"day": "", "month": "", "year": ""}


class NhsDateField(forms.Field):
    """A date typed as day, month and year, with the NHS.UK error wording."""

    widget = DateInputWidget

    def __init__(
        self, *, allow_future: bool = True, allow_past: bool = True, **kwargs: Any
    ) -> None:
        self.allow_future = allow_future
        self.allow_past = allow_past
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        parts = value or {}
        if not any(parts.values()):
            return None
        label = (self.label or "Date").capitalize()
        missing = [p for p in ("day", "month", "year") if not parts.get(p)]
        if missing:
            raise forms.ValidationError(f"{label} must include a {' and a '.join(missing)}")
        try:
            day, month, year = (int(parts[p]) for p in ("day", "month", "year"))
        except ValueError as error:
            raise forms.ValidationError(f"{label} must be a real date") from error
        if year < 1000:
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            return dt.date(year, month, day)
        except ValueError as error:
            raise forms.ValidationError(f"{label} must be a real date") from error

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value is None:
            return
        label = (self.label or "Date").capitalize()
        today = timezone.localdate()
        if not self.allow_future and value > today:
            raise forms.ValidationError(f"{label} must be today or in the past")
        if not self.allow_past and value < today:
            raise forms.ValidationError(f"{label} must be today or in the future")
