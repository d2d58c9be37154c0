"""The commander's forms beyond the plan: a task for a group, unit or person, and a
leader's instruction (领导批示) that becomes one. The services check them again; these give
the fields, their limits and the choices of holder."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.forms import BoundedForm
from yingji.incidents.services import tasking


class _HolderForm(BoundedForm, forms.Form):
    holder = forms.ChoiceField(label=_("for"), choices=())
    minutes = forms.IntegerField(
        label=_("within (minutes)"),
        min_value=1,
        max_value=tasking.MAX_MINUTES,
        help_text=_("The time limit, counted from now."),
    )

    def __init__(self, *args: Any, holders: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [("", "—"), *holders]  # type: ignore[attr-defined]


class TaskForm(_HolderForm):
    action = forms.CharField(
        label=_("task"),
        max_length=tasking.ACTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["action", "holder", "minutes"]


class InstructionForm(_HolderForm):
    leader = forms.CharField(
        label=_("leader"), max_length=60, help_text=_("Title and name, e.g. 县长 张某")
    )
    text = forms.CharField(
        label=_("instruction"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    given_at = forms.DateTimeField(
        label=_("given at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )
    action = forms.CharField(
        label=_("task"),
        max_length=tasking.ACTION_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Empty: the instruction itself is the task."),
    )
    field_order = ["leader", "text", "given_at", "action", "holder", "minutes"]


class InviteForm(BoundedForm, forms.Form):
    group = forms.ChoiceField(label=_("group"), choices=())
    name = forms.CharField(label=_("name"), max_length=50)
    unit = forms.ChoiceField(label=_("unit"), choices=())
    position = forms.CharField(label=_("position"), max_length=60, required=False)
    phone = forms.CharField(label=_("phone"), max_length=24, required=False)
    email = forms.CharField(label=_("e-mail"), max_length=120, required=False)
    as_lead = forms.BooleanField(label=_("as the group's lead"), required=False)

    def __init__(
        self,
        *args: Any,
        groups: list[tuple[str, str]],
        units: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—"), *groups]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]
