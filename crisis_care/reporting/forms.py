"""The period a report covers: from and to (London dates, both days included), read from the
query string, with the last full calendar month as the default. Every report page uses it;
the team comes from `?team=<uuid>` (views.common.team_for)."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from crisis_care.nhsuk_forms.fields import NhsDateField

from .period import Period

# The longest period a report covers at once.
MAX_PERIOD_YEARS = 5


def last_full_month(today: dt.date) -> Period:
    """The calendar month before the one `today` is in."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return Period(last.replace(day=1), last)


class PeriodForm(forms.Form):
    """From and to, both days included."""

    start = NhsDateField(
        label="From",
        help_text="For example, 1 10 2026",
        error_messages={"required": "Enter the date the period starts"},
    )
    end = NhsDateField(
        label="To",
        help_text="For example, 31 10 2026. This day is included.",
        error_messages={"required": "Enter the date the period ends"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if start > end:
                self.add_error("end", "The date the period ends must be on or after its start")
            elif _years_later(start, MAX_PERIOD_YEARS) < end:
                self.add_error("end", f"The period must be {MAX_PERIOD_YEARS} years or shorter")
        return data

    def full_clean(self) -> None:
        super().full_clean()
        errors = self.errors
        if errors:
            order = [NON_FIELD_ERRORS, *self.fields]
            ordered = sorted(errors.items(), key=lambda item: order.index(item[0]))
            errors.clear()
            errors.update(ordered)

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_form(query: Any, default: Period) -> PeriodForm:
    """Bound to the query string when it names a date; otherwise showing the default."""
    if any(key.startswith(("start[", "end[")) for key in query):
        return PeriodForm(query)
    return PeriodForm(initial={"start": default.first, "end": default.last})


def chosen_period(form: PeriodForm) -> Period | None:
    """The period asked for (the default when none was), or None if the dates are wrong."""
    if not form.is_bound:
        return Period(form.initial["start"], form.initial["end"])
    return form.period() if form.is_valid() else None


def period_query(period: Period) -> dict[str, str]:
    """The query string parameters that ask for `period` (for links to other reports)."""
    out: dict[str, str] = {}
    for name, day in (("start", period.first), ("end", period.last)):
        out |= {
            f"{name}[day]": str(day.day),
            f"{name}[month]": str(day.month),
            f"{name}[year]": str(day.year),
        }
    return out
