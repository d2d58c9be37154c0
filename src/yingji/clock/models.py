from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.org import lines
from yingji.org.models import Unit

if TYPE_CHECKING:
    from yingji.accounts.models import User


class CalendarYear(models.Model):
    """A year whose official calendar the office entered from the State Council notice.

    When a row exists, the year's rest and working days are exactly its CalendarDay rows
    plus ordinary weekends; without one, yingji uses the packaged data or, failing
    that, the statutory holidays (unconfirmed).
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    reference = models.CharField(
        _("notice"), max_length=120, blank=True, help_text=_("e.g. 国办发明电〔2026〕7号")
    )
    confirmed = models.BooleanField(_("confirmed"), default=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (rest day)")
        WORKDAY = "workday", _("Make-up working day")

    year = models.ForeignKey(
        CalendarYear, verbose_name=_("notice year"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"


def visible_deadlines(user: User, via: str = "") -> Q:
    """The deadlines of the user's jurisdiction, each kind in its line of work: a
    petition bureau sees the petitions' deadlines of its area, not the incidents'.
    ``via`` is the path from another model to the deadline ("deadline__" from its
    events), so that a list of those is filtered on its own rows, joined to their
    deadline, not on a list of every deadline visible."""
    from yingji.clock import kinds

    petition_kinds = kinds.codes_of_line(lines.PETITIONS)
    kind, unit = f"{via}kind__in", f"{via}unit__in"
    return Q(**{kind: petition_kinds, unit: Unit.objects.visible_to(user, lines.PETITIONS)}) | (
        ~Q(**{kind: petition_kinds}) & Q(**{unit: Unit.objects.visible_to(user, lines.EMERGENCY)})
    )


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def for_units(self, units: models.QuerySet[Unit]) -> DeadlineQuerySet:
        return self.filter(unit__in=units)

    def visible_to(self, user: User) -> DeadlineQuerySet:
        """The deadlines of the user's jurisdiction (``visible_deadlines``)."""
        return self.filter(visible_deadlines(user))

    def overdue(self) -> DeadlineQuerySet:
        return self.filter(state=Deadline.State.MISSED)

    def due_within(self, start: object, end: object) -> DeadlineQuerySet:
        return self.filter(state=Deadline.State.RUNNING, due_at__gte=start, due_at__lt=end)


class Deadline(models.Model):
    """A live deadline: the row is both the record and the work queue of the checker."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        MISSED = "missed", _("Overdue")
        CANCELLED = "cancelled", _("Cancelled")

    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject type")
    )
    subject_id = models.CharField(max_length=64, verbose_name=_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(default=dict, blank=True, verbose_name=_("parameters"))
    profile = models.CharField(_("counting profile"), max_length=40)
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    calendar_confirmed = models.BooleanField(_("calendar confirmed"), default=True)
    explanation = models.JSONField(default=list, blank=True, verbose_name=_("explanation"))
    extension = models.PositiveIntegerField(_("extension"), default=0)
    extension_reason = models.CharField(_("reason for extension"), max_length=300, blank=True)
    extension_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("extension approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    extended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("extended"))
    is_drill = models.BooleanField(default=False, verbose_name=_("drill"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated"))

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at"]
        indexes = [
            # "Running and due before T" and "overdue": the checker's and the lists' query.
            models.Index(fields=["state", "due_at"], name="clock_deadline_state_due"),
            models.Index(fields=["unit", "state", "due_at"], name="clock_deadline_unit_due"),
            # The running and missed together, in due order: what each subject has next
            # (clock.queries.due_subjects), walked by the lists of open work.
            models.Index(
                fields=["due_at", "id"],
                name="clock_deadline_next",
                condition=Q(state__in=["running", "missed"]),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="clock_deadline_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(met_at__isnull=True) | Q(state="met"), name="clock_met_has_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at


class DeadlinePause(models.Model):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("paused"))
    ended_at = models.DateTimeField(_("resumed"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d} – {self.ended_at or ''}"


class DeadlineEvent(models.Model):
    """A "due soon" or "overdue" signal the checker emitted, once per deadline and threshold.

    Other apps subscribe to these (notifications arrive with the notify app); until then
    they are listed on the deadlines page.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    threshold_minutes = models.PositiveIntegerField(default=0)
    emitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deadline event")
        verbose_name_plural = _("deadline events")
        ordering = ["-emitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "kind", "threshold_minutes"], name="clock_event_once"
            )
        ]
        # The deadlines page's recent reminders: walked newest first, stopping at its rows.
        indexes = [models.Index(fields=["emitted_at", "id"], name="clock_event_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.deadline_id}"
