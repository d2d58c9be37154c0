"""The daily, weekly and monthly figures the dashboards and reports read (rollups).

Each row counts the cases of one day (grain "d"), one ISO week (grain "w", ``day`` its
Monday) or one month (grain "m", ``day`` its first day) that share the row's dimensions;
the dashboards add rows up instead of counting cases, so their cost follows the number of
units, categories and days, not the number of cases. Rows are derived:
``rollups.refresh`` rewrites a day's rows from the cases whenever a case of that day
changed, and ``yingji insights rebuild`` rewrites them all. Drill cases never count.

The day of a case is the day it was received, in the office's time zone; its deadlines
and ratings are counted on that day too (the cohort of the cases received in a period).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.org.models import Unit
from yingji.petitions.models import Category

DAY, WEEK, MONTH = "d", "w", "m"
GRAINS = [(DAY, _("day")), (WEEK, _("week")), (MONTH, _("month"))]


class _Figures(models.Model):
    grain = models.CharField(max_length=1, choices=GRAINS)
    day = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.unit_id}/{self.category_id}"


class PetitionFlow(_Figures):
    """New cases by handling unit, category, channel and township (nine digits of the
    division code of the place, blank when none was given)."""

    channel = models.CharField(max_length=10)
    region = models.CharField(max_length=9, blank=True)
    cases = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    collective = models.PositiveIntegerField(default=0)
    collective_people = models.PositiveIntegerField(default=0)
    # A repeat of a finished case (repeat_of) or handled with an open one (linked_to).
    repeats = models.PositiveIntegerField(default=0)
    # The newest follow-up's rating of each case rated.
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="insights_flow_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "unit", "category", "channel", "region"],
                name="insights_flow_unique",
            )
        ]


class PetitionStage(_Figures):
    """The cases received on the day by the stage they are at now."""

    stage = models.CharField(max_length=16)
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="insights_stage_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "unit", "category", "stage"],
                name="insights_stage_unique",
            )
        ]


class DeadlineOutcome(_Figures):
    """The statutory deadlines of the day's cases, by the unit responsible for each (the
    clock's unit) and kind: met in time, met late, missed and not met, still running;
    how many were extended. Read from the clock's states, never recomputed."""

    kind = models.CharField(max_length=60)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    running = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="insights_deadline_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "unit", "category", "kind"],
                name="insights_deadline_unique",
            )
        ]


class Stale(models.Model):
    """A day (or month) whose rows must be rewritten: marked in the transaction that
    changed a case, taken (deleted) by the refresh that rewrites it. One row per marking
    transaction, not one per day: a unique day row would be one row every writer of the
    day locks, and writers that lock it and the audit chain's head in either order
    deadlock on PostgreSQL."""

    topic = models.CharField(max_length=20)
    day = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["topic", "day"], name="insights_stale_topic_day")]

    def __str__(self) -> str:
        return f"{self.topic} {self.day}"


class Report(models.Model):
    """A periodic report as generated: the official document (DOCX and PDF, kept by the
    documents app), the figures it states, and to whom it was sent. Regenerating a
    period adds a new version; the archive keeps every one."""

    class Kind(models.TextChoices):
        DUTY_DAILY = "duty_daily", _("Daily duty report (值班日报)")
        PETITION_WEEKLY = "petition_weekly", _("Weekly petition report (信访工作周报)")
        PETITION_MONTHLY = "petition_monthly", _("Monthly petition report (信访工作月报)")
        PETITION_QUARTERLY = "petition_quarterly", _("Quarterly petition report (信访工作季报)")
        INCIDENT_MONTHLY = "incident_monthly", _("Monthly incident report (突发事件月报)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("reporting unit"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("from"))
    until = models.DateField(_("to"))
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    figures = models.JSONField(_("figures"), default=dict)
    docx = models.ForeignKey(
        "documents.Document",
        verbose_name=_("Word document"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    pdf = models.ForeignKey(
        "documents.Document",
        verbose_name=_("PDF document"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.JSONField(_("sent to"), default=list, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-until", "kind", "-version"]
        indexes = [models.Index(fields=["unit", "kind", "-until"], name="insights_report_unit")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "since", "until", "version"],
                name="insights_report_version",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReportRecipient(models.Model):
    """Who receives a unit's reports of a kind when they are generated on schedule (and
    when someone sends one): through notify, in the recipient's channels."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("reporting unit"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Report.Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "user"], name="insights_report_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.kind} → {self.user}"


class IncidentFigures(models.Model):
    """The incidents reported on the day (in the office's zone), by unit, event type,
    level (0: not graded) and the stage they are at now, with their casualties and three
    intervals: report → first report (the clock's incident.first_report), grading →
    activation (no statutory limit: measured only) and task issued → done (the clock's
    incident.task). Each interval: how many were measured and their minutes; for those
    with a deadline, how its deadline ended (clock.queries.outcome_of). Drill incidents
    and warning periods (source "warning") never count."""

    grain = models.CharField(max_length=1, choices=GRAINS)
    day = models.DateField()
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    event_type = models.ForeignKey(
        "plans.EventType", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=12)
    incidents = models.PositiveIntegerField(default=0)
    deaths = models.PositiveIntegerField(default=0)
    injuries = models.PositiveIntegerField(default=0)
    report_measured = models.PositiveIntegerField(default=0)
    report_minutes = models.PositiveBigIntegerField(default=0)
    report_on_time = models.PositiveIntegerField(default=0)
    report_late = models.PositiveIntegerField(default=0)
    report_overdue = models.PositiveIntegerField(default=0)
    report_running = models.PositiveIntegerField(default=0)
    activation_measured = models.PositiveIntegerField(default=0)
    activation_minutes = models.PositiveBigIntegerField(default=0)
    task_measured = models.PositiveIntegerField(default=0)
    task_minutes = models.PositiveBigIntegerField(default=0)
    task_on_time = models.PositiveIntegerField(default=0)
    task_late = models.PositiveIntegerField(default=0)
    task_overdue = models.PositiveIntegerField(default=0)
    task_running = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["grain", "day"], name="insights_incident_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "unit", "event_type", "level", "stage"],
                name="insights_incident_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.unit_id}/{self.event_type_id}"
