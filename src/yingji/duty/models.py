"""The duty roster (值班表): shifts per unit with a leader on duty (带班领导), duty officers
(值班员) and a backup, and the special periods when stricter staffing applies."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.org.models import Person, Unit


class SpecialPeriod(models.Model):
    """A named period of stricter duty (重要会议、重大活动保障期), for one unit's subtree or
    for everyone."""

    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(pgettext_lazy("period", "from"))
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


class ChangeRequest(models.Model):
    """A swap or override of one shift member, made by anyone on the roster and approved
    by a leader (调班、代班须经领导批准)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="changes")
    member = models.ForeignKey(ShiftMember, on_delete=models.CASCADE, related_name="+")
    # Who is replaced, kept apart from ``member``: approving the change puts the
    # replacement in the member's place, and "A → B" must still read A afterwards.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replacement = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.shift}: {self.wording}"

    @property
    def replaced(self) -> Person:
        """The person replaced (a request made before it was kept: the member's person,
        which approval has since changed)."""
        return self.person if self.person_id is not None else self.member.person  # type: ignore[return-value]

    @property
    def wording(self) -> str:
        """ "A → B": the replaced person, an arrow, the replacement."""
        return f"{self.replaced.name} → {self.replacement.name}"


class Handover(models.Model):
    """交接班记录: what happened on a shift and what the next shift must carry on."""

    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="handover")
    summary = models.TextField(_("what happened"))
    written_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"handover {self.shift}"


class OpenMatter(models.Model):
    """A matter left open at a handover; carried from shift to shift until closed."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="matters")
    text = models.CharField(_("matter"), max_length=300)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class LogEntry(models.Model):
    """值班记录: one call or message the duty office handled, whatever it was about, and
    what it became (an incident, a petition) when it became one. ``caller`` may name a
    private person: it stays out of the audit log's text and the application's logs."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call (电话)")
        FAX = "fax", _("Fax (传真)")
        MESSAGE = "message", _("Text message or e-mail (短信/邮件)")
        VISIT = "visit", _("In person (来人)")
        SYSTEM = "system", _("System (系统)")

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received"))
    channel = models.CharField(
        pgettext_lazy("duty log", "channel"), max_length=10, choices=Channel.choices
    )
    caller = models.CharField(_("caller"), max_length=80)
    caller_phone = models.CharField(_("caller's phone"), max_length=40, blank=True)
    matter = models.TextField(_("matter (事由)"), max_length=2000)
    action_taken = models.TextField(_("action taken (处理情况)"), max_length=2000, blank=True)
    handed_to = models.CharField(_("handed to (交办/转告)"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=pgettext_lazy("duty log", "recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="log_entries"
    )
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    petition = models.ForeignKey(
        "petitions.Petition", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "received_at"], name="duty_log_unit_received"),
        ]

    def __str__(self) -> str:
        # No caller here: this text is what the audit log keeps.
        return f"log {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("duty:log_entry", args=[self.pk])
