"""Supplies, equipment, teams and experts.

Stock is a ledger: every receipt, issue, transfer, adjustment and write-off is a
``Movement`` row that is never changed or deleted, and every balance is the sum of the
movements of its lots. A lot is one delivery of one item into one warehouse, with its
expiry date. Contacts of teams and experts are personal data: encrypted at rest, masked
on screen, and shown only for an audited reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org.models import Unit


class Category(models.Model):
    """A kind of supply (防护装备, 急救药品, 通讯设备 …); seeded, extended in the admin."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sort = models.PositiveSmallIntegerField(
        default=0, verbose_name=pgettext_lazy("sort order", "order")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supply category")
        verbose_name_plural = _("supply categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A catalogue entry: what a plan asks for by name, and what lots are of."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=pgettext_lazy("supplies", "category"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    measure = models.CharField(_("unit of measure"), max_length=20)
    expires = models.BooleanField(_("has an expiry date"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["category__sort", "name"]

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    name = models.CharField(_("name"), max_length=80)
    unit = models.ForeignKey(
        Unit, verbose_name=_("owned by"), on_delete=models.PROTECT, related_name="warehouses"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="resources_warehouse_name")
        ]

    def __str__(self) -> str:
        return self.name


def office_today() -> date:
    """Today in the office's time zone: expiry dates are local dates."""
    from yingji.clock.services import office_zone

    return timezone.localdate(timezone=office_zone())


def expired(expires_on: date | None, on: date) -> bool:
    """The one rule: stock is usable through its expiry date (有效期至) and expired from
    the day after. A lot without an expiry date never expires."""
    return expires_on is not None and expires_on < on


def unexpired(on: date, prefix: str = "") -> Q:
    """``expired`` as a filter: lots (through ``prefix``, e.g. ``"lot__"``) still usable
    on ``on``."""
    return Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": on})


class Lot(models.Model):
    """One delivery of one item into one warehouse. Its quantity is its movements' sum."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="lots"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="lots"
    )
    code = models.CharField(_("lot"), max_length=40, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    location = models.CharField(_("location in the warehouse"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
        ordering = ["expires_on", "pk"]
        indexes = [models.Index(fields=["warehouse", "item"], name="resources_lot_place")]

    def __str__(self) -> str:
        return f"{self.item} {self.code}".strip()

    def get_absolute_url(self) -> str:
        return reverse("resources:lot", args=[self.pk])

    def expired_on(self, day: date) -> bool:
        return expired(self.expires_on, day)

    @property
    def is_expired(self) -> bool:
        """Expired today, in the office's time zone (for templates)."""
        return self.expired_on(office_today())


class Movement(models.Model):
    """One change of one lot's quantity (positive in, negative out). Append-only."""

    class Kind(models.TextChoices):
        RECEIVE = "receive", pgettext_lazy("stock", "Received")
        ISSUE = "issue", _("Issued")
        RETURN = "return", _("Returned")
        TRANSFER_OUT = "transfer_out", _("Transferred out")
        TRANSFER_IN = "transfer_in", _("Transferred in")
        ADJUST = "adjust", _("Stocktaking adjustment")
        WRITE_OFF = "write_off", _("Written off")

    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("lot")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Hundredths of the item's unit, as an integer: sums are exact on every database
    # (SQLite keeps decimals as floating point).
    hundredths = models.BigIntegerField(_("quantity (hundredths)"))
    at = models.DateTimeField(_("when"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    request = models.ForeignKey(
        "incidents.ResourceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("resource request"),
    )
    pair = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paired movement"),
    )  # the other half of a transfer
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("done by", "by"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded"))

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(hundredths=0), name="resources_movement_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("stock movements cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("stock movements cannot be deleted")

    @property
    def quantity(self) -> Decimal:
        return Decimal(self.hundredths).scaleb(-2)


class MinimumStock(models.Model):
    """The least of an item a warehouse must hold; below it, the storekeepers are told."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="minimums")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(_("minimum"), max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "item"], name="resources_minimum_once")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.quantity}"


class Equipment(models.Model):
    """A piece of equipment or a vehicle that is inspected on a cycle (clock deadline)."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment")
        VEHICLE = "vehicle", _("Vehicle")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="equipment"
    )
    serial = models.CharField(_("serial or plate number"), max_length=40, blank=True)
    inspection_days = models.PositiveIntegerField(_("inspected every (days)"), default=365)
    last_inspected_on = models.DateField(_("last inspected"), null=True, blank=True)
    is_usable = models.BooleanField(_("usable"), default=True)
    # Retired (停用): kept for the records that name it, out of every list and count.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("equipment or vehicle")
        verbose_name_plural = _("equipment and vehicles")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resources:equipment") + f"#equipment-{self.pk}"


class Team(models.Model):
    """An emergency team (应急队伍)."""

    class Readiness(models.TextChoices):
        READY = "ready", _("Ready")
        LIMITED = "limited", _("Partly ready")
        UNAVAILABLE = "unavailable", _("Not available")

    name = models.CharField(_("name"), max_length=80)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    size = models.PositiveIntegerField(_("members"))
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    contact_name_enc = models.TextField(blank=True)
    contact_name_masked = models.CharField(_("contact"), max_length=20, blank=True)
    contact_phone_enc = models.TextField(blank=True)
    contact_phone_masked = models.CharField(_("contact phone"), max_length=24, blank=True)
    readiness = models.CharField(
        _("readiness"), max_length=12, choices=Readiness.choices, default=Readiness.READY
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    """An expert of the pool (专家库), by field."""

    FIELDS = [
        ("谈判", _("Negotiation (谈判)")),
        ("法律", _("Law (法律)")),
        ("政策", _("Policy (政策)")),
        ("心理", _("Psychology (心理)")),
        ("医疗", _("Medicine (医疗)")),
        ("网络", _("Internet and media (网络)")),
        ("安全生产", _("Work safety (安全生产)")),
        ("消防", _("Fire (消防)")),
        ("地质", _("Geology (地质)")),
        ("气象", _("Meteorology (气象)")),
    ]

    name_enc = models.TextField()
    name_masked = models.CharField(_("name"), max_length=20)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(_("phone"), max_length=24, blank=True)
    field = models.CharField(_("field"), max_length=20, choices=FIELDS)
    title = models.CharField(_("title or post"), max_length=80, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    is_available = models.BooleanField(_("available"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["unit__path", "field", "pk"]

    def __str__(self) -> str:
        return f"{self.name_masked} ({self.field})"
