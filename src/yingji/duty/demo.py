"""The demo's duty rosters, for ``yingji demo``: the city's, 清溪区's and 白石县's 24-hour
duty from two months ago to the end of next week, each shift handed over with its log and
the matters still open, and swaps asked for and approved. The rotations are laid so that
the demo's leader on duty (钱立军) and duty officer (孙晓) are on the shifts covering
now, whatever the hour the demo is loaded."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.utils import timezone

from yingji.audit.services import Actor
from yingji.duty import services
from yingji.duty.models import ChangeRequest, Handover, Shift, ShiftMember
from yingji.incidents.models import Incident
from yingji.org.models import Unit

if TYPE_CHECKING:
    from yingji.demo import Process, Story

SHIFT_STARTS = time(8, 30)
HANDOVERS_DAYS = 21  # shifts of the last three weeks are handed over in the log

# Roster key → (unit key, leaders, officers, backups); the first leader and officer named
# are on the shift covering now.
ROSTERS = {
    "city": ("city", ["钱立军", "陈国栋"], ["何静", "吕志远", "宋佳"], ["王磊"]),
    "qingxi": ("qingxi", ["邵峰", "严冬"], ["孙晓", "姜涛", "谢雨"], []),
    "baishi": ("baishi", ["韩卫国", "段志刚"], ["唐明", "曹琳", "袁野"], []),
}

ROUTINE = [
    "全天值守正常，按时参加市应急管理局视频点名。",
    "接市气象台天气预报，已转发各乡镇（街道）做好防范。",
    "检查值班电话、传真和视频会商系统，运行正常。",
    "接群众来电咨询2起，已按规定答复。",
    "按要求报送安全生产和自然灾害日报。",
    "夜间巡查值班室及通讯设备，无异常情况。",
]


def _rotated(names: list[str], index: int) -> list[str]:
    """``names`` turned so that the first of them takes the shift number ``index``."""
    shift = index % len(names)
    return names[-shift:] + names[:-shift] if shift else list(names)


def story(s: Story) -> None:
    first = timezone.localdate(s.start)
    last = s.today + timedelta(days=13 - s.today.weekday())  # the end of next week
    # The shift covering now began today at 08:30, or yesterday before that.
    current = timezone.localdate(s.now - timedelta(hours=8, minutes=30))
    index = (current - first).days
    for key, (unit, leaders, officers, backups) in ROSTERS.items():
        rotation = services.Rotation(
            starts=SHIFT_STARTS,
            leaders=[s.people[name] for name in _rotated(leaders, index)],
            officers=[s.people[name] for name in _rotated(officers, index)],
            backups=[s.people[name] for name in backups],
        )
        s.begin(_roster(s, key, s.units[unit], first, last, rotation))
    s.begin(_swaps(s))


def _roster(
    s: Story, key: str, unit: Unit, first: date, last: date, rotation: services.Rotation
) -> Process:
    """The roster, made when the history starts; then each shift handed over as it ends."""
    shifts = yield (
        s.start + timedelta(hours=1),
        lambda: services.generate(unit, first, last, rotation, actor=s.system),
    )
    from_day = s.now - timedelta(days=HANDOVERS_DAYS)
    for shift in shifts:
        if shift.ends_at < from_day:
            continue
        yield shift.ends_at + timedelta(minutes=5), partial(_hand_over, s, key, shift)


def _writer(s: Story, shift: Shift) -> Actor:
    """The officer who writes the log: their account if they have one."""
    officer = shift.members.filter(role=ShiftMember.Role.OFFICER).order_by("sort", "pk").first()
    user = getattr(officer.person, "user", None) if officer is not None else None
    return Actor(user=user) if user is not None else s.system


def _open_matters(unit: Unit) -> list[str]:
    """The incidents of the roster's area still being handled: matters for the next shift."""
    incidents = Incident.objects.filter(
        unit__in=Unit.objects.subtree(unit),
        stage__in=[Incident.Stage.REPORTED, Incident.Stage.GRADED, Incident.Stage.RESPONDING],
        is_drill=False,
    ).order_by("reported_at", "pk")
    return [f"{incident.title}：处置中，注意续报时限并跟进现场情况。" for incident in incidents]


def _hand_over(s: Story, key: str, shift: Shift) -> Handover:
    noted = [text for at, text in s.notes[key] if shift.starts_at <= at < shift.ends_at]
    day = timezone.localdate(shift.starts_at)
    lines = noted or [ROUTINE[day.toordinal() % len(ROUTINE)]]
    still_open = _open_matters(shift.unit)
    carried = services.carried_over(shift)
    closed = [matter.pk for matter in carried if matter.text not in still_open]
    new = [text for text in still_open if text not in {m.text for m in carried}]
    return services.hand_over(
        shift,
        summary="\n".join(lines),
        open_matters=new,
        closed=closed,
        actor=_writer(s, shift),
    )


def _swap(
    s: Story, replacement: str, after: datetime, before: datetime, reason: str
) -> ChangeRequest:
    """孙晓 asks for ``replacement`` to take her first shift between the two times that
    ``replacement`` is not on already."""
    shift = (
        Shift.objects.filter(
            unit=s.units["qingxi"],
            starts_at__gte=after,
            starts_at__lt=before,
            members__person__name="孙晓",
            members__role=ShiftMember.Role.OFFICER,
        )
        .exclude(members__person__name=replacement)
        .order_by("starts_at")
        .first()
    )
    assert shift is not None, "the demo roster gives 孙晓 a shift every three days"
    return services.request_change(
        shift,
        member=shift.members.get(person__name="孙晓"),
        replacement=s.people[replacement],
        reason=reason,
        actor=s.actor("duty"),
    )


def _swaps(s: Story) -> Process:
    """孙晓 swapped a shift two weeks ago (approved by her leader) and asks for one of her
    coming shifts."""
    leader = s.actor("qingxi_leader")
    asked = s.days_ago(16, time(10, 20))
    change = yield (
        asked,
        lambda: _swap(
            s,
            "谢雨",
            asked + timedelta(days=2),
            asked + timedelta(days=8),
            "参加市应急管理局组织的值班值守业务培训",
        ),
    )
    yield (
        s.days_ago(16, time(15, 5)),
        lambda: services.decide_change(change, approve=True, actor=leader),
    )
    yield (
        s.ago(hours=5),
        lambda: _swap(
            s,
            "姜涛",
            s.now + timedelta(days=1),
            s.now + timedelta(days=14),
            "孩子学校开家长会，申请与姜涛调班",
        ),
    )
