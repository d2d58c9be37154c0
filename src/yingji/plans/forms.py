from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji import fields
from yingji.forms import BoundedForm
from yingji.org.models import Unit
from yingji.plans.models import EventType, Plan
from yingji.trees import TreeChoiceField

# ISO dates: what an <input type="date"> shows, whatever the page's language.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PlanForm(BoundedForm, forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=Plan.Kind.choices)
    owner = forms.ModelChoiceField(
        label=_("unit the plan belongs to"),
        queryset=Unit.objects.none(),
        help_text=_(
            "Your unit, or the government your bureau acts for (a 总体预案 belongs to it)."
        ),
    )
    parent = forms.ModelChoiceField(
        label=_("parent plan"), queryset=Plan.objects.none(), required=False
    )

    def __init__(
        self, *args: object, parents: object = None, owners: object = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if owners is not None:
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ReturnForm(BoundedForm, forms.Form):
    reason = forms.CharField(label=_("What needs to change"), max_length=500)


class ApprovalForm(BoundedForm, forms.Form):
    document_number = forms.CharField(label=_("document number"), max_length=60)
    approved_on = forms.DateField(label=_("approved on"), initial=timezone.localdate, widget=DATE)


class FilingForm(BoundedForm, forms.Form):
    filed_with = forms.ModelChoiceField(label=_("filed with"), queryset=Unit.objects.all())
    filed_on = forms.DateField(label=_("filed on"), initial=timezone.localdate, widget=DATE)


class FilingAnswerForm(BoundedForm, forms.Form):
    """The receiving body's answer to a filing: a note, or the reasons for returning it."""

    text = forms.CharField(
        label=_("note or reasons"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning the filing: say what must be corrected."),
    )


class InForceForm(BoundedForm, forms.Form):
    from_date = forms.DateField(
        label=_("in force from"),
        initial=timezone.localdate,
        widget=DATE,
    )


# As many people as any count can hold; larger is a typing slip, refused by the field.
MOST_PEOPLE = 10_000_000


class EvaluateForm(BoundedForm, forms.Form):
    """Every fact a trigger can name (triggers.FACTS), as the commander will report it."""

    event_type = TreeChoiceField(
        label=_("event type"),
        queryset=EventType.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
    )
    people_involved = forms.IntegerField(
        label=_("people involved"), min_value=0, max_value=MOST_PEOPLE, required=False
    )
    deaths = forms.IntegerField(
        label=_("deaths"), min_value=0, max_value=MOST_PEOPLE, required=False
    )
    injuries = forms.IntegerField(
        label=_("injuries"), min_value=0, max_value=MOST_PEOPLE, required=False
    )
    casualties = forms.IntegerField(
        label=_("casualties"),
        min_value=0,
        max_value=MOST_PEOPLE,
        required=False,
        help_text=_("Leave empty to count deaths and injuries together."),
    )
    missing = forms.IntegerField(
        label=_("missing people"), min_value=0, max_value=MOST_PEOPLE, required=False
    )
    economic_loss = forms.DecimalField(
        label=_("direct economic loss (10,000 yuan)"),
        min_value=0,
        max_value=100_000_000,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    blocks_traffic = forms.NullBooleanField(label=_("blocks traffic"), required=False)
    key_facility = forms.NullBooleanField(label=_("affects a key facility"), required=False)

    def facts(self) -> dict[str, object]:
        facts: dict[str, object] = {}
        for name, value in self.cleaned_data.items():
            if value is None or value == "":
                continue
            if name == "event_type":
                value = value.code
            elif name == "economic_loss":
                value = float(value)
            facts[name] = value
        return facts


class ImportForm(BoundedForm, forms.Form):
    file = forms.FileField(
        label=_("Plan file"),
        help_text=_(
            "Word (.docx, .doc), WPS (.wps), PDF with a text layer or text (.txt), at most 5 MB."
        ),
    )


class ImportSaveForm(BoundedForm, forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=Plan.Kind.choices)
    # The import job that read the file; the file itself stays on the server.
    job = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=fields.MAX_ID)
    # Which document of the file, when it holds several.
    part = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=999, required=False)
