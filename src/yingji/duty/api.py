"""The roster over the API: shifts, who is on duty, making a rotation, feed links."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.duty import log, services
from yingji.duty.models import ChangeRequest, LogEntry, Shift
from yingji.duty.views import feed_url
from yingji.fields import Day, Id, Moment, Offset, PathId, Text
from yingji.org import lines
from yingji.org.models import Person, Unit

router = Router(tags=["duty"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}


class MemberOut(Schema):
    person_id: int
    name: str
    role: str
    phone: str


class ShiftOut(Schema):
    id: int
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str
    note: str
    members: list[MemberOut]


class ShiftFilter(Schema):
    unit: Id
    since: Day
    until: Day


class OnDutyOut(Schema):
    unit_id: int = Field(
        ..., description="the unit whose shift answers: the one asked or one above"
    )
    shift: ShiftOut


class RotationIn(Schema):
    unit_id: Id
    first: Day
    last: Day
    starts: time = time(8, 30)
    period: str = Field("daily", pattern="^(daily|weekly)$", max_length=100)
    leader_ids: list[Id] = Field(default_factory=list)
    officer_ids: list[Id] = Field(default_factory=list)
    officers_per_shift: int = Field(1, ge=1, le=10)
    backup_ids: list[Id] = Field(default_factory=list)


class ChangeIn(Schema):
    person_id: Id = Field(..., description="the member whose place is to be taken")
    replacement_id: Id
    reason: Text = Field(..., max_length=200)


class DutyChangeOut(Schema):
    id: int
    shift_id: int
    person_id: int
    replacement_id: int
    reason: str
    state: str


class DutyDecisionIn(Schema):
    approve: bool


class FeedIn(Schema):
    unit_id: Id | None = Field(None, description="a unit's feed; without it, my own")


class FeedOut(Schema):
    url: str = Field(..., description="shown once; a new one retires the old")


def _shift(shift: Shift) -> ShiftOut:
    return ShiftOut(
        id=shift.pk,
        unit_id=shift.unit_id,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        kind=shift.kind,
        note=shift.note,
        members=[
            MemberOut(person_id=m.person_id, name=m.person.name, role=m.role, phone=m.person.phone)
            for m in shift.members.all()
        ],
    )


def _unit(request: HttpRequest, pk: int, *, keep: bool = False) -> Unit:
    """A unit of the caller's jurisdiction (404 otherwise); with ``keep``, one whose
    roster the caller keeps (403 for a level above, which reads it)."""
    user = request.auth  # type: ignore[attr-defined]
    unit = get_object_or_404(Unit.objects.visible_to(user, lines.EMERGENCY), pk=pk)
    if keep and not Unit.objects.acting_for(user, lines.EMERGENCY).filter(pk=pk).exists():
        message = _("%(unit)s keeps this roster; a level above reads it.")
        raise PermissionDenied(message % {"unit": unit.name})
    return unit


@router.get("/duty/shifts", response={200: list[ShiftOut], **READ_ERRORS}, summary="A roster")
def list_shifts(request: HttpRequest, filters: Query[ShiftFilter]) -> list[ShiftOut]:
    unit = _unit(request, filters.unit)
    if (filters.until - filters.since).days > 366 or filters.until < filters.since:
        raise ValidationError({"until": [_("Ask for at most a year, ending after it starts.")]})
    shifts = (
        Shift.objects.filter(
            unit=unit, starts_at__date__gte=filters.since, starts_at__date__lte=filters.until
        )
        .prefetch_related("members__person")
        .order_by("starts_at")
    )
    return [_shift(s) for s in shifts]


@router.get(
    "/duty/now/{unit_id}", response={200: OnDutyOut, **READ_ERRORS}, summary="Who is on duty now"
)
def on_duty(request: HttpRequest, unit_id: PathId) -> OnDutyOut:
    found = services.on_duty(_unit(request, unit_id))
    if found is None:
        raise Http404
    return OnDutyOut(unit_id=found.unit.pk, shift=_shift(found.shift))


@router.post(
    "/duty/rotations",
    response={201: list[ShiftOut], **WRITE_ERRORS},
    summary="Make shifts from a rotation (leaders on duty)",
)
def make_rotation(request: HttpRequest, payload: RotationIn) -> Status[list[ShiftOut]]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("duty.approve_change"):
        raise PermissionDenied
    unit = _unit(request, payload.unit_id, keep=True)
    ids = {*payload.leader_ids, *payload.officer_ids, *payload.backup_ids}
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    missing = sorted(ids - set(people))
    if missing:
        raise ValidationError({"people": [_("Unknown people: %(ids)s") % {"ids": missing}]})
    rotation = services.Rotation(
        starts=payload.starts,
        hours=24 if payload.period == "daily" else 24 * 7,
        period=payload.period,
        leaders=[people[i] for i in payload.leader_ids],
        officers=[people[i] for i in payload.officer_ids],
        officers_per_shift=payload.officers_per_shift,
        backups=[people[i] for i in payload.backup_ids],
    )
    made = services.generate(
        unit, payload.first, payload.last, rotation, actor=Actor.from_request(request)
    )
    return Status(201, [_shift(s) for s in made])


@router.post(
    "/duty/feeds",
    response={201: FeedOut, **WRITE_ERRORS},
    summary="A calendar feed link (iCalendar) for me or for a unit",
)
def make_feed(request: HttpRequest, payload: FeedIn) -> Status[FeedOut]:
    user = request.auth  # type: ignore[attr-defined]
    actor = Actor.from_request(request)
    if payload.unit_id is not None:
        token = services.new_feed_token(actor=actor, unit=_unit(request, payload.unit_id))
    elif user.person is not None:
        token = services.new_feed_token(actor=actor, person=user.person)
    else:
        raise ValidationError({"unit_id": [_("You have no directory entry; ask for a unit.")]})
    return Status(201, FeedOut(url=feed_url(request, token)))


def _change(change: ChangeRequest) -> DutyChangeOut:
    return DutyChangeOut(
        id=change.pk,
        shift_id=change.shift_id,
        person_id=change.member.person_id,
        replacement_id=change.replacement_id,
        reason=change.reason,
        state=change.state,
    )


@router.post(
    "/duty/shifts/{shift_id}/changes",
    response={201: DutyChangeOut, **WRITE_ERRORS},
    summary="Ask for a swap or override on a shift (a leader approves it)",
)
def request_change(
    request: HttpRequest, shift_id: PathId, payload: ChangeIn
) -> Status[DutyChangeOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("duty.change_shift"):
        raise PermissionDenied
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    shift = get_object_or_404(Shift.objects.filter(unit__in=units), pk=shift_id)
    _unit(request, shift.unit_id, keep=True)
    member = shift.members.filter(person_id=payload.person_id).first()
    replacement = Person.objects.filter(pk=payload.replacement_id).first()
    if member is None:
        raise ValidationError({"person_id": [_("Choose a member of this shift.")]})
    if replacement is None:
        raise ValidationError({"replacement_id": [_("Choose someone who works in this unit.")]})
    change = services.request_change(
        shift,
        member=member,
        replacement=replacement,
        reason=payload.reason,
        actor=Actor.from_request(request),
    )
    return Status(201, _change(change))


@router.post(
    "/duty/changes/{change_id}/decision",
    response={200: DutyChangeOut, **WRITE_ERRORS},
    summary="Approve or refuse a change of duty (leaders, not the requester)",
)
def decide_change(
    request: HttpRequest, change_id: PathId, payload: DutyDecisionIn
) -> DutyChangeOut:
    user = request.auth  # type: ignore[attr-defined]
    units = Unit.objects.visible_to(user, lines.EMERGENCY)
    change = get_object_or_404(
        ChangeRequest.objects.filter(shift__unit__in=units).select_related("member"), pk=change_id
    )
    _unit(request, change.shift.unit_id, keep=True)
    decided = services.decide_change(
        change, approve=payload.approve, actor=Actor.from_request(request)
    )
    return _change(decided)


# --- the duty log (值班记录) ----------------------------------------------------------


class LogEntryIn(Schema):
    unit_id: Id | None = Field(
        None, description="the duty office that took it; without it, the caller's own unit"
    )
    received_at: Moment | None = Field(
        None, description="when it came in; without it, now (at most 5 minutes ahead)"
    )
    channel: str = Field(
        ...,
        description="phone (电话), fax (传真), message (短信/邮件), visit (来人), system (系统)",
        pattern="^(phone|fax|message|visit|system)$",
        max_length=10,
    )
    caller: Text = Field(
        ..., min_length=1, max_length=80, description="who called or wrote: unit and name"
    )
    caller_phone: Text = Field("", max_length=40, description="the caller's phone")
    matter: Text = Field(..., min_length=1, max_length=2000, description="事由: what it was about")
    action_taken: Text = Field("", max_length=2000, description="处理情况: what was done")
    handed_to: Text = Field("", max_length=120, description="交办/转告: whom it was handed to")


class LogEntryOut(Schema):
    id: int
    unit_id: int
    received_at: datetime
    channel: str
    caller: str
    caller_phone: str
    matter: str
    action_taken: str
    handed_to: str
    recorded_by_id: int | None
    shift_id: int | None = Field(None, description="the shift it fell in")
    incident_id: int | None = Field(None, description="the incident it became")
    petition_id: int | None = Field(None, description="the petition it became")


class LogFilter(Schema):
    unit: Id | None = Field(None, description="one unit of my jurisdiction")
    day: Day | None = Field(None, description="one day (office time)")
    limit: int = Field(50, ge=1, le=200)
    offset: Offset = 0


class LogPage(Schema):
    items: list[LogEntryOut]
    offset: int
    limit: int
    has_more: bool


def _entry(entry: LogEntry) -> LogEntryOut:
    return LogEntryOut(
        id=entry.pk,
        unit_id=entry.unit_id,
        received_at=entry.received_at,
        channel=entry.channel,
        caller=entry.caller,
        caller_phone=entry.caller_phone,
        matter=entry.matter,
        action_taken=entry.action_taken,
        handed_to=entry.handed_to,
        recorded_by_id=entry.recorded_by_id,
        shift_id=entry.shift_id,
        incident_id=entry.incident_id,
        petition_id=entry.petition_id,
    )


@router.get(
    "/duty/log", response={200: LogPage, **READ_ERRORS}, summary="The duty log, newest first"
)
def list_log(request: HttpRequest, filters: Query[LogFilter]) -> LogPage:
    user = request.auth  # type: ignore[attr-defined]
    entries = log.entries_for(user)
    if filters.unit is not None:
        entries = entries.filter(unit=_unit(request, filters.unit))
    if filters.day is not None:
        zone = clock.office_zone()
        start = datetime.combine(filters.day, time.min, tzinfo=zone)
        entries = entries.filter(received_at__gte=start, received_at__lt=start + timedelta(days=1))
    entries = entries.order_by("-received_at", "-pk")
    rows = list(entries[filters.offset : filters.offset + filters.limit + 1])
    return LogPage(
        items=[_entry(e) for e in rows[: filters.limit]],
        offset=filters.offset,
        limit=filters.limit,
        has_more=len(rows) > filters.limit,
    )


@router.post(
    "/duty/log",
    response={201: LogEntryOut, **WRITE_ERRORS},
    summary="Record a call or message in the duty log (duty officers and leaders)",
)
def record_entry(request: HttpRequest, payload: LogEntryIn) -> Status[LogEntryOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("duty.keep_log"):
        raise PermissionDenied
    if payload.unit_id is not None:
        unit = _unit(request, payload.unit_id)
    elif user.unit is not None:
        unit = user.unit
    else:
        raise ValidationError({"unit_id": [_("Choose the duty office.")]})
    if not log.may_keep(user, unit):
        raise PermissionDenied(_("Only the duty officers and leaders of this unit keep its log."))
    data = payload.model_dump(exclude={"unit_id"})
    entry = log.record_entry(unit, data, actor=Actor.from_request(request))
    return Status(201, _entry(entry))
