"""The duty roster (值班表): shifts per unit with a leader on duty (带班领导), duty officers
(值班员) and a backup, and the special periods when stricter staffing applies."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yingji.org.models import Person, Unit


class SpecialPeriod(models.Model):
    """A named period of stricter duty (重要会议、重大活动保障期), for one unit's subtree or
    for everyone."""

    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("special period")
        verbose_name_plural = _("special periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="duty_period_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        HOLIDAY = "holiday", _("Holiday")
        SPECIAL = "special", _("Special period")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    note = models.CharField(_("note"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["unit", "starts_at"]
        indexes = [models.Index(fields=["unit", "starts_at"], name="duty_shift_unit_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_order")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader on duty")
        OFFICER = "officer", _("Duty officer")
        BACKUP = "backup", _("Backup")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["shift", "sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["shift", "person"], name="duty_member_once")]

    def __str__(self) -> str:
        return f"{self.shift}: {self.person} ({self.role})"


class FeedToken(models.Model):
    """The secret in an iCalendar feed's URL, for one person or one unit; only its hash
    is kept, so a lost link is replaced, not shown again."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, unit__isnull=True)
                | Q(person__isnull=True, unit__isnull=False),
                name="duty_feed_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"feed {self.pk}"
