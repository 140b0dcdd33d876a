"""Forms for the CORE fidelity self-review: the period it reads, and the review itself (a yes/no
for every criterion the reviewer judges, a 1–5 score for items without criteria, evidence for
each item and a note). Computed criteria are not on the form: they are read from the records
when the review is saved."""

import datetime as dt
from typing import Any

from django import forms

from crisis_care.nhsuk_forms.fields import NhsDateField

from . import fidelity
from .period import Period

YES_NO = [("yes", "Yes"), ("no", "No")]
SCORES = [(str(n), str(n)) for n in range(1, 6)]
MAX_DAYS = 366


def _text(label: str, max_length: int = 5000) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=max_length,
        error_messages={"max_length": f"{label} must be {max_length:,} characters or fewer"},
    )


class PeriodForm(forms.Form):
    """The period whose records the computed criteria read (whole London days)."""

    first = NhsDateField(
        label="From",
        allow_future=False,
        error_messages={"required": "Enter the first day of the period"},
    )
    last = NhsDateField(
        label="To",
        allow_future=False,
        error_messages={"required": "Enter the last day of the period"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            if last < first:
                self.add_error("last", "The last day must be the same as or after the first day")
            elif (last - first).days >= MAX_DAYS:
                self.add_error("last", "The period must be a year or shorter")
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["first"], self.cleaned_data["last"])


def judged_name(code: str) -> str:
    return f"c_{code}"


def score_name(number: int) -> str:
    return f"score_{number}"


def evidence_name(number: int) -> str:
    return f"evidence_{number}"


class ReviewForm(forms.Form):
    note = _text("A note on the review (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in fidelity.ITEMS:
            if item.judged_directly:
                self.fields[score_name(item.number)] = forms.ChoiceField(
                    label=f"Score for item {item.number}",
                    choices=SCORES,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": f"Select the score for item {item.number} (1 to 5)"
                    },
                )
            for criterion in item.criteria:
                if criterion.is_computed:
                    continue
                self.fields[judged_name(criterion.code)] = forms.ChoiceField(
                    label=f"{criterion.code}: {criterion.text}",
                    choices=YES_NO,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": f"Select yes if criterion {criterion.code} is met, or no "
                        "if it is not"
                    },
                )
            self.fields[evidence_name(item.number)] = _text(f"Evidence for item {item.number}")
        # The note last, so the error summary lists items in order.
        self.fields["note"] = self.fields.pop("note")

    def judged(self) -> dict[str, bool]:
        return {
            c.code: self.cleaned_data[judged_name(c.code)] == "yes"
            for i in fidelity.ITEMS
            for c in i.criteria
            if not c.is_computed
        }

    def direct(self) -> dict[int, int]:
        return {
            i.number: int(self.cleaned_data[score_name(i.number)])
            for i in fidelity.ITEMS
            if i.judged_directly
        }

    def evidence(self) -> dict[int, str]:
        return {i.number: self.cleaned_data[evidence_name(i.number)] for i in fidelity.ITEMS}
