"""Prevention (预防与预警): the risk and hazard register (风险隐患) with its inspection rounds
(排查), graded warnings (预警) published as CAP 1.2, and early-warning signals from
petition trends (信访风险预警).

A warning is a chain of messages: the first (CAP msgType Alert) and each adjustment
(Update) or lift (Cancel) is a new row that references the one before, so what was issued
is never edited. A message is drafted, submitted for signing, and issued by a leader.

A signal is about a matter and a place, never about a person: it holds the category, the
place, the counts and the cases that make its evidence, and nothing that names or counts
petitioners.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org.models import Unit

# --- the risk and hazard register -----------------------------------------------------


class Risk(models.Model):
    """A risk (风险) or a hazard (隐患) on the register (台账): where it is, what kind of
    event it may cause, how grave, who answers for it, how it is controlled, and by when
    it must be remedied (a clock deadline, kind ``risk.remediation``)."""

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk (风险点)")
        HAZARD = "hazard", _("Hazard (隐患)")

    class Level(models.TextChoices):
        MAJOR = "major", pgettext_lazy("risk level", "Major (重大)")
        LARGE = "large", pgettext_lazy("risk level", "Large (较大)")
        GENERAL = "general", pgettext_lazy("risk level", "General (一般)")
        LOW = "low", pgettext_lazy("risk level", "Low (低)")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("risk", "To be remedied (待整改)")
        REMEDYING = "remedying", pgettext_lazy("risk", "Being remedied (整改中)")
        CLOSED = "closed", pgettext_lazy("risk", "Remedied, closed (已销号)")

    class Source(models.TextChoices):
        ENTERED = "entered", pgettext_lazy("risk source", "Entered by staff")
        INSPECTION = "inspection", pgettext_lazy("risk source", "Inspection round (排查)")
        IMPORT = "import", pgettext_lazy("risk source", "Ledger import")
        SIGNAL = "signal", pgettext_lazy("risk source", "Petition trend signal")

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HAZARD)
    title = models.CharField(_("title"), max_length=120)
    event_type = models.ForeignKey(
        "plans.EventType",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.ENTERED
    )
    region_code = models.CharField(_("where: division code"), max_length=12)
    address = models.CharField(_("where: address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    description = models.TextField(_("description"))
    measures = models.TextField(_("control measures (管控措施)"), blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="risks"
    )
    responsible_name = models.CharField(_("responsible person"), max_length=40, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=30, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person (account)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    found_on = models.DateField(_("found on"))
    due_on = models.DateField(_("remedy by"), null=True, blank=True)  # the clock's date
    due_at = models.DateTimeField(_("due"), null=True, blank=True)  # copied from the clock
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(_("how it was remedied"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("risk or hazard")
        verbose_name_plural = _("risks and hazards")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "state"], name="warnings_risk_unit"),
            models.Index(fields=["region_code"], name="warnings_risk_place"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("warnings:risk", args=[self.pk])


class Checklist(models.Model):
    """What an inspection round of a category checks (排查表), kept by a unit."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.ForeignKey(
        "plans.EventType", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("inspection checklist")
        verbose_name_plural = _("inspection checklists")
        ordering = ["event_type__code", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("what is checked"), max_length=300)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Inspection(models.Model):
    """An inspection round (排查): a person checks a place against a checklist, often on a
    phone that loses the connection; each finding is sent on its own and lands once."""

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("inspection", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("inspection", "In progress")
        DONE = "done", pgettext_lazy("inspection", "Done")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="inspections"
    )
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    region_code = models.CharField(_("where: division code"), max_length=12)
    address = models.CharField(_("where: address"), max_length=200, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_on = models.DateField(_("planned for"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PLANNED
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-planned_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("warnings:inspection", args=[self.pk])


class Finding(models.Model):
    """One checklist item's result, or a problem seen beyond the list. A problem can open
    a new risk or update one on the register. ``client_key`` makes a finding sent twice
    land once; ``written_at`` is when it was written on the phone."""

    class Result(models.TextChoices):
        OK = "ok", pgettext_lazy("finding", "No problem")
        PROBLEM = "problem", pgettext_lazy("finding", "Problem found")
        NOT_APPLICABLE = "na", pgettext_lazy("finding", "Not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.TextField(_("what was seen"), blank=True)
    photos = models.ManyToManyField("documents.Document", blank=True, related_name="+")
    risk = models.ForeignKey(
        Risk,
        verbose_name=_("risk on the register"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    opened_risk = models.BooleanField(default=False)  # the finding opened the risk
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
                fields=["inspection", "client_key"],
                condition=~Q(client_key=""),
                name="warnings_finding_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection} {self.result}"


# --- warnings -------------------------------------------------------------------------


class WarningMessage(models.Model):
    """One message of a warning (预警信息): the first issue (Alert), an adjustment
    (Update) or the lift (解除, Cancel). ``chain`` is the chain's first message (itself
    for the first); ``references`` the message this one follows."""

    class MsgType(models.TextChoices):
        ALERT = "Alert", pgettext_lazy("warning message", "Issue (发布)")
        UPDATE = "Update", pgettext_lazy("warning message", "Adjustment (调整)")
        CANCEL = "Cancel", pgettext_lazy("warning message", "Lift (解除)")

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("warning", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("warning", "Awaiting the leader's signature")
        ISSUED = "issued", pgettext_lazy("warning", "Issued")
        WITHDRAWN = "withdrawn", pgettext_lazy("warning", "Withdrawn draft")

    class Level(models.IntegerChoices):
        RED = 1, pgettext_lazy("warning level", "Red (Ⅰ级)")
        ORANGE = 2, pgettext_lazy("warning level", "Orange (Ⅱ级)")
        YELLOW = 3, pgettext_lazy("warning level", "Yellow (Ⅲ级)")
        BLUE = 4, pgettext_lazy("warning level", "Blue (Ⅳ级)")

    chain = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    references = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="followed_by"
    )
    msg_type = models.CharField(
        _("message type"), max_length=8, choices=MsgType.choices, default=MsgType.ALERT
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # The CAP identifier, set on issue (unique among the sender's messages).
    identifier = models.CharField(_("identifier"), max_length=80, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="warnings"
    )
    event_type = models.ForeignKey(
        "plans.EventType", verbose_name=_("event type"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("warning level"), choices=Level.choices)
    # The area: GB/T 2260 division codes (6, 9 or 12 digits) and an optional polygon,
    # a closed ring of [latitude, longitude] pairs as CAP writes them.
    region_codes = models.JSONField(_("area: division codes"), default=list)
    polygon = models.JSONField(_("area: polygon"), null=True, blank=True)
    area_description = models.CharField(_("area description"), max_length=200, blank=True)
    headline = models.CharField(_("headline"), max_length=120)
    description = models.TextField(_("description"))
    instruction = models.TextField(_("public instructions (防范措施)"), blank=True)
    headline_en = models.CharField(_("headline in English"), max_length=160, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    instruction_en = models.TextField(_("instructions in English"), blank=True)
    effective_at = models.DateTimeField(_("effective from"))
    expires_at = models.DateTimeField(_("expires"))
    is_drill = models.BooleanField(_("drill (演练)"), default=False)
    note = models.TextField(_("reason for the change"), blank=True)  # adjustment, lift
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    returned_reason = models.TextField(_("why it was returned"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    # The warning phase on the incident engine: the plans' warning-phase steps as tasks.
    operation = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="warnings_level_range"
            ),
            models.UniqueConstraint(
                fields=["identifier"], condition=~Q(identifier=""), name="warnings_identifier"
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="warnings_current")]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("warnings:warning", args=[self.pk])


# --- early warning from petition trends -----------------------------------------------


class Signal(models.Model):
    """An early-warning signal from petition trends: a surge of one category in one
    place, a growing same-matter cluster, or collective visits about one matter. Its
    evidence is the cases, the counts, the baseline and the rule that fired."""

    class Kind(models.TextChoices):
        SURGE = "surge", pgettext_lazy("signal", "Surge (同类激增)")
        CLUSTER = "cluster", pgettext_lazy("signal", "Growing same-matter cluster")
        COLLECTIVE = "collective", pgettext_lazy("signal", "Collective visits about one matter")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("signal", "Open")
        DISMISSED = "dismissed", pgettext_lazy("signal", "Dismissed")
        TO_RISK = "risk", pgettext_lazy("signal", "Turned into a risk")
        TO_WARNING = "warning", pgettext_lazy("signal", "Turned into a warning")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # What makes one signal: the kind, the matter and the place (one open at a time).
    key = models.CharField(max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("division code"), max_length=12, blank=True)
    category = models.ForeignKey(
        "petitions.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    matter = models.CharField(_("matter"), max_length=200, blank=True)
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    count = models.PositiveIntegerField(_("cases in the window"))
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    limit = models.FloatField(_("control limit"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=300)
    # The evidence as figures: daily counts, the window, the parameters of the rule.
    evidence = models.JSONField(default=dict)
    petitions = models.ManyToManyField("petitions.Petition", blank=True, related_name="+")
    raised_at = models.DateTimeField(_("raised"))
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    risk = models.ForeignKey(
        Risk, null=True, blank=True, on_delete=models.SET_NULL, related_name="signals"
    )
    warning = models.ForeignKey(
        WarningMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="signals"
    )

    class Meta:
        verbose_name = _("trend signal")
        verbose_name_plural = _("trend signals")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(state="open"), name="warnings_signal_open_once"
            )
        ]

    def __str__(self) -> str:
        return self.rule

    def get_absolute_url(self) -> str:
        return reverse("warnings:signal", args=[self.pk])
