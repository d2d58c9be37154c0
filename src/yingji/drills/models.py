"""Drills (演练): planned against plan versions, run on the live incident engine in
exercise mode with timed injects, evaluated, and closed by corrective actions that are
tracked until the plan is revised.

A drill exercises one or more plan versions. Its objectives each point at a part of a
plan (a group's duties, a step and its time limit, a level's triggers, a resource
requirement). Its injects (情景注入, the MSEL) are delivered on schedule by the job queue
once the drill starts; starting creates a drill incident (``is_drill``), so everything
the participants do is the real flow, marked 【演练】 and kept out of real statistics.

Corrective actions (改进措施) belong to a drill or to a real incident's after-action
review: the same mechanism for both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org.models import Unit


class Clause(models.TextChoices):
    """The part of a plan an objective or a corrective action points at."""

    GROUP = "group", _("A group's duties")
    STEP = "step", _("A step and its time limit")
    TRIGGER = "trigger", _("A level's triggers")
    REQUIREMENT = "requirement", _("A resource requirement")


class Drill(models.Model):
    class Kind(models.TextChoices):
        TABLETOP = "tabletop", _("Tabletop exercise (桌面推演)")
        FUNCTIONAL = "functional", _("Functional exercise (功能演练)")
        FULL_SCALE = "full_scale", _("Full-scale exercise (实战演练)")

    class Scope(models.TextChoices):
        SINGLE = "single", _("Single-subject (单项)")
        COMBINED = "combined", _("Combined (综合)")

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("drill", "Planned")
        RUNNING = "running", pgettext_lazy("drill", "Running")
        PAUSED = "paused", pgettext_lazy("drill", "Paused")
        ENDED = "ended", pgettext_lazy("drill", "Ended, being evaluated")
        EVALUATED = "evaluated", pgettext_lazy("drill", "Evaluated")
        CANCELLED = "cancelled", pgettext_lazy("drill", "Cancelled")

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="drills"
    )
    plan_versions = models.ManyToManyField(
        "plans.PlanVersion", verbose_name=_("plan versions exercised"), related_name="drills"
    )
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveIntegerField(_("planned length (minutes)"), default=120)
    place = models.CharField(pgettext_lazy("drill", "place"), max_length=200)
    units = models.ManyToManyField(
        Unit, verbose_name=_("participating units"), blank=True, related_name="+"
    )
    groups = models.ManyToManyField(
        "plans.Group", verbose_name=_("participating groups"), blank=True, related_name="drills"
    )
    controllers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("controllers (导调)"), related_name="+"
    )
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluators (评估)"), related_name="+"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), blank=True, related_name="+"
    )
    scenario = models.TextField(_("scenario (情景)"))
    # What the drill incident is created with when the drill starts.
    event_type = models.ForeignKey(
        "plans.EventType", verbose_name=_("event type"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("division code"), max_length=12, blank=True)
    facts = models.JSONField(_("scenario facts"), default=dict, blank=True)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="planned")
    incident = models.OneToOneField(
        "incidents.Incident",
        verbose_name=_("drill incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drill",
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    # The after-action report (评估总结), in the structure offices use.
    report_basic = models.TextField(_("basic facts (基本情况)"), blank=True)
    report_results = models.TextField(_("what worked (成效)"), blank=True)
    report_problems = models.TextField(_("problems found (存在的问题)"), blank=True)
    report_improvements = models.TextField(_("improvements (改进措施)"), blank=True)
    report_saved_at = models.DateTimeField(null=True, blank=True)
    report_approved_at = models.DateTimeField(_("report approved"), null=True, blank=True)
    report_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["unit", "starts_at"], name="drills_unit_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("drills:detail", args=[self.pk])


class Objective(models.Model):
    """What the drill sets out to show, tied to a part of a plan version."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField(_("objective"))
    version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("plan version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    clause = models.CharField(_("plan part"), max_length=12, choices=Clause.choices)
    clause_id = models.PositiveIntegerField()
    # The clause as it read when the objective was set (the version may be copied later).
    clause_label = models.CharField(max_length=300)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Inject(models.Model):
    """A timed message of the scenario (情景注入): delivered at ``offset_minutes`` after the
    start (pauses excluded), or once inject ``after`` is answered."""

    class Recipient(models.TextChoices):
        GROUP = "group", _("A working group")
        UNIT = "unit", _("A unit (its duty)")
        ROLE = "role", _("A role of the organising unit")

    class Role(models.TextChoices):
        DUTY_OFFICER = "duty_officer", _("Duty officer on duty")
        DUTY_LEADER = "duty_leader", _("Leader on duty")
        COMMANDER = "commander", _("Commander")

    class Channel(models.TextChoices):
        INAPP = "inapp", _("In the app")
        PHONE = "phone", _("Phone page")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Simulated SMS")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("inject", "Waiting")
        DELIVERED = "delivered", pgettext_lazy("inject", "Delivered")
        ANSWERED = "answered", pgettext_lazy("inject", "Answered")
        SKIPPED = "skipped", pgettext_lazy("inject", "Skipped")

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    number = models.PositiveSmallIntegerField(_("number"))
    offset_minutes = models.PositiveIntegerField(
        _("minutes after the start"), null=True, blank=True
    )
    after = models.ForeignKey(
        "self",
        verbose_name=_("after this inject is answered"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followers",
    )
    recipient = models.CharField(_("recipient"), max_length=6, choices=Recipient.choices)
    group = models.ForeignKey(
        "plans.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=12, choices=Role.choices, blank=True)
    channel = models.CharField(
        pgettext_lazy("inject", "channel"), max_length=6, choices=Channel.choices
    )
    content = models.TextField(_("content"))
    expected_action = models.TextField(_("expected action"))
    limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"))
    added_live = models.BooleanField(default=False)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="pending")
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["drill", "number"], name="drills_inject_number"),
            models.CheckConstraint(
                condition=Q(offset_minutes__isnull=False) | Q(after__isnull=False),
                name="drills_inject_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drill_id}#{self.number}"


class Delivery(models.Model):
    """An inject delivered to one person, and when that person acknowledged it."""

    inject = models.ForeignKey(Inject, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notification = models.ForeignKey(
        "notify.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["delivered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inject", "user"], name="drills_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.inject_id}→{self.user_id}"


class Rating(models.Model):
    """An evaluator's rating of an objective on the HSEEP scale."""

    class Scale(models.TextChoices):
        P = "P", _("Achieved (达到)")
        S = "S", _("Mostly achieved (基本达到)")
        M = "M", _("Partly achieved (部分达到)")
        U = "U", _("Not achieved (未达到)")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="ratings")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.CharField(_("rating"), max_length=1, choices=Scale.choices)
    observations = models.TextField(_("observations"), blank=True)
    rated_at = models.DateTimeField(_("rated"))
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "evaluator"], name="drills_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.objective_id}:{self.rating}"


class Feedback(models.Model):
    """A participant's answers after the drill: always information flow, supplies and
    psychological care (the failures drill summaries keep finding), each 1–5 with words."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    information = models.PositiveSmallIntegerField(_("information flow"))
    information_note = models.TextField(blank=True)
    supplies = models.PositiveSmallIntegerField(_("supplies and equipment"))
    supplies_note = models.TextField(blank=True)
    care = models.PositiveSmallIntegerField(_("psychological care"))
    care_note = models.TextField(blank=True)
    other = models.TextField(_("anything else"), blank=True)
    given_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["drill", "user"], name="drills_feedback_once"),
            models.CheckConstraint(
                condition=Q(information__gte=1, information__lte=5)
                & Q(supplies__gte=1, supplies__lte=5)
                & Q(care__gte=1, care__lte=5),
                name="drills_feedback_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.drill_id}/{self.user_id}"


class Check(models.Model):
    """A participant's plan familiarity check (熟悉预案测验), generated from a plan
    version. ``questions`` keeps what was asked (with the right answers), so a later
    version does not change a score. Visible to the person and their leaders only."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="checks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("plans.PlanVersion", on_delete=models.PROTECT, related_name="+")
    # The group and unit the score counts for (scores by group and by unit).
    group = models.ForeignKey(
        "plans.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    questions = models.JSONField(default=list)
    answers = models.JSONField(default=list, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # right answers
    total = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["drill", "user"], name="drills_check_once")]

    def __str__(self) -> str:
        return f"{self.drill_id}/{self.user_id}"


class CorrectiveAction(models.Model):
    """An improvement (改进措施) from a drill's or a real incident's after-action review,
    with an owner, a deadline on the clock and evidence of completion. One that points at
    a plan clause marks that plan version 需修订 until a new version addresses it."""

    class Need(models.TextChoices):
        PLAN = "plan", _("A plan clause")
        SUPPLY = "supply", _("Supplies or equipment")
        TEAM = "team", _("A team")
        TRAINING = "training", _("Training")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("action", "Open")
        DONE = "done", pgettext_lazy("action", "Done")
        CANCELLED = "cancelled", pgettext_lazy("action", "Cancelled")

    drill = models.ForeignKey(
        Drill, null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="corrective_actions",
    )
    problem = models.TextField(_("problem"))
    action = models.TextField(_("corrective action"))
    need = models.CharField(_("concerns"), max_length=10, choices=Need.choices)
    version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    clause = models.CharField(_("plan part"), max_length=12, choices=Clause.choices, blank=True)
    clause_id = models.PositiveIntegerField(null=True, blank=True)
    clause_label = models.CharField(max_length=300, blank=True)
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="open")
    evidence = models.TextField(_("evidence of completion"), blank=True)
    # The new plan version that states it addresses this action; approving it closes it.
    addressed_by = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("addressed by plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addressed_actions",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(drill__isnull=False) | Q(incident__isnull=False),
                name="drills_action_source",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="drills_action_due")]

    def __str__(self) -> str:
        return self.action[:60]

    def get_absolute_url(self) -> str:
        return reverse("drills:action", args=[self.pk])
