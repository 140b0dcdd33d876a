"""Forms for 'How did we do?': the public form (no name, no NHS number, nothing that links
to a person) and the period of the managers' report."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from crisis_care.nhsuk_forms.fields import NhsDateField
from crisis_care.nhsuk_forms.params import error_anchor, field_id
from crisis_care.referrals.self_referral import LongTextField

from ..models import Experience, Respondent
from ..selectors.feedback import Period
from ..services.feedback import COMMENT_MAX_LENGTH

# The longest period the report shows at once (its table has a row per month).
MAX_PERIOD_YEARS = 5


def _comment(label: str, hint: str) -> LongTextField:
    return LongTextField(
        label=label,
        help_text=hint,
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": f"{label.removesuffix(' (optional)').rstrip('?')} must be "
            f"{COMMENT_MAX_LENGTH:,} characters or fewer",
            "null_characters_not_allowed": f"{label.removesuffix(' (optional)').rstrip('?')} "
            "must not include unusual characters",
        },
    )


class FeedbackForm(forms.Form):
    experience = forms.ChoiceField(
        label="Overall, how was your experience of the crisis team?",
        choices=Experience.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how your experience of the crisis team was overall",
            "invalid_choice": "Select how your experience of the crisis team was overall",
        },
    )
    respondent = forms.ChoiceField(
        label="Are you…",
        choices=Respondent.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you had care from the team or are a carer, family "
            "member or friend",
            "invalid_choice": "Select whether you had care from the team or are a carer, family "
            "member or friend",
        },
    )
    what_went_well = _comment(
        "What went well? (optional)",
        "Please do not write your name or anyone else's.",
    )
    what_could_be_better = _comment(
        "What could we do better? (optional)",
        "Please do not write your name or anyone else's.",
    )

    def radio_items(self, name: str) -> list[dict[str, Any]]:
        """Items for the NHS.UK radios macro with explicit ids, so the first radio has the id
        the error summary links to."""
        bound = self[name]
        value = str(bound.value() or "")
        return [
            {
                "id": error_anchor(bound) if index == 1 else f"{field_id(bound)}-{index}",
                "value": str(choice),
                "text": str(label),
                "checked": value == str(choice),
            }
            for index, (choice, label) in enumerate(self.fields[name].choices, start=1)  # type: ignore[attr-defined]
        ]


class PeriodForm(forms.Form):
    """From and to, both days included. Read from the query string."""

    start = NhsDateField(
        label="From",
        allow_future=False,
        help_text="For example, 1 3 2026",
        error_messages={"required": "Enter the date the period starts"},
    )
    end = NhsDateField(
        label="To",
        allow_future=False,
        help_text="For example, 31 5 2026. This day is included.",
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
        return Period(start=self.cleaned_data["start"], end=self.cleaned_data["end"])


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_form(query: Any, default: Period) -> PeriodForm:
    """Bound to the query string when it names a date; otherwise showing the default."""
    named = any(key.startswith(("start[", "end[")) for key in query)
    if named:
        return PeriodForm(query)
    return PeriodForm(initial={"start": default.start, "end": default.end})
