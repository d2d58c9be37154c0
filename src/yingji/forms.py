"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms


def apply_errors(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    """Put a service's ValidationError beside the fields it names."""
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
