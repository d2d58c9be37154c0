"""Form helpers shared by every app's pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError

from yingji import fields
from yingji.clock import moments


def apply_errors(
    form: forms.BaseForm,
    errors: dict[str, list[str]],
    rename: dict[str, str] | None = None,
) -> None:
    """Put a service's ValidationError beside the fields it names; ``rename`` maps the
    service's name for a value to the form's (``{"by": "days"}``). A message for no field
    of the form (``stage``, ``__all__``) becomes a non-field error, which the page shows
    at the top (``_error_summary.html``)."""
    for key, messages in errors.items():
        field = (rename or {}).get(key, key)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def refuse_control(value: Any) -> None:
    if isinstance(value, str) and fields.has_control(value):
        raise ValidationError(fields.control_message(), code="control_character")


def refuse_implausible_date(value: Any) -> None:
    if isinstance(value, date) and moments.out_of_range(value):
        raise ValidationError(moments.range_message(), code="date_out_of_range")


class BoundedForm:
    """Mixed into every form (``class XForm(BoundedForm, forms.Form)``): refuses control
    characters in text, bounds numbers and dates (to the plausible years), and gives text
    without a limit the longest a column takes. Naive datetimes are read in the office's
    zone by Django itself (USE_TZ)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bound_field(field)


def bound_field(field: forms.Field) -> None:
    if isinstance(field, forms.CharField):
        field.validators.append(refuse_control)
        if field.max_length is None:
            field.max_length = fields.TEXT_MAX
            field.validators.append(validators.MaxLengthValidator(fields.TEXT_MAX))
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        if field.max_value is None:
            field.max_value = fields.MAX_COUNT
            field.validators.append(validators.MaxValueValidator(fields.MAX_COUNT))
        if field.min_value is None:
            field.min_value = -fields.MAX_COUNT
            field.validators.append(validators.MinValueValidator(-fields.MAX_COUNT))
    if isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(refuse_implausible_date)


class BoundedModelForm(BoundedForm, forms.ModelForm):
    """The base of the admin's forms (``ModelAdmin.form``), so what an administrator types
    is bounded like what a page takes."""
