"""Re-showing a form after a stale save (core.concurrency.StaleEdit)."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms

from crisis_care.core.concurrency import differences
from crisis_care.core.models import VersionedModel

F = TypeVar("F", bound=forms.Form)
M = TypeVar("M", bound=VersionedModel)


def keep_input_at_current_version(
    form: F,
    current: M,
    *,
    conflicts: Callable[[F, M], list[str]] | None = None,
) -> F:
    """The user's input stays in the form; the form now carries the record's current version
    (so saving again, after checking, overwrites knowingly); `form.conflicts` lists the labels
    of the fields where the form and the saved record differ."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data["version"] = str(current.version)
    kept = type(form)(data)
    kept.is_valid()
    kept.conflicts = (conflicts or _field_differences)(kept, current)  # type: ignore[attr-defined]
    return kept


def _field_differences(form: forms.Form, current: Any) -> list[str]:
    return [
        str(form.fields[name].label)
        for name in differences(current, form.cleaned_data)
        if name in form.fields and name != "version"
    ]
