"""Incidents: from the first call (接报) to the end of response and the after-action review.

An incident belongs to the unit that took the report. Its place is a division code with
an address and optional coordinates; its facts (people involved, casualties, …) are the
ones the plans' level triggers read. The reporter's contact is personal data: encrypted,
masked, and revealed only for an audited reason, as for petitioners.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org.models import Unit
from yingji.plans.labels import LEVEL_LABELS


class NumberSequence(models.Model):
    """The last incident number used by a unit in a year: locked per intake."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="incidents_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"


# Level I (especially major) … IV (general), worded once, by the plans app.
LEVEL_CHOICES = list(LEVEL_LABELS.items())


class Incident(models.Model):
    class Stage(models.TextChoices):
        # A warning's period (预警期): the plans' warning-phase steps run as tasks on this
        # engine; the record is opened by a warning's issue, not by a report.
        WARNING = "warning", _("Warning period (预警期)")
        REPORTED = "reported", _("Reported (接报)")
        GRADED = "graded", _("Graded (研判定级)")
        RESPONDING = "responding", _("Responding (响应中)")
        RECOVERY = "recovery", _("Response ended, recovery (善后)")
        CLOSED = "closed", _("Closed (评估总结)")

    class Source(models.TextChoices):
        PHONE = "phone", _("Phone call")
        DUTY = "duty", _("Duty officer's own report")
        HOTLINE = "hotline", _("110 / 12345 linkage")
        UNIT = "unit", _("Report from a unit below")
        PETITION = "petition", _("Petition (信访)")
        MEDIA = "media", _("Media or the internet")
        API = "api", _("Another system")
        WARNING = "warning", _("A warning issued (预警)")
        OTHER = "other", _("Other")

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="incidents"
    )
    event_type = models.ForeignKey(
        "plans.EventType",
        verbose_name=_("event type"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    happened_at = models.DateTimeField(_("happened"))
    reported_at = models.DateTimeField(_("reported to us"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    region_code = models.CharField(_("where: division code"), max_length=12, blank=True)
    address = models.CharField(_("where: address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # The facts the level triggers read (plans.triggers.FACTS). None = not reported yet.
    people_involved = models.PositiveIntegerField(_("people involved"), null=True, blank=True)
    deaths = models.PositiveIntegerField(_("deaths"), null=True, blank=True)
    injuries = models.PositiveIntegerField(_("injuries"), null=True, blank=True)
    missing = models.PositiveIntegerField(_("missing people"), null=True, blank=True)
    economic_loss = models.DecimalField(
        _("direct economic loss (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    blocks_traffic = models.BooleanField(_("blocks traffic"), null=True, blank=True)
    key_facility = models.BooleanField(_("affects a key facility"), null=True, blank=True)
    # How people are cared for (the board and the after-action review show them).
    people_transferred = models.PositiveIntegerField(
        _("people transferred (转移安置)"), null=True, blank=True
    )
    people_in_care = models.PositiveIntegerField(
        _("people in care (救治、心理疏导)"), null=True, blank=True
    )
    description = models.TextField(_("course of events"))
    reporter_name_enc = models.TextField(blank=True)
    reporter_name_masked = models.CharField(_("reporter"), max_length=20, blank=True)
    reporter_phone_enc = models.TextField(blank=True)
    reporter_phone_masked = models.CharField(_("reporter's phone"), max_length=24, blank=True)
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("from petition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    is_drill = models.BooleanField(_("drill (演练)"), default=False)
    stage = models.CharField(
        pgettext_lazy("incident", "stage"),
        max_length=12,
        choices=Stage.choices,
        default=Stage.REPORTED,
    )
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("response", "level"), choices=LEVEL_CHOICES, null=True, blank=True
    )
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    first_on_site_at = models.DateTimeField(_("first on site"), null=True, blank=True)
    controlled_at = models.DateTimeField(_("under control"), null=True, blank=True)
    ended_at = models.DateTimeField(_("response ended"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("incident", "closed"), null=True, blank=True)
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commander"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    public_key = models.CharField(max_length=32, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["reported_at", "id"], name="incidents_newest"),
            models.Index(fields=["stage", "reported_at"], name="incidents_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
                name="incidents_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:board", args=[self.pk])

    @property
    def facts(self) -> dict[str, object]:
        """The incident as the plans' level triggers read it."""
        return {
            "people_involved": self.people_involved,
            "deaths": self.deaths,
            "injuries": self.injuries,
            "missing": self.missing,
            "economic_loss": float(self.economic_loss) if self.economic_loss is not None else None,
            "blocks_traffic": self.blocks_traffic,
            "key_facility": self.key_facility,
            "event_type": self.event_type.code,
        }

    @property
    def is_open(self) -> bool:
        return self.stage in (
            self.Stage.WARNING,
            self.Stage.REPORTED,
            self.Stage.GRADED,
            self.Stage.RESPONDING,
        )


class Grading(models.Model):
    """One grading decision (研判定级), kept with what the plans suggested and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="gradings")
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("response", "level"), choices=LEVEL_CHOICES
    )
    plan_version = models.ForeignKey(
        "plans.PlanVersion",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggested = models.PositiveSmallIntegerField(
        _("suggested level"), choices=LEVEL_CHOICES, null=True, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.level}"


class Report(models.Model):
    """An upward report (首报 / 续报 / 终报) to the unit above."""

    class Stage(models.TextChoices):
        FIRST = "first", _("First report (首报)")
        FOLLOWUP = "followup", _("Follow-up report (续报)")
        FINAL = "final", _("Final report (终报)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reports")
    stage = models.CharField(_("kind"), max_length=10, choices=Stage.choices)
    sequence = models.PositiveSmallIntegerField(default=1)  # 续报 numbering: 第N次续报
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # The required elements (时间、地点、来源、性质、范围、趋势、已采取措施及效果、下一步).
    occurred = models.CharField(_("time"), max_length=120, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    source = models.CharField(_("source of the information"), max_length=200, blank=True)
    nature = models.TextField(_("nature and type"), blank=True)
    scope = models.TextField(_("scope, casualties and losses"), blank=True)
    trend = models.TextField(_("trend"), blank=True)
    measures = models.TextField(_("measures taken and their effect"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_to = models.ForeignKey(
        Unit,
        verbose_name=_("sent to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 签发人: an upward document names the leader who signed it (党政机关公文处理工作条例
    # 第九条). A leader who uses yingji is chosen (``signer``); one who does not is named
    # with a title. The name and title are kept either way, as the document printed them.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signing leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField(_("signing leader's name"), max_length=40, blank=True)
    signer_title = models.CharField(_("signing leader's title"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    ELEMENTS = (
        "occurred",
        "place",
        "source",
        "nature",
        "scope",
        "trend",
        "measures",
        "next_steps",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.stage} {self.sequence}"


class ReportRecipient(models.Model):
    """A unit a written report goes to (主送), and its receipt (签收). The first recipient
    is also the report's ``sent_to``."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(
        Unit, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(_("receipt due"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "unit"], name="incidents_report_recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report.get_stage_display()} → {self.unit.name}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:report", args=[self.report.incident_id, self.report_id])

    @property
    def incident(self) -> Incident:
        return self.report.incident


class PhoneReport(models.Model):
    """The phone report (电话快报) that goes before the written first report: when, by
    whom, to which unit and the person who took the call, and what was said."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="phone_reports")
    called_at = models.DateTimeField(_("time of the call"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("unit called"), on_delete=models.PROTECT, related_name="+"
    )
    taken_by = models.CharField(_("who took the call"), max_length=40)
    summary = models.CharField(_("what was said"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["called_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.to_unit_id} {self.called_at:%Y-%m-%d %H:%M}"


class Command(models.Model):
    """The on-site command (现场指挥部) set up when a plan version is activated."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="command")
    plan_version = models.ForeignKey(
        "plans.PlanVersion", on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("response", "level"), choices=LEVEL_CHOICES
    )
    name = models.CharField(_("name"), max_length=80)
    location = models.CharField(_("where it sits"), max_length=200, blank=True)
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    set_up_at = models.DateTimeField(_("set up"))
    linked_versions = models.ManyToManyField(
        "plans.PlanVersion", blank=True, related_name="+", verbose_name=_("linked plans")
    )

    def __str__(self) -> str:
        return self.name


class TeamGroup(models.Model):
    """A working group of the response, copied from the plan at activation."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="groups")
    plan_group = models.ForeignKey(
        "plans.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    duties = models.TextField(_("duties"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="incident_groups"
    )
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class Instruction(models.Model):
    """A leader's instruction (领导批示) recorded by the command; it becomes tasks."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="instructions")
    leader = models.CharField(_("leader"), max_length=60)
    text = models.TextField(_("instruction"))
    given_at = models.DateTimeField(_("given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_at", "pk"]

    def __str__(self) -> str:
        return f"{self.leader}: {self.text[:40]}"


class Task(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")

    class Phase(models.TextChoices):
        WARNING = "warning", _("Warning (预警)")
        RESPONSE = "response", _("Response (响应)")
        HANDLING = "handling", _("Handling (处置)")
        RECOVERY = "recovery", _("Recovery (恢复)")

    class Origin(models.TextChoices):
        PLAN = "plan", _("The plan's step")
        ADHOC = "adhoc", _("Given by the command")
        INSTRUCTION = "instruction", _("A leader's instruction (领导批示)")
        CARE = "care", _("The plan's care requirement")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    # Who does it: a group of the response, or (a task given by the command) a unit or a
    # person; a task of a group without a lead waits on the commander until one is named.
    group = models.ForeignKey(
        TeamGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    assigned_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.PLAN
    )
    step = models.ForeignKey(
        "plans.Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    instruction = models.ForeignKey(
        Instruction, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    action = models.TextField(_("action"))
    required = models.BooleanField(_("required"), default=True)
    state = models.CharField(
        _("state"), max_length=14, choices=State.choices, default=State.PENDING
    )
    blocked_reason = models.TextField(_("why it is blocked"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # copied from the clock
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.action[:40]

    def get_absolute_url(self) -> str:
        return reverse("incidents:task", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state != self.State.DONE

    @property
    def holder_name(self) -> str:
        """Who the task is for, as the board names it: the group, the person or the unit."""
        if self.group is not None:
            return self.group.name
        if self.assignee is not None:
            return self.assignee.display_name
        if self.assigned_unit is not None:
            return self.assigned_unit.name
        return str(_("the command"))


class TaskNote(models.Model):
    """Progress from the field. ``client_key`` makes a note sent twice (after the
    connection came back) land once; ``written_at`` is when it was written on the phone."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress"))
    photo = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    client_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["written_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "client_key"],
                condition=~Q(client_key=""),
                name="incidents_note_once",
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


class Release(models.Model):
    """Public information (信息发布). Never edited: a correction is a new release."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="releases")
    text = models.TextField(_("text"))
    released_at = models.DateTimeField(_("released"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta:
        ordering = ["released_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class ResourceRequest(models.Model):
    """A request for supplies, equipment, teams or experts during the response."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        DELIVERED = "delivered", _("Delivered")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="requests")
    what = models.CharField(_("what"), max_length=120)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    measure = models.CharField(_("unit of measure"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return self.what


class AfterAction(models.Model):
    """The team's edited after-action review (评估总结); the intervals are computed."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="after_action")
    results = models.TextField(_("results (成效)"), blank=True)
    problems = models.TextField(_("problems found (存在的问题)"), blank=True)
    improvements = models.TextField(_("improvements (改进措施)"), blank=True)
    care = models.TextField(_("how people were cared for (人员救治和安置)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return str(self.incident_id)
