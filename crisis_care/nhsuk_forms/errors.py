"""Putting a service's refusal on the form that asked for it."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def add_service_error(
    form: forms.Form, error: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Put a service's refusal on the form: on the matching field where there is one (after
    renaming through `fields`, e.g. a service's `due_at` shown against the form's time box),
    otherwise at the top of the error summary."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = (fields or {}).get(key, key)
        for message in ValidationError(errors).messages:
            form.add_error(name if name in form.fields else None, message)
