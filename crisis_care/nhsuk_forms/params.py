"""Turn bound Django form fields into parameters for the nhsuk-frontend-jinja macros.

Templates call the macros in nhsuk_forms/macros.jinja, which call these. Keeping the
mapping here means every form gets the same ids, hints and error messages, and the
error summary links land on the right input.
"""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.boundfield import BoundField

from .fields import DateInputWidget


def _merge(base: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _merge(dict(base[key]), value)
        else:
            base[key] = value
    return base


def field_id(field: BoundField) -> str:
    return field.auto_id or field.html_name


def error_anchor(field: BoundField) -> str:
    """Where the error summary link should take focus."""
    if isinstance(field.field.widget, DateInputWidget):
        value = field.value() or {}
        parts = value if isinstance(value, dict) else {}
        first_missing = next((p for p in ("day", "month", "year") if not parts.get(p)), "day")
        return f"{field_id(field)}-{first_missing}"
    # Radios and checkboxes: the NHS.UK macro gives the first item the bare idPrefix.
    return field_id(field)


def _common(field: BoundField, params: dict[str, Any] | None) -> dict[str, Any]:
    base: dict[str, Any] = {"id": field_id(field), "name": field.html_name}
    if field.help_text:
        base["hint"] = {"text": str(field.help_text)}
    if field.errors:
        base["errorMessage"] = {"text": " ".join(str(e) for e in field.errors)}
    return _merge(base, params)


def input_params(field: BoundField, params: dict[str, Any] | None = None) -> dict[str, Any]:
    value = field.value()
    base = _common(
        field, {"label": {"text": str(field.label)}, "value": "" if value is None else value}
    )
    if field.field.required:
        base.setdefault("attributes", {})
    return _merge(base, params)


def textarea_params(field: BoundField, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return input_params(field, params)


def _choice_items(field: BoundField, checked_key: str) -> list[dict[str, Any]]:
    value = field.value()
    selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    items = []
    for choice_value, choice_label in getattr(field.field, "choices", []):
        items.append(
            {
                "value": str(choice_value),
                "text": str(choice_label),
                checked_key: str(choice_value) in selected,
            }
        )
    return items


def choice_params(field: BoundField, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Radios or checkboxes inside a fieldset whose legend is the field's label."""
    base = _common(
        field,
        {
            "idPrefix": field_id(field),
            "fieldset": {"legend": {"text": str(field.label), "size": "s"}},
            "items": [i for i in _choice_items(field, "checked") if i["value"] != ""],
        },
    )
    base.pop("id", None)
    return _merge(base, params)


def select_params(field: BoundField, params: dict[str, Any] | None = None) -> dict[str, Any]:
    items = _choice_items(field, "selected")
    base = _common(field, {"label": {"text": str(field.label)}, "items": items})
    return _merge(base, params)


def date_params(field: BoundField, params: dict[str, Any] | None = None) -> dict[str, Any]:
    raw = field.value()
    values = field.field.widget.format_value(raw) if raw is not None else {}
    base = _common(
        field,
        {
            "namePrefix": field.html_name,
            "fieldset": {"legend": {"text": str(field.label), "size": "s"}},
            "items": [
                {
                    "name": "day",
                    "label": "Day",
                    "classes": "nhsuk-input--width-2",
                    "value": values.get("day", ""),
                },
                {
                    "name": "month",
                    "label": "Month",
                    "classes": "nhsuk-input--width-2",
                    "value": values.get("month", ""),
                },
                {
                    "name": "year",
                    "label": "Year",
                    "classes": "nhsuk-input--width-4",
                    "value": values.get("year", ""),
                },
            ],
        },
    )
    if field.errors:
        for item in base["items"]:
            item["classes"] += " nhsuk-input--error"
    return _merge(base, params)


def error_summary_params(
    *forms_: forms.BaseForm, extra: list[str] | None = None
) -> dict[str, Any] | None:
    """The NHS.UK error summary for one or more forms, or None when all are valid."""
    error_list: list[dict[str, Any]] = [{"text": message} for message in extra or []]
    for form in forms_:
        if not form.is_bound:
            continue
        for message in form.non_field_errors():
            error_list.append({"text": str(message)})
        for name in form.errors:
            if name == NON_FIELD_ERRORS:
                continue
            bound = form[name]
            for message in bound.errors:
                error_list.append({"text": str(message), "href": f"#{error_anchor(bound)}"})
    if not error_list:
        return None
    return {"titleText": "There is a problem", "errorList": error_list}
