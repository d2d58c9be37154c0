from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.duty.models import Shift, ShiftMember
from yingji.forms import BoundedForm
from yingji.org.models import Person

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class RotationForm(BoundedForm, forms.Form):
    first = forms.DateField(label=_("First day"), widget=DATE)
    last = forms.DateField(label=_("Last day"), widget=DATE)
    starts = forms.TimeField(
        label=_("Shifts start at"),
        initial=time(8, 30),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    period = forms.ChoiceField(
        label=_("People change"), choices=[("daily", _("Every day")), ("weekly", _("Every week"))]
    )
    leaders = forms.ModelMultipleChoiceField(
        label=_("Leaders on duty, in turn"), queryset=Person.objects.none(), required=False
    )
    officers = forms.ModelMultipleChoiceField(
        label=_("Duty officers, in turn"), queryset=Person.objects.none(), required=False
    )
    officers_per_shift = forms.IntegerField(
        label=_("Officers per shift"), min_value=1, max_value=10, initial=1
    )
    backups = forms.ModelMultipleChoiceField(
        label=_("Backups, in turn"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("leaders", "officers", "backups"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]


class HandoverForm(BoundedForm, forms.Form):
    summary = forms.CharField(label=_("What happened"), widget=forms.Textarea({"rows": 4}))
    open_matters = forms.CharField(
        label=_("Matters left open (one per line)"),
        widget=forms.Textarea({"rows": 3}),
        required=False,
    )


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_role_display()}：{obj.person.name}"


class ChangeForm(BoundedForm, forms.Form):
    member = MemberChoice(label=_("Who is replaced"), queryset=ShiftMember.objects.none())
    replacement = forms.ModelChoiceField(
        label=_("Who takes the place"), queryset=Person.objects.none()
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, shift: Shift, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = shift.members.select_related("person")  # type: ignore[attr-defined]
        self.fields["replacement"].queryset = people  # type: ignore[attr-defined]
