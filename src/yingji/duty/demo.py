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
from yingji.duty import log, services
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


# The duty log (值班记录) of the two county bureaus: unit key → (the officer's login,
# [(hours ago, channel, caller, phone, matter, action taken, handed to)]).
LogLine = tuple[float, str, str, str, str, str, str]
LOG: dict[str, tuple[str, list[LogLine]]] = {
    "bs_yingji": (
        "baishi_duty",
        [
            (
                30,
                "phone",
                "白石镇值班室 李某",
                "0999-33101",
                "白石镇报告：镇区主干道一处行道树被大风吹倒，部分阻断交通，无人员伤亡。",
                "已通知县交通运输局和白石镇组织清理，要求30分钟内反馈处置情况；"
                "11时20分白石镇反馈已清理完毕，交通恢复。",
                "县交通运输局值班室",
            ),
            (
                26,
                "fax",
                "安澜市应急管理局值班室",
                "0999-12350",
                "市应急管理局转发市气象台暴雨蓝色预警信号，要求各地加强值班值守和巡查。",
                "已转发各乡镇和县直有关部门，并报带班领导韩卫国。",
                "各乡镇、县直有关部门",
            ),
            (
                5,
                "phone",
                "群众 王某",
                "",
                "群众来电反映所住小区停水已一天，询问何时恢复供水。",
                "不属应急事项，已告知可拨打12345政务服务便民热线，并将来电情况转12345热线。",
                "12345政务服务便民热线",
            ),
            (
                2,
                "phone",
                "柳林乡值班室 赵某",
                "0999-33102",
                "柳林乡报告：今日防汛巡查未发现险情，山塘水库水位正常。",
                "已记录，提醒继续做好夜间巡查和值班值守。",
                "",
            ),
        ],
    ),
    "qx_yingji": (
        "duty",
        [
            (
                28,
                "message",
                "安澜市应急管理局",
                "",
                "市应急管理局通知：明日9时召开全市安全生产视频调度会，各区县应急管理局主要负责人参加。",
                "已报带班领导邵峰，并通知局办公室做好视频会议准备。",
                "局办公室",
            ),
            (
                6,
                "phone",
                "河西街道值班室 周某",
                "0999-22101",
                "河西街道报告：辖区一在建工地脚手架局部垮塌，初步核实无人员被困。",
                "已要求街道和区住建局赶赴现场核实，1小时内续报。",
                "区住建局值班室",
            ),
            (
                3,
                "phone",
                "群众 陈某",
                "",
                "群众来电反映夜间道路施工噪声扰民。",
                "已告知可拨打12345政务服务便民热线反映，并将来电情况转12345热线。",
                "12345政务服务便民热线",
            ),
        ],
    ),
}


def _log(s: Story, unit_key: str, username: str, entries: list[LogLine]) -> Process:
    """The calls and messages the bureau's duty officer wrote in the log."""
    for hours, channel, caller, phone, matter, action, handed_to in entries:
        at = s.ago(hours=hours)
        yield (
            at,
            partial(
                log.record_entry,
                s.units[unit_key],
                {
                    "received_at": at,
                    "channel": channel,
                    "caller": caller,
                    "caller_phone": phone,
                    "matter": matter,
                    "action_taken": action,
                    "handed_to": handed_to,
                },
                actor=s.actor(username),
            ),
        )


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
    for unit_key, (username, entries) in LOG.items():
        s.begin(_log(s, unit_key, username, entries))


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
