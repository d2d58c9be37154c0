"""The risk and hazard register over the API, at /risks: list with filters and paging,
read, register, change, close (销号), reopen; the ledger as Excel out and in. Thin:
services/risks.py validates; a refusal is a 422 naming each field, or a 403."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from yingji import paging
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Day, Id, Latitude, Longitude, Offset, PathId, Text
from yingji.plans.models import EventType
from yingji.warnings import risk_excel
from yingji.warnings.models import Risk
from yingji.warnings.services import risks

router = Router(tags=["risks"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
LEVELS = "^(major|large|general|low)$"
# A category by its id or its code (social.mass.petition).
EventTypeRef = Id | Annotated[Text, Field(max_length=60)]


class RiskIn(Schema):
    kind: str = Field("hazard", pattern="^(risk|hazard)$", max_length=6)
    title: Text = Field(..., max_length=risks.TITLE_MAX)
    event_type: EventTypeRef = Field(..., description="the category: its id or code")
    level: str = Field(..., pattern=LEVELS, max_length=7)
    region_code: Text = Field(..., max_length=12, description="GB/T 2260, 6, 9 or 12 digits")
    address: Text = Field("", max_length=risks.ADDRESS_MAX)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    description: Text = Field(..., max_length=risks.DESCRIPTION_MAX)
    measures: Text = Field("", max_length=risks.MEASURES_MAX)
    unit: Id = Field(..., description="the responsible unit: one you act for")
    responsible_name: Text = Field("", max_length=risks.NAME_MAX)
    responsible_phone: Text = Field("", max_length=risks.PHONE_MAX)
    responsible: Id | None = Field(None, description="a user of the unit's area, told if overdue")
    found_on: Day
    due_on: Day | None = Field(None, description="default: the office's days for the level")


class RiskPatch(Schema):
    kind: str | None = Field(None, pattern="^(risk|hazard)$", max_length=6)
    title: Text | None = Field(None, max_length=risks.TITLE_MAX)
    event_type: EventTypeRef | None = Field(None, description="the category: its id or code")
    level: str | None = Field(None, pattern=LEVELS, max_length=7)
    region_code: Text | None = Field(None, max_length=12)
    address: Text | None = Field(None, max_length=risks.ADDRESS_MAX)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    description: Text | None = Field(None, max_length=risks.DESCRIPTION_MAX)
    measures: Text | None = Field(None, max_length=risks.MEASURES_MAX)
    unit: Id | None = None
    responsible_name: Text | None = Field(None, max_length=risks.NAME_MAX)
    responsible_phone: Text | None = Field(None, max_length=risks.PHONE_MAX)
    responsible: Id | None = None
    found_on: Day | None = None
    due_on: Day | None = Field(None, description="a new date restarts the deadline")
    state: str | None = Field(None, pattern="^(open|remedying)$", max_length=9)


class RiskCloseIn(Schema):
    note: Text = Field(..., max_length=risks.NOTE_MAX, description="how it was remedied")


class RiskReopenIn(Schema):
    reason: Text = Field(..., max_length=risks.REASON_MAX)
    due_on: Day | None = Field(None, description="default: its old date if ahead, else the level's")


class RiskOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    event_type: int
    event_type_code: str
    level: str
    state: str
    source: str
    region_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    description: str
    measures: str
    unit: int
    responsible_name: str
    responsible_phone: str
    responsible: int | None
    found_on: date
    due_on: date | None
    due_at: datetime | None
    overdue: bool
    closed_at: datetime | None
    close_note: str


class RiskPage(Schema):
    items: list[RiskOut]
    offset: int
    limit: int
    has_more: bool


class RiskFilter(Schema):
    level: str = Field("", pattern="^(|major|large|general|low)$", max_length=7)
    state: str = Field("", pattern="^(|open|remedying|closed|active)$", max_length=9)
    unit: Id | None = Field(None, description="the responsible unit")
    category: Id | None = Field(None, description="an event type: it and the types below it")
    overdue: bool = False
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


class RiskImportOut(Schema):
    imported: int
    numbers: list[str]


def _out(r: Risk) -> RiskOut:
    return RiskOut(
        id=r.pk,
        number=r.number,
        kind=r.kind,
        title=r.title,
        event_type=r.event_type_id,
        event_type_code=r.event_type.code,
        level=r.level,
        state=r.state,
        source=r.source,
        region_code=r.region_code,
        address=r.address,
        latitude=r.latitude,
        longitude=r.longitude,
        description=r.description,
        measures=r.measures,
        unit=r.unit_id,
        responsible_name=r.responsible_name,
        responsible_phone=r.responsible_phone,
        responsible=r.responsible_id,
        found_on=r.found_on,
        due_on=r.due_on,
        due_at=r.due_at,
        overdue=risks.is_overdue(r),
        closed_at=r.closed_at,
        close_note=r.close_note,
    )


def _risk(request: HttpRequest, pk: int) -> Risk:
    return risks.risk_for(request.auth, pk)  # type: ignore[attr-defined]


def _filtered(request: HttpRequest, filters: RiskFilter) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("warnings.view_risk"):
        raise PermissionDenied
    found = risks.visible_risks(user)
    if filters.level:
        found = found.filter(level=filters.level)
    if filters.state == "active":
        found = found.exclude(state=Risk.State.CLOSED)
    elif filters.state:
        found = found.filter(state=filters.state)
    if filters.unit is not None:
        found = found.filter(unit_id=filters.unit)
    if filters.category is not None:
        node = EventType.objects.filter(pk=filters.category).first()
        if node is None:
            return found.none()
        found = found.filter(
            Q(event_type__code=node.code) | Q(event_type__code__startswith=f"{node.code}.")
        )
    if filters.overdue:
        found = risks.overdue(found)
    return found


def _data(payload: Schema) -> dict[str, Any]:
    """The payload as the service's data: numbers and dates as the forms give them."""
    data = payload.dict(exclude_unset=True)
    return {key: ("" if value is None else value) for key, value in data.items()}


