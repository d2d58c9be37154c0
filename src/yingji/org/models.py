from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org import jurisdiction, regions, tree
from yingji.org import lines as work_lines

if TYPE_CHECKING:
    from yingji.accounts.models import User


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree(self, root: Unit) -> UnitQuerySet:
        """``root`` and every unit below it: one range scan on the path index."""
        return self.filter(path__gte=root.path, path__lt=tree.successor(root.path))

    def ancestors_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__in=tree.ancestor_paths(unit.path)).order_by("path")

    def visible_to(self, user: User, line: str | None = None) -> UnitQuerySet:
        """The units in the user's jurisdiction (see jurisdiction.py): in one line of work,
        or, with none, in any of the user's lines (the directory of units and people)."""
        return self.filter(jurisdiction.area_of(user, line))

    def administered_by(self, user: User) -> UnitQuerySet:
        """The units an administrator keeps (users, people, the tree): their own subtree,
        whatever lines of work their unit has."""
        j = jurisdiction.of(user)
        if j.everything:
            return self.all()
        if j.own is None:
            return self.none()
        return self.filter(path__gte=j.own, path__lt=tree.successor(j.own))

    def acting_for(self, user: User, line: str | None) -> UnitQuerySet:
        """The units whose objects of ``line`` the user changes as their owner."""
        return self.filter(jurisdiction.of(user).acting(line))


class WorkLine(models.TextChoices):
    PETITIONS = work_lines.PETITIONS, pgettext_lazy("line of work", "Petitions (信访)")
    EMERGENCY = work_lines.EMERGENCY, pgettext_lazy("line of work", "Emergency management (应急)")


class Unit(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", _("Administrative region")
        DEPARTMENT = "department", _("Department")
        INSTITUTION = "institution", _("Institution or enterprise")

    class RegionLevel(models.TextChoices):
        PROVINCE = regions.PROVINCE, _("Province")
        CITY = regions.CITY, _("City")
        COUNTY = regions.COUNTY, _("County or district")
        TOWNSHIP = regions.TOWNSHIP, _("Township or subdistrict")
        VILLAGE = regions.VILLAGE, _("Village or community")

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    # The organ that signs the unit's letters: a region's government, a department itself.
    organ_name = models.CharField(
        _("organ's full name (机关全称)"),
        max_length=100,
        blank=True,
        help_text=_(
            "The name that signs the unit's letters, e.g. 白石镇人民政府 for the region "
            "白石镇. Blank: the unit's name (right for a department such as 白石县信访局)."
        ),
    )
    document_code = models.CharField(
        _("document code (机关代字)"),
        max_length=20,
        blank=True,
        help_text=_(
            "The start of the unit's document numbers (文号), e.g. 白信 in 白信〔2026〕3号. "
            "Blank: the short name, or else the organ's full name."
        ),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region_level = models.CharField(
        _("region level"), max_length=16, choices=RegionLevel.choices, blank=True
    )
    code = models.CharField(
        _("division code"),
        max_length=12,
        blank=True,
        help_text=_("GB/T 2260 code: 6 digits; township 9, village or community 12."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Maintained by services only (see tree.py); never edited by hand.
    path = models.CharField(
        max_length=252, unique=True, editable=False, verbose_name=_("tree path")
    )
    depth = models.PositiveSmallIntegerField(default=0, editable=False, verbose_name=_("depth"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # WGS84, as GeoJSON has it; checked by maps.outline_errors in the services.
    outline = models.JSONField(
        _("outline"),
        null=True,
        blank=True,
        help_text=_(
            "The region's boundary as a GeoJSON Polygon or MultiPolygon geometry, "
            "longitude before latitude (WGS84 or CGCS2000), as a GIS exports it."
        ),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Where the unit is on a map (its seat or site), WGS84 or CGCS2000."),
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # A department's lines of work (WorkLine codes): in them it acts for its whole region.
    work_lines = models.JSONField(
        _("lines of work"),
        default=list,
        blank=True,
        help_text=_(
            "In these lines a department acts for the whole region it belongs to: "
            "the petition bureau in petitions, the emergency management bureau in "
            "incidents, plans, duty and resources. Regions act in every line; other "
            "units only for themselves and what is sent to them."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="org_unit_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="region", region_level__gt="")
                | (~Q(kind="region") & Q(region_level="")),
                name="org_unit_region_level_iff_region",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Unit) -> bool:
        return tree.is_within(self.path, other.path)

    @property
    def signing_name(self) -> str:
        """The organ's full name that signs its letters (机关全称)."""
        return self.organ_name or self.name

    @property
    def document_prefix(self) -> str:
        """What its document numbers (文号) start with (机关代字)."""
        return self.document_code or self.short_name or self.signing_name

    @property
    def work_line_labels(self) -> list[str]:
        return [str(label) for code, label in WorkLine.choices if code in (self.work_lines or [])]


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: User) -> PersonQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def administered_by(self, user: User) -> PersonQuerySet:
        return self.filter(unit__in=Unit.objects.administered_by(user))


class Person(models.Model):
    """A member of staff in the directory (通讯录); not every person has a login."""

    name = models.CharField(_("name"), max_length=50)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    position = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "name"]

    def __str__(self) -> str:
        return self.name
