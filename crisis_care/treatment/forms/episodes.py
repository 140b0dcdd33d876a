"""Forms for the caseload filters and the episode's changes. They parse what was typed; the
rules (who may be named worker, when the next review may be) are the services' (their
messages are shown against these fields, so the names match the services' keys)."""

from typing import Any

from django import forms

from crisis_care.nhsuk_forms.fields import NhsDateField

from ..models import ReviewOutcome

YES_NO = [("yes", "Yes"), ("no", "No")]


class CaseloadFilterForm(forms.Form):
    """The caseload's filters (a GET form). Choices come from the caseload itself."""

    worker = forms.ChoiceField(label="Named worker", required=False)
    locality = forms.ChoiceField(label="Locality", required=False)
    flag = forms.ChoiceField(label="Flag", required=False)

    def __init__(
        self,
        *args: Any,
        workers: list[tuple[str, str]] | None = None,
        localities: list[str] | None = None,
        flags: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Anyone"), *(workers or [])]  # type: ignore[attr-defined]
        self.fields["locality"].choices = [  # type: ignore[attr-defined]
            ("", "Anywhere"),
            *((name, name) for name in localities or []),
        ]
        self.fields["flag"].choices = [("", "Any or none"), *(flags or [])]  # type: ignore[attr-defined]

    def chosen(self) -> dict[str, str]:
        """The filters to apply: a value no longer on the caseload is ignored."""
        if not self.is_bound:
            return {}
        chosen = {}
        for name in ("worker", "locality", "flag"):
            value = self.data.get(name, "")
            valid = {str(v) for v, _ in self.fields[name].choices}  # type: ignore[attr-defined]
            if value and value in valid:
                chosen[name] = value
        return chosen


class NamedWorkerForm(forms.Form):
    """Change the named worker. `staff` is a staff member's id; the view offers the team's
    staff as the select's options and the service checks the choice."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    staff = forms.UUIDField(
        label="New named worker",
        widget=forms.Select,
        error_messages={
            "required": "Select the new named worker",
            "invalid": "Select the new named worker from the list",
        },
    )
    reason = forms.CharField(
        label="Why is the named worker changing?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="For example, the named worker is on leave for two weeks, or the person "
        "asked for someone else. The person should know who their named worker is.",
        error_messages={
            "required": "Enter why the named worker is changing",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class EpisodeReviewForm(forms.Form):
    """The review's answers. Nothing is required here: the service checks the outcome, the
    reasons and the next review date together, so every problem is shown at once."""

    outcome = forms.ChoiceField(
        label="What did the review decide?",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select the outcome of the review"},
    )
    reason = forms.CharField(
        label="Reasons",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="Why home treatment should continue, or why discharge can be planned now. "
        "Include the person's view.",
        error_messages={"max_length": "The reasons must be 2,000 characters or fewer"},
    )
    next_review_on = NhsDateField(label="Date of the next review", required=False)


class PairedVisitsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    required = forms.TypedChoiceField(
        label="Do two members of staff need to go on every visit?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether paired visits are required"},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        help_text="Needed when paired visits are required: what the risk is, so every visitor "
        "knows. For example, threats to staff at the last visit, or a dog that is not safe.",
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