@router.get(
    "/risks",
    response={200: RiskPage, **WRITE_ERRORS},
    summary="Risks and hazards on the register of my jurisdiction",
)
def list_risks(request: HttpRequest, filters: Query[RiskFilter]) -> RiskPage:
    found = _filtered(request, filters)
    rows, has_more = paging.from_queryset(
        found.select_related("event_type").order_by("state", "due_at", "-pk"),
        filters.offset,
        filters.limit,
    )
    return RiskPage(
        items=[_out(r) for r in rows], offset=filters.offset, limit=filters.limit, has_more=has_more
    )


@router.get(
    "/risks/export.xlsx",
    response={200: None, **WRITE_ERRORS},
    summary="The register as a 隐患台账 workbook (.xlsx), with the list's filters",
)
def export_risks(request: HttpRequest, filters: Query[RiskFilter]) -> HttpResponse:
    found = _filtered(request, filters)
    content = risk_excel.export(
        found.select_related("unit", "event_type").order_by("unit__path", "number")[:20_000]
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="risks.xlsx"'
    return response


@router.post(
    "/risks",
    response={201: RiskOut, **WRITE_ERRORS},
    summary="Register a risk or hazard, with its remediation deadline",
)
def create_risk(request: HttpRequest, payload: RiskIn) -> Status[RiskOut]:
    data = payload.dict()
    data = {key: ("" if value is None else value) for key, value in data.items()}
    made = risks.register(data, actor=Actor.from_request(request))
    return Status(201, _out(made))


def _upload_body() -> dict[str, Any]:
    """Described by hand: the workbook is bytes, bounded by risk_excel.check_upload."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"contentMediaType": "application/octet-stream"}},
                        "required": ["file"],
                    }
                }
            },
        }
    }


@router.post(
    "/risks/import",
    response={201: RiskImportOut, **WRITE_ERRORS, 413: ErrorOut},
    summary="Import a 隐患台账 (.xlsx, multipart field 'file'): all rows or none",
    openapi_extra=_upload_body(),
)
def import_risks(request: HttpRequest) -> Status[RiskImportOut]:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("warnings.change_risk"):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": [_("This field is required.")]})
    content = upload.read(risk_excel.MAX_BYTES + 1)
    actor = Actor.from_request(request)
    try:
        made = risk_excel.import_file(content, actor=actor, name=upload.name or "")
    except risk_excel.RefusedFile as refused:
        problems: dict[str, list[str]] = {}
        for e in refused.row_errors:
            problems.setdefault(f"rows[{e.row}].{e.field}", []).append(str(e))
        raise ValidationError(problems) from None
    return Status(201, RiskImportOut(imported=len(made), numbers=[r.number for r in made]))


@router.get("/risks/{risk_id}", response={200: RiskOut, **READ_ERRORS}, summary="A risk")
def risk_detail(request: HttpRequest, risk_id: PathId) -> RiskOut:
    return _out(_risk(request, risk_id))


@router.patch(
    "/risks/{risk_id}",
    response={200: RiskOut, **WRITE_ERRORS},
    summary="Change a risk (the fields given); state=remedying once measures are under way",
)
def change_risk(request: HttpRequest, risk_id: PathId, payload: RiskPatch) -> RiskOut:
    risk = _risk(request, risk_id)
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("warnings.change_risk"):
        raise PermissionDenied
    return _out(risks.change(risk, _data(payload), actor=Actor.from_request(request)))


@router.post(
    "/risks/{risk_id}/close",
    response={200: RiskOut, **WRITE_ERRORS},
    summary="Close a remedied risk (销号), saying how it was remedied",
)
def close_risk(request: HttpRequest, risk_id: PathId, payload: RiskCloseIn) -> RiskOut:
    risk = _risk(request, risk_id)
    return _out(risks.close(risk, actor=Actor.from_request(request), note=payload.note))


@router.post(
    "/risks/{risk_id}/reopen",
    response={200: RiskOut, **WRITE_ERRORS},
    summary="Reopen a closed risk, with the reason; its deadline runs again",
)
def reopen_risk(request: HttpRequest, risk_id: PathId, payload: RiskReopenIn) -> RiskOut:
    risk = _risk(request, risk_id)
    return _out(
        risks.reopen(
            risk, actor=Actor.from_request(request), reason=payload.reason, due_on=payload.due_on
        )
    )
