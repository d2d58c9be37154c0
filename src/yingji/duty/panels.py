"""The duty panel of the workbench: who is on duty now at the user's duty office, and who
takes over next.

The duty office is the user's own unit and, for a bureau of the emergency line, the
government it acts as (org.jurisdiction): the rosters the user keeps at their own level,
not those of every township below a county. Each such unit shows its shift covering now
and the one after it, whatever the rotation's length.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.duty.models import Shift, ShiftMember
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit

DUTY = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER})


def duty_offices(user: User) -> QuerySet[Unit]:
    """The user's unit and the units above it that it acts as in emergency work."""
    chain = jurisdiction.of(user).chain
    return Unit.objects.acting_for(user, lines.EMERGENCY).filter(path__in=chain)


def now_and_next(user: User, now: datetime) -> QuerySet[Shift]:
    """Per duty office, the shift covering ``now`` and the first one starting after it,
    own office first; the members come in one more query, never one per shift."""
    following = (
        Shift.objects.filter(unit=OuterRef("unit"), starts_at__gt=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    members = ShiftMember.objects.select_related("person").order_by("sort", "pk")
    return (
        Shift.objects.filter(unit__in=duty_offices(user))
        .filter(Q(starts_at__lte=now, ends_at__gt=now) | Q(starts_at=Subquery(following)))
        .select_related("unit")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("-unit__depth", "starts_at", "pk")
    )


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}"


def _entry(shift: Shift, now: datetime) -> workbench.Entry:
    roles = dict(ShiftMember.Role.choices)
    names: dict[str, list[str]] = {}
    for member in shift.members.all():
        names.setdefault(member.role, []).append(member.person.name)
    who = "；".join(f"{roles[role]}：{'、'.join(people)}" for role, people in names.items())
    when = _("On duty now") if shift.starts_at <= now else _("Takes over next")
    return workbench.Entry(
        f"{shift.unit.name} {_when(shift.starts_at)} – {_when(shift.ends_at)}",
        reverse(
            "duty:month",
            args=[
                shift.unit_id,
                timezone.localtime(shift.starts_at).year,
                timezone.localtime(shift.starts_at).month,
            ],
        ),
        f"{when} · {who}" if who else str(when),
    )


def on_duty(user: User) -> workbench.Panel:
    now = timezone.now()
    return workbench.panel_of(
        now_and_next(user, now)[: workbench.CAP + 1],
        lambda shift: _entry(shift, now),
        url=reverse("duty:board"),
        empty=gettext_lazy("Your office has no shift on its roster now or next."),
    )


def register() -> None:
    workbench.register(
        workbench.Source(
            "duty.now",
            gettext_lazy("On duty now and next"),
            roles=DUTY,
            order=100,
            build=on_duty,
        )
    )
