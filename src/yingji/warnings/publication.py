"""Which warnings are in force (生效中的预警), for the public page and feed, the workbench,
the board and the workflow's checks.

A warning is a chain of messages (Alert, then Updates, maybe a Cancel). The chain's state
is its newest ISSUED message: the warning is in force while that message is not a lift
(Cancel) and has not expired. Drafts, submitted and withdrawn messages never count.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from yingji.warnings.models import WarningMessage

State = WarningMessage.State
MsgType = WarningMessage.MsgType


def _later_issued(now: datetime) -> Exists:
    """An issued message of the same chain issued after the outer one (or at the same
    moment with a larger pk) and by ``now``: the outer message is then not the chain's
    newest at ``now``."""
    # A chain's first message has chain = itself (or none before it is saved again):
    # every later one points at the first, so the chain's key is chain_id or pk.
    outer_chain = Coalesce(OuterRef("chain_id"), OuterRef("pk"))
    later = WarningMessage.objects.filter(
        Q(issued_at__gt=OuterRef("issued_at"))
        | Q(issued_at=OuterRef("issued_at"), pk__gt=OuterRef("pk")),
        chain_id=outer_chain,
        state=State.ISSUED,
        issued_at__lte=now,
    )
    return Exists(later)


def newest_issued(now: datetime | None = None, *, drills: bool = False) -> QuerySet[WarningMessage]:
    """Each chain's newest message issued by ``now``, whatever it says (a lift or
    expired too); real ones only unless ``drills``."""
    now = now or timezone.now()
    messages = WarningMessage.objects.filter(state=State.ISSUED, issued_at__lte=now)
    if not drills:
        messages = messages.filter(is_drill=False)
    return messages.filter(~_later_issued(now))


def current(now: datetime | None = None, *, drills: bool = False) -> QuerySet[WarningMessage]:
    """The warnings in force at ``now``: for each chain its newest issued message, if it
    is not a lift (Cancel) and expires after ``now``. Real ones only unless ``drills``
    (then real and drill ones). One query; gravest first, then the newest."""
    now = now or timezone.now()
    return (
        newest_issued(now, drills=drills)
        .exclude(msg_type=MsgType.CANCEL)
        .filter(expires_at__gt=now)
        .select_related("unit", "event_type")
        .order_by("level", "-issued_at", "-pk")
    )


def in_force(message: WarningMessage, now: datetime | None = None) -> bool:
    """``message`` is the newest issued message of its chain and that warning is in
    force (not a lift, not expired)."""
    if message.pk is None or message.state != State.ISSUED:
        return False
    return current(now, drills=True).filter(pk=message.pk).exists()
