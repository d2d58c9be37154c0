from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yingji.org.models import Unit


class Category(models.Model):
    """A node of the configurable category tree (城乡建设 → 房屋征收与拆迁 …)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    # 检举控告: the accused may never see such a case (信访工作条例 第三十条).
    is_accusation = models.BooleanField(_("accusation (检举控告)"), default=False)
    sort = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        if self.parent_id and self.parent:
            return f"{self.parent} / {self.label}"
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language, without its parents' (a tree shows them)."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class NumberSequence(models.Model):
    """The last registration number used by an office in a year: locked per intake."""

    office = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="petitions_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"


class LetterSequence(models.Model):
    """The last document number (文号) a unit gave its letters in a year: locked per letter."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"], name="petitions_letter_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last}"


class Petition(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("Online (网上)")
        LETTER = "letter", _("Letter (来信)")
        VISIT = "visit", _("Visit (来访)")
        PHONE = "phone", _("Phone call (来电)")
        FAX = "fax", _("Fax (传真)")

    class PetitionerKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class Stage(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ACCEPTED = "accepted", _("Accepted")
        NOT_ACCEPTED = "not_accepted", _("Not accepted")
        REFERRED = "referred", _("Referred elsewhere")
        HANDLING = "handling", _("Being handled")
        REPLIED = "replied", _("Replied")
        UNDER_REVIEW = "under_review", _("Under review (复查)")
        REVIEWED = "reviewed", _("Reviewed (复查意见)")
        UNDER_RECHECK = "under_recheck", _("Under re-review (复核)")
        FINAL = "final", _("Final after re-review (复核终结)")
        LINKED = "linked", _("Handled with another case")
        RETURNED = "returned", _("Objected to and returned (异议退回)")
        CLOSED = "closed", _("Closed")

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accept (受理)")
        REJECT = "reject", _("Do not accept (不予受理)")
        REFER = "refer", _("Tell which body to approach (告知)")

    number = models.CharField(_("registration number"), max_length=40, unique=True)
    receipt_hash = models.CharField(max_length=64, unique=True)
    office = models.ForeignKey(
        Unit, verbose_name=_("registering office"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_oral = models.BooleanField(_("oral petition, recorded by staff"), default=False)
    # 转送/交办 from a body above, outside yingji: 5 working days to object (第二十三条).
    transferred_from = models.CharField(_("transferred or assigned by"), max_length=120, blank=True)
    received_at = models.DateTimeField(_("received"))
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The petitioner: ciphertext, a mask for lists, and keyed hashes for finding repeats.
    petitioner_kind = models.CharField(
        _("petitioner is"), max_length=12, choices=PetitionerKind.choices
    )
    name_enc = models.TextField()
    name_masked = models.CharField(_("name"), max_length=20)
    name_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(_("phone"), max_length=24, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_enc = models.TextField(blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=24, blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    address_enc = models.TextField(blank=True)
    address_masked = models.CharField(_("address"), max_length=20, blank=True)
    identity_unclear = models.BooleanField(_("name or address unclear"), default=False)

    request = models.TextField(_("request (请求)"))
    facts = models.TextField(_("facts and reasons (事实和理由)"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("place: division code"), max_length=12, blank=True)
    place = models.CharField(_("place: address"), max_length=200, blank=True)
    accused_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit complained about"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accused_person = models.CharField(_("person complained about"), max_length=60, blank=True)
    people_count = models.PositiveIntegerField(_("number of people"), default=1)
    is_collective = models.BooleanField(_("collective visit"), default=False)

    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    referred_to = models.CharField(_("body to approach"), max_length=120, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader owning the case (包案)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_drill = models.BooleanField(default=False)
    # When the newest written reply was issued, while no follow-up (回访 or the
    # petitioner's rating) has been recorded since; None otherwise. Kept by the reply and
    # rating services so that "ratings to follow up" walks an index in reply order
    # instead of looking up every replied case's replies and follow-ups.
    awaiting_rating_since = models.DateTimeField(
        _("awaiting a follow-up since"), null=True, blank=True, editable=False
    )
    # Set at intake when the same petitioner raised the same matter in a case that has
    # been through 复核: 第三十六条 then bars accepting it again.
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeats the finished case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A repeat or duplicate of an open case is linked to it and handled there (merged).
    linked_to = models.ForeignKey(
        "self",
        verbose_name=_("handled together with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Set by registration: its search entry is written by a job after the commit
    # (search/indexing.py), which clears it.
    search_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["unit", "stage", "received_at"], name="petitions_unit_stage"),
            models.Index(fields=["office", "received_at"], name="petitions_office_received"),
            # The lists' order: walked newest first, stopping at a page; the second for
            # the work queues, which filter by stage.
            models.Index(fields=["received_at", "id"], name="petitions_received"),
            models.Index(fields=["stage", "received_at", "id"], name="petitions_stage_received"),
            # The ledger's usual filters, walked newest first the same way: a category, and
            # collective visits (a few in a hundred, so the index holds only those).
            models.Index(
                fields=["category", "received_at", "id"], name="petitions_category_received"
            ),
            # A category at a stage: each category's walk under a parent stays within
            # its cases at that stage, however few (lists._newest).
            models.Index(
                fields=["category", "stage", "received_at", "id"],
                name="petitions_category_stage",
            ),
            models.Index(
                fields=["received_at", "id"],
                name="petitions_collective_received",
                condition=Q(is_collective=True),
            ),
            # Replied cases waiting for a follow-up, per unit, the longest waiting first:
            # the workbench's "ratings to follow up", each unit's walked until the panel
            # is full (lists.longest_unrated).
            models.Index(
                fields=["unit", "awaiting_rating_since", "id"],
                name="petitions_unit_awaiting",
                condition=Q(stage="replied", awaiting_rating_since__isnull=False),
            ),
            # Similar cases: the same category and place, nearest in time (services).
            models.Index(
                fields=["category", "region_code", "received_at"], name="petitions_similar"
            ),
            # The few cases waiting for their search entry, for the indexing job.
            models.Index(
                fields=["id"], name="petitions_search_pending", condition=Q(search_pending=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_collective=False) | Q(people_count__gte=2),
                name="petitions_collective_has_people",
            )
        ]

    # What the name (``__str__``) and the page (``get_absolute_url``) read: lists of
    # things that point at a case, such as the deadlines page, load only these.
    NAME_FIELDS = ("number",)

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("petitions:detail", args=[self.pk])

    @property
    def is_accusation(self) -> bool:
        return self.category.is_accusation


class Assignment(models.Model):
    """One routing of a petition to a unit; the rows together are its routing history."""

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("Assigned (交办)")
        TRANSFER = "transfer", _("Transferred (转送)")

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit (牵头)")
        COOPERATING = "cooperating", _("Cooperating unit (协办)")

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting the unit")
        ACCEPTED = "accepted", _("Accepted by the unit")
        OBJECTED = "objected", _("Objected to")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="assignments")
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    note = models.CharField(_("instructions"), max_length=500, blank=True)
    assigned_at = models.DateTimeField(_("assigned"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    objection = models.TextField(_("reasons for objecting"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["assigned_at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} → {self.unit_id} ({self.role})"


class Reply(models.Model):
    """The 信访处理意见书 (第三十二条): request, facts and reasons, decision, legal basis."""

    class Outcome(models.TextChoices):
        SUPPORT = "support", _("Supported (予以支持)")
        EXPLAIN = "explain", _("Explained (解释说明)")
        NOT_SUPPORT = "not_support", _("Not supported (不予支持)")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="replies")
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices)
    findings = models.TextField(_("findings after investigation"))
    opinion = models.TextField(_("handling opinion"))
    legal_basis = models.TextField(_("legal basis"))
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivery_method = models.CharField(_("delivered by"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("written reply")
        verbose_name_plural = _("written replies")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.outcome}"


class FollowUp(models.Model):
    """回访 and the petitioner's rating of the outcome."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied (满意)")
        BASICALLY = "basically", _("Basically satisfied (基本满意)")
        UNSATISFIED = "unsatisfied", _("Not satisfied (不满意)")

    class By(models.TextChoices):
        STAFF = "staff", _("Staff, on a follow-up call or visit")
        PETITIONER = "petitioner", _("The petitioner, online")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="follow_ups")
    by = models.CharField(_("recorded by"), max_length=10, choices=By.choices)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("time"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.rating}"


class Review(models.Model):
    """复查 (第三十五条) or 复核 (第三十六条): each goes to the body one level above."""

    class Level(models.TextChoices):
        REVIEW = "review", _("Review (复查)")
        RECHECK = "recheck", _("Re-review (复核)")

    class Outcome(models.TextChoices):
        UPHOLD = "uphold", _("Upheld (维持)")
        CHANGE = "change", _("Changed (变更)")
        REVOKE = "revoke", _("Revoked (撤销)")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="reviews")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default="review")
    unit = models.ForeignKey(
        Unit, verbose_name=_("reviewing body"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    reasons = models.TextField(_("reasons"))
    by_petitioner = models.BooleanField(default=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the opinion reached the petitioner: a 复查 opinion's delivery opens the 复核 window.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivery_method = models.CharField(_("delivered by"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} → {self.unit_id}"


class Supervision(models.Model):
    """催办 (a reminder) or 督办 (formal supervision) of a case, with its note."""

    class Kind(models.TextChoices):
        URGE = "urge", _("Reminder (催办)")
        SUPERVISE = "supervise", _("Supervision (督办)")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("note"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit reminded"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reminder or supervision")
        verbose_name_plural = _("reminders and supervision")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.kind}"


class Attachment(models.Model):
    """A scan, photo, recording or document handed in; stored encrypted under var/."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Representative(models.Model):
    """One of at most five representatives a collective visit chose (第二十条)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="representatives")
    name_enc = models.TextField()
    name_masked = models.CharField(_("name"), max_length=20)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(_("phone"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return self.name_masked
