"""Emergency plans (预案) as structured, versioned documents.

A Plan is the lasting thing (title, kind, owner, links to parent plans); each
PlanVersion is one edition with its whole structure: the command body, its duties and
its posts, the working groups with their duties, the warning levels with their measures,
the response levels with structured triggers and procedure steps by phase, the
safeguards, the resources it requires, the supplementary provisions and its contacts.
Only a draft is ever edited; an edition in force is replaced by a new version, never
changed.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from yingji.org.models import Person, Unit


class EventType(models.Model):
    """A node of the event classification after GB/T 35561 (社会安全事件 → 群体性事件 …).

    Codes are dotted paths (``social.mass.petition``) so that "within" is a prefix test.
    """

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent type"),
    )
    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    sort = models.PositiveSmallIntegerField(
        default=0, verbose_name=pgettext_lazy("sort order", "order")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("event type")
        verbose_name_plural = _("event types")
        ordering = ["code"]

    def __str__(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def clean(self) -> None:
        """A child's code extends its parent's: social.mass.petition under social.mass."""
        if not re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", self.code or ""):
            raise ValidationError(
                {"code": _("Use lower-case letters and underscores, with dots between levels.")}
            )
        expected = f"{self.parent.code}." if self.parent_id and self.parent else ""
        if not re.fullmatch(re.escape(expected) + r"[a-z_]+", self.code):
            raise ValidationError(
                {"code": _("The code must be the parent's code, a dot and one more word.")}
            )


class Plan(models.Model):
    class Kind(models.TextChoices):
        OVERALL = "overall", _("Overall plan (总体预案)")
        SPECIAL = "special", _("Special plan (专项预案)")
        DEPARTMENT = "department", _("Department plan (部门预案)")
        LOCAL = "local", _("Local plan (地方预案)")
        UNIT = "unit", _("Unit plan (单位预案)")
        EVENT = "event", _("Major event plan (重大活动预案)")

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="plans"
    )
    # 总体 → 专项 → 部门/单位: an activation can bring in the linked plans' groups.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["owner__path", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])


class FilingState(models.TextChoices):
    PENDING = "pending", _("Filed, awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Filing acknowledged")
    RETURNED = "returned", _("Filing returned")


class PlanVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        FILED = "filed", _("Filed (备案)")
        IN_FORCE = "in_force", _("In force")
        SUPERSEDED = "superseded", _("Superseded")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.TextField(_("purpose"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    principles = models.TextField(_("working principles"), blank=True)
    command_name = models.CharField(_("command body"), max_length=60, blank=True)
    office_name = models.CharField(_("its office"), max_length=60, blank=True)
    office_duties = models.TextField(_("the office's duties"), blank=True)
    # 领导小组（指挥部）职责: what the command body itself does (its groups have their own).
    command_duties = models.TextField(_("the command body's duties"), blank=True)
    # 预警: where warnings come from and how they are published; the levels are rows.
    warning_sources = models.TextField(_("warning sources and publication"), blank=True)
    # 附则: the supplementary provisions, each a text of its own.
    terms = models.TextField(_("terms and definitions"), blank=True)
    plan_management = models.TextField(_("plan management and updating"), blank=True)
    rewards = models.TextField(_("rewards and accountability"), blank=True)
    drafting_body = models.TextField(_("drafting and interpreting body"), blank=True)
    commencement = models.TextField(_("entry into force"), blank=True)
    event_types = models.ManyToManyField(
        EventType, verbose_name=_("event types covered"), blank=True, related_name="+"
    )
    # Empty: the settings' cycles (YINGJI_DRILL_CYCLE_YEARS, YINGJI_PLAN_REVIEW_YEARS).
    drill_cycle_years = models.PositiveSmallIntegerField(
        _("drill every (years)"), null=True, blank=True
    )
    review_cycle_years = models.PositiveSmallIntegerField(
        _("review every (years)"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    filed_with = models.ForeignKey(
        Unit,
        verbose_name=_("filed with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    # The body the plan is filed with answers: it acknowledges the filing or returns it.
    filing_state = models.CharField(
        _("filing"), max_length=16, choices=FilingState.choices, blank=True, default=""
    )
    filing_answered_at = models.DateTimeField(_("filing answered"), null=True, blank=True)
    filing_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filing_answer = models.TextField(_("filing answer"), blank=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plans_version_number"),
            # One edition in force, and one being written, per plan.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status="in_force"), name="plans_one_in_force"
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status__in=["draft", "under_review"]),
                name="plans_one_open_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Group(models.Model):
    """A working group (现场处置组 …) with its duties."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=60)
    duties = models.TextField(_("duties"), blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="plans_group_name")]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A post of the command body (no group) or of a group: 组长, 副组长, 成员.

    Filled by position (镇长) or by a named person; a group's lead post leads it.
    """

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="posts")
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    title = models.CharField(_("post"), max_length=40)
    position = models.CharField(_("held by position"), max_length=80, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("held by person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_lead = models.BooleanField(_("leads the group"), default=False)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.title


class Level(models.Model):
    """A response level the plan uses (1 = I 特别重大 … 4 = IV 一般) and its triggers."""

    class Match(models.TextChoices):
        ANY = "any", _("Any condition (符合下列条件之一)")
        ALL = "all", _("All conditions")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(pgettext_lazy("response", "level"))
    match = models.CharField(max_length=3, choices=Match.choices, default=Match.ANY)
    # Conditions that need a human judgement, one per line, shown to the commander.
    judgements = models.TextField(_("conditions for judgement"), blank=True)

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="plans_level_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="plans_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} level {self.level}"


class Trigger(models.Model):
    """A structured condition over incident facts (plans/triggers.py)."""

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="triggers")
    fact = models.CharField(_("fact"), max_length=40)
    op = models.CharField(_("operator"), max_length=10)
    value = models.JSONField(_("value"))
    # Triggers of a level with the same clause must hold together; see triggers.Condition.
    clause = models.PositiveSmallIntegerField(_("clause"), null=True, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return f"{self.fact} {self.op} {self.value}"


class Step(models.Model):
    class Phase(models.TextChoices):
        WARNING = "warning", _("Warning (预警)")
        RESPONSE = "response", _("Response (响应)")
        HANDLING = "handling", _("Handling (处置)")
        RECOVERY = "recovery", _("Recovery (恢复)")

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="steps")
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    action = models.TextField(_("action"))
    group = models.ForeignKey(
        Group, verbose_name=_("responsible group"), on_delete=models.CASCADE, related_name="steps"
    )
    within_minutes = models.PositiveIntegerField(
        _("within (minutes of activation)"), null=True, blank=True
    )
    required = models.BooleanField(_("required"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.action[:40]


class Requirement(models.Model):
    """What the plan requires to be ready: supplies, teams, experts by field."""

    class Kind(models.TextChoices):
        SUPPLY = "supply", _("Supply or equipment")
        TEAM = "team", _("Team")
        EXPERT = "expert", _("Expert")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name or field"), max_length=80)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    measure = models.CharField(_("unit of measure"), max_length=20, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


class WarningLevel(models.Model):
    """A warning level (预警级别, 1 = 红色 … 4 = 蓝色): when it is issued and the measures
    taken once it is (预警行动)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="warnings")
    level = models.PositiveSmallIntegerField(_("warning level"))
    criteria = models.TextField(_("issued when"), blank=True)
    measures = models.TextField(_("measures"), blank=True)

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="plans_warning_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="plans_warning_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} warning {self.level}"


class Safeguard(models.Model):
    """A safeguard (保障措施) of one kind: 队伍保障, 物资保障 … with its text."""

    class Kind(models.TextChoices):
        TEAMS = "teams", _("Teams (队伍保障)")
        SUPPLIES = "supplies", _("Supplies (物资保障)")
        FUNDS = "funds", _("Funds (资金保障)")
        COMMUNICATION = "communication", _("Communication (通信保障)")
        TRANSPORT = "transport", _("Transport (交通运输保障)")
        MEDICAL = "medical", _("Medical care (医疗卫生保障)")
        SECURITY = "security", _("Public order (治安保障)")
        TECHNOLOGY = "technology", _("Technology (技术保障)")
        SHELTER = "shelter", _("Shelters (应急避难场所保障)")
        OTHER = "other", _("Other safeguard")

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="safeguards")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Names an "other" safeguard (宣传保障 …); the other kinds are named by their kind.
    title = models.CharField(_("title"), max_length=60, blank=True)
    text = models.TextField(_("text"))
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Contact(models.Model):
    """A contact of the plan (a staff or partner telephone, not personal data of the public)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name
