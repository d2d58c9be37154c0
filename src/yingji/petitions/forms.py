from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji import trees
from yingji.forms import BoundedForm
from yingji.org.models import Unit
from yingji.petitions.models import Category, Petition
from yingji.petitions.services import Intake, accusation_office, accused_missing_message
from yingji.trees import TreeChoiceField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AttachForm(BoundedForm, forms.Form):
    uploads = MultipleFileField(
        label=_("files"),
        help_text=_("PDF scans, JPEG/PNG photos, MP3/M4A/WAV/AMR recordings or DOCX; 20 MB each."),
    )


class LedgerImportForm(BoundedForm, forms.Form):
    file = forms.FileField(label=_("Ledger (.xlsx)"))
    good_rows_only = forms.BooleanField(
        label=_("If some rows are bad, import the good rows anyway"), required=False
    )


class CategoryField(TreeChoiceField):
    """The category tree in order, each child indented under its parent."""


class SimilarQueryForm(BoundedForm, forms.Form):
    """What the intake form holds so far, for the similar cases shown while typing: every
    field optional, each bounded as on the intake form."""

    request = forms.CharField(required=False, max_length=2000)
    facts = forms.CharField(required=False, max_length=8000)
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True), required=False
    )
    region_code = forms.CharField(required=False, max_length=12)
    place = forms.CharField(required=False, max_length=200)
    phone = forms.CharField(required=False, max_length=30)
    id_number = forms.CharField(required=False, max_length=30)


class PetitionerSearchForm(BoundedForm, forms.Form):
    who = forms.CharField(
        label=_("Name, phone or ID number"),
        max_length=50,
        help_text=_("The whole name, phone number or ID number, as the petitioner gave it."),
    )
    reason = forms.CharField(label=_("Why you are looking"), max_length=300)


