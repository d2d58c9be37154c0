"""Incident forms. They collect input; the services validate it in full and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.forms import BoundedForm
from yingji.incidents.models import LEVEL_CHOICES, Incident, Report
from yingji.plans.models import EventType, PlanVersion
from yingji.trees import TreeChoiceField

MOMENT = forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})
YES_NO = [("", _("Not known yet")), ("true", _("Yes")), ("false", _("No"))]


class EventTypeChoice(TreeChoiceField):
    """The event types in tree order (siblings by their order, not their codes), each
    indented under its parent and named in the reader's language."""


class FactsForm(BoundedForm, forms.Form):
    people_involved = forms.CharField(label=_("people involved"), required=False)
    deaths = forms.CharField(label=_("deaths"), required=False)
    injuries = forms.CharField(label=_("injuries"), required=False)
    missing = forms.CharField(label=_("missing people"), required=False)
    people_transferred = forms.CharField(label=_("people transferred (转移安置)"), required=False)
    people_in_care = forms.CharField(label=_("people in care (救治、心理疏导)"), required=False)
    economic_loss = forms.CharField(label=_("direct economic loss (10,000 yuan)"), required=False)
    blocks_traffic = forms.ChoiceField(label=_("blocks traffic"), choices=YES_NO, required=False)
    key_facility = forms.ChoiceField(
        label=_("affects a key facility"), choices=YES_NO, required=False
    )


class IncidentForm(FactsForm):
    """The duty officer's report form (接报). Numbers stay text here so that the service
    names a bad one in the user's language."""

    # Required fields are checked by the service with the rest, so that one submission
    # names every problem at once.
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    event_type = EventTypeChoice(
        label=_("event type"),
        queryset=EventType.objects.filter(is_active=True).order_by("code"),
        required=False,
    )
    happened_at = forms.CharField(label=_("happened"), widget=MOMENT, required=False)
    reported_at = forms.CharField(
        label=_("reported to us"),
        widget=MOMENT,
        required=False,
        help_text=_("Leave empty for now."),
    )
    source = forms.ChoiceField(label=_("source"), choices=Incident.Source.choices, required=False)
    region_code = forms.CharField(label=_("where: division code"), required=False)
    address = forms.CharField(label=_("where: address"), max_length=300, required=False)
    latitude = forms.CharField(label=_("latitude"), required=False)
    longitude = forms.CharField(label=_("longitude"), required=False)
    description = forms.CharField(
        label=_("course of events"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    reporter_name = forms.CharField(label=_("reporter"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("reporter's phone"), required=False, max_length=40)
    is_drill = forms.BooleanField(label=_("This is a drill (演练)"), required=False)

    field_order = [
        "is_drill",
        "title",
        "event_type",
        "happened_at",
        "reported_at",
        "source",
        "region_code",
        "address",
        "latitude",
        "longitude",
        "people_involved",
        "deaths",
        "injuries",
        "missing",
        "people_transferred",
        "people_in_care",
        "economic_loss",
        "blocks_traffic",
        "key_facility",
        "description",
        "reporter_name",
        "reporter_phone",
    ]


class GradeForm(BoundedForm, forms.Form):
    level = forms.TypedChoiceField(
        label=pgettext_lazy("response", "level"), choices=LEVEL_CHOICES, coerce=int
    )
    plan_version = forms.ModelChoiceField(
        label=_("plan"), queryset=PlanVersion.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you choose a level other than the plan suggests."),
    )

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_version"].queryset = versions  # type: ignore[attr-defined]


class ActivateForm(BoundedForm, forms.Form):
    plan_version = forms.ModelChoiceField(label=_("plan"), queryset=PlanVersion.objects.none())
    command_name = forms.CharField(label=_("on-site command"), max_length=80, required=False)
    location = forms.CharField(label=_("where it sits"), max_length=200, required=False)

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_version"].queryset = versions  # type: ignore[attr-defined]


class ReportForm(BoundedForm, forms.ModelForm):
    """The elements, then who signs (a leader from the list, or a name and title), the
    contact, and the recipients (主送). The service checks the ids again."""

    signer = forms.ChoiceField(
        label=_("signing leader (签发人)"),
        required=False,
        help_text=_("A leader who uses yingji; otherwise type the name and title below."),
    )
    signer_name = forms.CharField(label=_("signing leader's name"), max_length=40, required=False)
    signer_title = forms.CharField(label=_("signing leader's title"), max_length=60, required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30, required=False)
    recipients = forms.MultipleChoiceField(
        label=_("recipients (主送)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The government at the same level and the bureau above; choose one or more."),
    )

    class Meta:
        model = Report
        fields = list(Report.ELEMENTS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("nature", "scope", "trend", "measures", "next_steps")
        }

    def __init__(
        self, *args: Any, signers: Any = (), units: Any = (), chosen: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(u.pk), " ".join(v for v in (u.display_name, _position(u)) if v)) for u in signers
        ]
        self.fields["recipients"].choices = [  # type: ignore[attr-defined]
            (str(u.pk), u.organ_name or u.name) for u in units
        ]
        report = self.instance if self.instance.pk else None
        if report is not None:
            self.initial.setdefault("signer", str(report.signer_id or ""))
            for name in ("signer_name", "signer_title", "contact_name", "contact_phone"):
                self.initial.setdefault(name, getattr(report, name))
        if chosen is not None:
            self.initial.setdefault("recipients", [str(u.pk) for u in chosen])


def _position(user: Any) -> str:
    return user.person.position if user.person_id and user.person else ""


class PhoneReportForm(BoundedForm, forms.Form):
    called_at = forms.CharField(
        label=_("time of the call"),
        widget=MOMENT,
        required=False,
        help_text=_("Leave empty for now."),
    )
    to_unit = forms.ChoiceField(label=_("unit called"), required=False)
    taken_by = forms.CharField(label=_("who took the call"), max_length=40, required=False)
    summary = forms.CharField(
        label=_("what was said"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(u.pk), u.organ_name or u.name) for u in units
        ]


class ReleaseForm(BoundedForm, forms.Form):
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 3}))


class RequestForm(BoundedForm, forms.Form):
    what = forms.CharField(label=_("what"), max_length=120)
    quantity = forms.CharField(label=_("quantity"))
    measure = forms.CharField(label=_("unit of measure"), max_length=20, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class NoteForm(BoundedForm, forms.Form):
    text = forms.CharField(
        label=_("progress"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(label=_("photo"), required=False)
    written_at = forms.CharField(required=False, widget=forms.HiddenInput)
    client_key = forms.CharField(required=False, widget=forms.HiddenInput)


class ReviewForm(BoundedForm, forms.Form):
    care = forms.CharField(
        label=_("how people were cared for (人员救治和安置)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    results = forms.CharField(
        label=_("results (成效)"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    problems = forms.CharField(
        label=_("problems found (存在的问题)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    improvements = forms.CharField(
        label=_("improvements (改进措施)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
