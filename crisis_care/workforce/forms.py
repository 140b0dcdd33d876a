"""Forms for the rota. Choices come from a list the view has already read (no extra queries)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.text import slugify

from .models import ShiftType, StaffMember


def assign_form_prefix(shift_type: ShiftType) -> str:
    """One form per shift on the rota page, so ids like 'early-staff' stay unique and readable."""
    return slugify(shift_type.name) or shift_type.pk.hex[:8]


class ShiftAssignForm(forms.Form):
    staff = forms.ChoiceField(label="Staff member")
    is_coordinator = forms.BooleanField(label="Shift coordinator", required=False)

    def __init__(
        self,
        *args: Any,
        staff_options: Sequence[StaffMember],
        shift_label: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._staff_by_id = {str(s.pk): s for s in staff_options}
        field = cast(forms.ChoiceField, self.fields["staff"])
        field.choices = [("", "Choose a staff member")] + [
            (str(s.pk), f"{s} ({s.job_title})") for s in staff_options
        ]
        field.error_messages["required"] = f"Choose who to add to the {shift_label.lower()}"
        field.error_messages["invalid_choice"] = (
            f"Choose a member of this team to add to the {shift_label.lower()}"
        )

    def clean_staff(self) -> StaffMember:
        return self._staff_by_id[self.cleaned_data["staff"]]


def parse_day(value: str | None) -> dt.date | None:
    """A day from the URL (YYYY-MM-DD), or None if it is missing or not a real date."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
