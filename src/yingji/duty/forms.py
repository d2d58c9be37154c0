from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.duty.models import LogEntry, Shift, ShiftMember
from yingji.forms import BoundedForm
from yingji.org.models import Person, Unit

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


class LogEntryForm(BoundedForm, forms.Form):
    """A call or message for the duty log (值班记录). Limits repeat the service's, which
    checks them again for the API."""

    unit = forms.ModelChoiceField(label=_("duty office"), queryset=Unit.objects.none())
    received_at = forms.DateTimeField(
        label=_("received"),
        required=False,
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    channel = forms.ChoiceField(
        label=pgettext_lazy("duty log", "channel"),
        choices=LogEntry.Channel.choices,
        initial=LogEntry.Channel.PHONE,
    )
    caller = forms.CharField(
        label=_("caller"),
        max_length=80,
        help_text=_("Who called or wrote: a unit and a name, e.g. 白石镇值班室 李某."),
    )
    caller_phone = forms.CharField(label=_("caller's phone"), max_length=40, required=False)
    matter = forms.CharField(
        label=_("matter (事由)"), max_length=2000, widget=forms.Textarea({"rows": 4})
    )
    action_taken = forms.CharField(
        label=_("action taken (处理情况)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    handed_to = forms.CharField(label=_("handed to (交办/转告)"), max_length=120, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class LogDayForm(BoundedForm, forms.Form):
    day = forms.DateField(label=_("day"), required=False, widget=DATE)
