"""The systems that file petitions through Open311, and which petition each one filed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.petitions.models import Petition


class ApiKey(models.Model):
    """An integrating system's key (a 12345 hotline, a mini-program). Only its SHA-256 is
    stored; the key itself is shown once, when it is made."""

    name = models.CharField(_("system"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(_("key fingerprint"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Filed(models.Model):
    """A petition filed through Open311, and the key that filed it: a system reads back
    only its own requests."""

    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, related_name="open311", verbose_name=_("petition")
    )
    key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, related_name="filed", verbose_name=_("Open311 key")
    )
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("request filed through Open311")
        verbose_name_plural = _("requests filed through Open311")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.key_id}:{self.petition_id}"
