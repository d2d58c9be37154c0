"""Resource forms: they collect input; the services validate quantities and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.forms import BoundedForm
from yingji.resources.models import Category, Equipment, Expert, Item, Team, Warehouse

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ReceiveForm(BoundedForm, forms.Form):
    item = forms.ModelChoiceField(
        label=_("item"), queryset=Item.objects.filter(is_active=True).select_related("category")
    )
    quantity = forms.CharField(label=_("quantity"))
    expires_on = forms.DateField(label=_("expires on"), required=False, widget=DATE)
    code = forms.CharField(label=_("lot"), required=False, max_length=40)
    location = forms.CharField(label=_("location in the warehouse"), required=False, max_length=60)
    note = forms.CharField(label=_("note"), required=False, max_length=300)


class MoveForm(BoundedForm, forms.Form):
    """One form for the four ways stock leaves or is corrected."""

    ACTIONS = [
        ("issue", _("Issue")),
        ("transfer", _("Transfer to another warehouse")),
        ("adjust", _("Stocktaking: the count")),
        ("write_off", _("Write off")),
    ]

    action = forms.ChoiceField(label=pgettext_lazy("stock move", "what"), choices=ACTIONS)
    quantity = forms.CharField(
        label=_("quantity"), help_text=_("For a stocktaking, what was counted.")
    )
    to = forms.ModelChoiceField(
        label=_("to warehouse"), queryset=Warehouse.objects.none(), required=False
    )
    note = forms.CharField(label=_("note or reason"), required=False, max_length=300)
    expired_ok = forms.BooleanField(
        label=_("Issue it anyway (expired)"),
        required=False,
        help_text=_("This lot is past its expiry date; the ledger notes that it went out."),
    )

    def __init__(self, *args: Any, warehouses: Any, expired: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = warehouses  # type: ignore[attr-defined]
        if not expired:  # the confirmation is asked only of an expired lot
            del self.fields["expired_ok"]


class TeamForm(BoundedForm, forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=80)
    size = forms.CharField(label=_("members"), required=False)
    skills = forms.CharField(label=_("skills"), required=False, max_length=200)
    readiness = forms.ChoiceField(label=_("readiness"), choices=Team.Readiness.choices)
    contact_name = forms.CharField(label=_("contact"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("contact phone"), required=False, max_length=40)


class ExpertForm(BoundedForm, forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=50)
    field = forms.ChoiceField(label=_("field"), choices=[("", "—"), *Expert.FIELDS], required=False)
    title = forms.CharField(label=_("title or post"), required=False, max_length=80)
    phone = forms.CharField(label=_("phone"), required=False, max_length=40)
    is_available = forms.BooleanField(label=_("available"), required=False, initial=True)


class EquipmentForm(BoundedForm, forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=80)
    kind = forms.ChoiceField(label=_("kind"), choices=Equipment.Kind.choices)
    serial = forms.CharField(label=_("serial or plate number"), required=False, max_length=40)
    inspection_days = forms.CharField(label=_("inspected every (days)"), initial="365")
    last_inspected_on = forms.DateField(label=_("last inspected"), required=False, widget=DATE)


class ItemForm(BoundedForm, forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=80)
    category = forms.ModelChoiceField(
        label=pgettext_lazy("supplies", "category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )
    measure = forms.CharField(label=_("unit of measure"), required=False, max_length=20)
    expires = forms.BooleanField(label=_("has an expiry date"), required=False)


class WarehouseForm(BoundedForm, forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=80)
    address = forms.CharField(label=_("address"), required=False, max_length=200)


class MinimumForm(BoundedForm, forms.Form):
    item = forms.ModelChoiceField(label=_("item"), queryset=Item.objects.filter(is_active=True))
    quantity = forms.CharField(label=_("minimum"), help_text=_("Zero removes the minimum."))


class ReturnForm(BoundedForm, forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.CharField(label=_("quantity returned"))
