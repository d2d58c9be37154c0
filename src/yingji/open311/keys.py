"""Issuing, revoking and checking the keys of integrating systems."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import hash_token
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.open311.models import ApiKey

KEY_PREFIX = "o311_"
# The part of a key shown in lists and used to revoke it: the marker and 7 characters.
PREFIX_LENGTH = 12
TOUCH_INTERVAL = timedelta(minutes=1)


@transaction.atomic
def create(name: str, *, actor: Actor) -> tuple[ApiKey, str]:
    """A new key for the system ``name``, returned with the key itself: shown this once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Name the system that will use the key.")]})
    if len(name) > 80:
        raise ValidationError({"name": [_("Enter at most %(n)s characters.") % {"n": 80}]})
    if fields.has_control(name):
        raise ValidationError({"name": [fields.control_message()]})
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_token(secret),
        created_by=actor.user,
    )
    audit.record(actor=actor, action="open311.key.create", obj=key, object_repr=str(key))
    return key, secret


@transaction.atomic
def revoke(key: ApiKey, *, actor: Actor) -> ApiKey:
    current = ApiKey.objects.select_for_update().get(pk=key.pk)
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="open311.key.revoke",
            obj=current,
            object_repr=str(current),
            fields=["revoked_at"],
        )
    return current


def by_prefix(prefix: str) -> list[ApiKey]:
    """The live keys a prefix (as shown in lists, at least 8 characters) names."""
    prefix = prefix.strip()
    if len(prefix) < 8:
        return []
    return list(ApiKey.objects.filter(revoked_at__isnull=True, prefix__startswith=prefix[:12]))


def check(secret: str) -> ApiKey | None:
    """The live key ``secret`` is, or None."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return None
    key = ApiKey.objects.filter(key_hash=hash_token(secret), revoked_at__isnull=True).first()
    if key is None:
        return None
    now = timezone.now()
    # Bookkeeping, not a change worth an audit entry; at most once a minute.
    if key.last_used_at is None or now - key.last_used_at > TOUCH_INTERVAL:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
