"""A fixed-window counter per key: in Redis when the deployment has it (shared by every
process), otherwise in the database (``accounts.RateCounter``), so that a limit holds
across restarts and across processes either way."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more hit for ``key``; False once the window's limit is used up."""
    if settings.REDIS_URL:
        return _allow_in_cache(key, limit=limit, window_seconds=window_seconds)
    return _allow_in_database(key, limit=limit, window_seconds=window_seconds)


def _allow_in_cache(key: str, *, limit: int, window_seconds: int) -> bool:
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit


def _allow_in_database(key: str, *, limit: int, window_seconds: int) -> bool:
    from yingji.accounts.models import RateCounter

    key = key[:200]
    now = int(time.time())
    window = now // window_seconds
    with transaction.atomic():
        updated = RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        key=key,
                        window=window,
                        count=1,
                        expires_at=datetime.fromtimestamp((window + 1) * window_seconds, tz=UTC),
                    )
            except IntegrityError:  # another process made it first
                RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
            # A new window: the counters whose windows have passed go.
            RateCounter.objects.filter(expires_at__lt=datetime.fromtimestamp(now, tz=UTC)).delete()
        count = (
            RateCounter.objects.filter(key=key, window=window)
            .values_list("count", flat=True)
            .first()
        )
    return (count or 0) <= limit
