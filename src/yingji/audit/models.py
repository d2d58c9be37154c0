from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")


class AuditEntry(models.Model):
    """One state change or personal-data view. Append-only: see services.record()."""

    # Assigned by services.record() under the chain-head lock: 1, 2, 3 … with no gaps.
    id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list)
    before_digest = models.CharField(_("digest before"), max_length=64, blank=True)
    after_digest = models.CharField(_("digest after"), max_length=64, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    # Why: the reason given for looking at personal data, an extension, a reveal.
    note = models.CharField(_("note"), max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64, verbose_name=_("previous hash"))
    hash = models.CharField(max_length=64, unique=True, verbose_name=_("hash"))

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")

    def chained_fields(self) -> dict[str, Any]:
        """The fields the hash covers, in the form they had when written."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changed_fields": list(self.changed_fields),
            "before": self.before_digest,
            "after": self.after_digest,
            "client_address": self.client_address,
        } | ({"note": self.note} if self.note else {})


class ChainHead(models.Model):
    """The newest entry's id and hash, one row, locked by every append.

    The lock serialises appends on PostgreSQL (SQLite's IMMEDIATE transactions already
    do), and comparing it with the newest entry exposes a removed last entry. A database
    trigger lets its position only grow.

    It also says where the keyed chain starts: entries up to ``plain_until`` were written
    before the chain was keyed and keep their plain SHA-256 hashes. ``seal`` is an HMAC
    under the audit key of that boundary and of the last plain entry's hash, so the
    boundary cannot be moved to pass keyed entries off as plain ones, and the plain
    history cannot be rewritten, by anyone without the key.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    plain_until = models.BigIntegerField(default=0)
    seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_id} {self.last_hash[:12]}"


class CheckpointQuerySet(models.QuerySet["Checkpoint"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit checkpoints cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit checkpoints cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit checkpoints cannot be changed")


class Checkpoint(models.Model):
    """How far the chain reached at a moment, signed with the audit key. Append-only.

    A copy kept outside the database shows a chain that was cut short (or rewritten up
    to it) even after the rows, the chain head and these checkpoints were all rewound;
    the stored ones catch the same as long as they are left in place.
    """

    taken_at = models.DateTimeField(_("time"))
    last_id = models.BigIntegerField(_("last entry"))
    last_hash = models.CharField(_("hash of the last entry"), max_length=64)
    count = models.BigIntegerField(_("entries"))
    signature = models.CharField(_("signature"), max_length=64)

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.last_id} {self.taken_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit checkpoints cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit checkpoints cannot be deleted")