class IntakeForm(BoundedForm, forms.Form):
    # Staff register at the counter: a visit unless they say otherwise (the public form
    # records online petitions itself).
    channel = forms.ChoiceField(
        label=_("channel"), choices=Petition.Channel.choices, initial=Petition.Channel.VISIT
    )
    is_oral = forms.BooleanField(label=_("oral petition, recorded by staff"), required=False)
    received_at = forms.DateTimeField(
        label=_("received"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )
    petitioner_kind = forms.ChoiceField(
        label=_("petitioner is"), choices=Petition.PetitionerKind.choices
    )
    name = forms.CharField(
        label=_("name"),
        required=False,
        max_length=60,
        help_text=_("Leave empty if the petitioner gave none: the notice clock then waits."),
    )
    phone = forms.CharField(label=_("phone"), required=False, max_length=30)
    id_number = forms.CharField(label=_("ID number (optional)"), required=False, max_length=30)
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    request = forms.CharField(label=_("request (请求)"), widget=forms.Textarea(attrs={"rows": 3}))
    facts = forms.CharField(
        label=_("facts and reasons (事实和理由)"), widget=forms.Textarea(attrs={"rows": 6})
    )
    category = CategoryField(
        label=_("category"),
        queryset=Category.objects.filter(is_active=True).select_related("parent"),
    )
    region_code = forms.CharField(label=_("place: division code"), required=False, max_length=12)
    place = forms.CharField(label=_("place: address"), required=False, max_length=200)
    accused_unit = forms.ModelChoiceField(
        label=_("unit complained about"), queryset=Unit.objects.all(), required=False
    )
    accused_person = forms.CharField(
        label=_("person complained about"), required=False, max_length=60
    )
    transferred_from = forms.CharField(
        label=_("transferred or assigned by (if from a body above)"),
        required=False,
        max_length=120,
        help_text=_("Then this office has 5 working days to object (第二十三条)."),
    )
    people_count = forms.IntegerField(label=_("number of people"), min_value=1, initial=1)
    is_collective = forms.BooleanField(label=_("collective visit"), required=False)
    representatives = forms.CharField(
        label=_("representatives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, phone. At most 5 (第二十条)."),
    )

    def intake(self) -> Intake:
        data: dict[str, Any] = self.cleaned_data
        received = data.get("received_at")
        if received is not None and timezone.is_naive(received):
            received = timezone.make_aware(received)
        representatives = []
        for line in (data.get("representatives") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, phone = line.replace("，", ",").partition(",")
            representatives.append((name.strip(), phone.strip()))
        return Intake(
            channel=data["channel"],
            petitioner_kind=data["petitioner_kind"],
            name=data.get("name") or "",
            request=data["request"],
            facts=data["facts"],
            category=data["category"],
            received_at=received,
            phone=data.get("phone") or "",
            id_number=data.get("id_number") or "",
            address=data.get("address") or "",
            is_oral=bool(data.get("is_oral")),
            region_code=data.get("region_code") or "",
            place=data.get("place") or "",
            accused_unit=data.get("accused_unit"),
            accused_person=data.get("accused_person") or "",
            people_count=data.get("people_count") or 1,
            is_collective=bool(data.get("is_collective")),
            representatives=representatives,
            transferred_from=data.get("transferred_from") or "",
        )


class DecisionForm(BoundedForm, forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"), choices=Petition.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    referred_to = forms.CharField(label=_("body to approach"), required=False, max_length=120)


class RevealForm(BoundedForm, forms.Form):
    reason = forms.CharField(
        label=_("why you need to see it"),
        max_length=300,
        help_text=_("Recorded in the audit log with your name."),
    )


class ClarifyForm(BoundedForm, forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=60)
    address = forms.CharField(label=_("address"), required=False, max_length=200)


class AssignForm(BoundedForm, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[("assign", _("Assigned (交办)")), ("transfer", _("Transferred (转送)"))],
    )
    lead = forms.ModelChoiceField(
        label=_("lead unit (牵头)"), queryset=Unit.objects.filter(is_active=True)
    )
    cooperating = forms.ModelMultipleChoiceField(
        label=_("cooperating units (协办)"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    note = forms.CharField(label=_("instructions"), required=False, max_length=500)


class AnswerForm(BoundedForm, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("answer"),
        choices=[("1", _("We take it on")), ("0", _("We object"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    objection = forms.CharField(
        label=_("reasons for objecting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(BoundedForm, forms.Form):
    days = forms.IntegerField(label=_("days"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("reason"), max_length=300)


class ReplyForm(BoundedForm, forms.Form):
    outcome = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("support", _("Supported (予以支持)")),
            ("explain", _("Explained (解释说明)")),
            ("not_support", _("Not supported (不予支持)")),
        ],
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(
        label=_("findings after investigation"), widget=forms.Textarea(attrs={"rows": 4})
    )
    opinion = forms.CharField(label=_("handling opinion"), widget=forms.Textarea(attrs={"rows": 4}))
    legal_basis = forms.CharField(label=_("legal basis"), widget=forms.Textarea(attrs={"rows": 2}))


class DeliverForm(BoundedForm, forms.Form):
    delivered_at = forms.DateTimeField(
        label=_("delivered"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    method = forms.CharField(
        label=_("delivered by"), max_length=40, help_text=_("e.g. 当面送达, 邮寄")
    )

    def clean_delivered_at(self) -> Any:
        value = self.cleaned_data["delivered_at"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return trees.indented(obj.name, obj.depth)


class PublicPetitionForm(BoundedForm, forms.Form):
    """The online form: no login. The petition goes to the office of the place chosen."""

    office = RegionField(
        label=_("Where the matter is (the office that receives it)"),
        queryset=Unit.objects.filter(kind=Unit.Kind.REGION, is_active=True).order_by("path"),
    )
    petitioner_kind = forms.ChoiceField(
        label=_("You are"), choices=Petition.PetitionerKind.choices, initial="person"
    )
    name = forms.CharField(label=_("Name (of the person or organisation)"), max_length=60)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    id_number = forms.CharField(label=_("ID number (optional)"), required=False, max_length=30)
    address = forms.CharField(label=_("Address"), max_length=200)
    request = forms.CharField(
        label=_("What you ask for (请求)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    facts = forms.CharField(
        label=_("Facts and reasons (事实和理由)"), widget=forms.Textarea(attrs={"rows": 6})
    )
    category = CategoryField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True).select_related("parent"),
    )
    place = forms.CharField(label=_("Address of the matter"), required=False, max_length=200)
    accused_unit = RegionField(
        label=_("For an accusation (检举控告): the unit accused"),
        queryset=Unit.objects.filter(is_active=True).order_by("path"),
        required=False,
        help_text=_(
            "An accusation never goes to the unit it accuses: it is sent to the body above."
        ),
    )
    accused_person = forms.CharField(
        label=_("For an accusation: the person accused (optional)"),
        required=False,
        max_length=60,
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my personal data is processed to handle this petition. It is stored "
            "encrypted and shown only to the staff handling it."
        )
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        category = data.get("category")
        if category is not None and category.is_accusation and not data.get("accused_unit"):
            self.add_error("accused_unit", accused_missing_message())
        return data

    def receiving_office(self) -> Unit:
        """The chosen office, or the body above the accused for an accusation against it."""
        data: dict[str, Any] = self.cleaned_data
        accused = data.get("accused_unit") if data["category"].is_accusation else None
        return accusation_office(data["office"], accused)

    def intake(self) -> Intake:
        data: dict[str, Any] = self.cleaned_data
        accusation = data["category"].is_accusation
        return Intake(
            accused_unit=data.get("accused_unit") if accusation else None,
            accused_person=(data.get("accused_person") or "") if accusation else "",
            channel=Petition.Channel.ONLINE,
            petitioner_kind=data["petitioner_kind"],
            name=data["name"],
            request=data["request"],
            facts=data["facts"],
            category=data["category"],
            phone=data.get("phone") or "",
            id_number=data.get("id_number") or "",
            address=data["address"],
            region_code=data["office"].code,
            place=data.get("place") or "",
        )


class ReceiptForm(BoundedForm, forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RatingForm(BoundedForm, forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the outcome?"),
        choices=[
            ("satisfied", _("Satisfied (满意)")),
            ("basically", _("Basically satisfied (基本满意)")),
            ("unsatisfied", _("Not satisfied (不满意)")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(BoundedForm, forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class ReviewDecisionForm(BoundedForm, forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[
            ("uphold", _("Upheld (维持)")),
            ("change", _("Changed (变更)")),
            ("revoke", _("Revoked (撤销)")),
        ],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label=_("opinion"), widget=forms.Textarea(attrs={"rows": 3}))


class HearingForm(BoundedForm, forms.Form):
    action = forms.ChoiceField(
        choices=[("start", "start"), ("end", "end")], widget=forms.HiddenInput
    )
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)


class ObjectionForm(BoundedForm, forms.Form):
    reasons = forms.CharField(
        label=_("reasons for objecting"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SuperviseForm(BoundedForm, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[("urge", _("Reminder (催办)")), ("supervise", _("Supervision (督办)"))],
    )
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(BoundedForm, forms.Form):
    into = forms.IntegerField(widget=forms.HiddenInput)


class ReviewRequestForm(BoundedForm, forms.Form):
    reasons = forms.CharField(
        label=_("Why the reply should be reviewed"), widget=forms.Textarea(attrs={"rows": 3})
    )
