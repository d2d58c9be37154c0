"""Inspection rounds over the API: list, plan and read rounds, start and finish them, the
inspector's findings (JSON at /inspections/{id}/findings, or multipart with photos at
/inspections/{id}/findings/photos), and the checklists. Thin: services/inspections.py
validates; a refusal is a 422 naming each field, or a 403."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StringConstraints

from yingji import paging
from yingji.api_errors import READ_ERRORS, ErrorOut
from yingji.audit.services import Actor
from yingji.fields import Day, Id, Moment, Offset, PathId, Text
from yingji.incidents.services.tasks import PHOTO_MAX
from yingji.warnings.models import Checklist, Finding, Inspection
from yingji.warnings.services import checklists, findings, inspections, risks

router = Router(tags=["inspections"])
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
STATES = "^(planned|in_progress|done)$"
LEVELS = "^(major|large|general|low)?$"


class InspectionIn(Schema):
    unit: Id
    checklist: Id
    title: Text = Field(..., max_length=checklists.TITLE_MAX)
    region_code: Text = Field(..., max_length=12, description="GB/T 2260, 6, 9 or 12 digits")
    address: Text = Field("", max_length=inspections.ADDRESS_MAX)
    inspector: Id = Field(..., description="an active user of the unit's area who may inspect")
    planned_on: Day


class InspectionRow(Schema):
    id: int
    title: str
    state: str
    unit_id: int
    checklist_id: int
    region_code: str
    address: str
    inspector_id: int
    inspector: str
    planned_on: date
    mine: bool


class InspectionPage(Schema):
    items: list[InspectionRow]
    offset: int
    limit: int
    has_more: bool


class InspectionFilter(Schema):
    state: str | None = Field(None, pattern=STATES, max_length=12)
    mine: bool = Field(False, description="only the rounds I inspect")
    offset: Offset = 0
    limit: int = Field(50, ge=1, le=200)


class InspectionFindingOut(Schema):
    id: int
    item_id: int | None
    result: str = Field(..., description="ok, problem or na")
    note: str
    photos: int
    risk_id: int | None
    risk_number: str | None
    opened_risk: bool = Field(..., description="the finding registered the risk")
    written_at: datetime
    recorded_at: datetime


class InspectionCounts(Schema):
    ok: int
    problem: int
    na: int
    opened: int = Field(..., description="hazards registered by findings")
    updated: int = Field(..., description="risks updated by findings")


class InspectionOut(InspectionRow):
    started_at: datetime | None
    finished_at: datetime | None
    summary: str
    counts: InspectionCounts
    findings: list[InspectionFindingOut]


class InspectionFindingIn(Schema):
    item: Id | None = Field(None, description="the checklist item; none: a problem beyond it")
    result: str = Field(..., pattern="^(ok|problem|na)$", max_length=7)
    note: Text = Field("", max_length=findings.NOTE_MAX)
    written_at: Moment | None = Field(None, description="when it was written on the phone")
    client_key: Text = Field(
        "", max_length=findings.KEY_MAX, description="the same key twice is one finding"
    )
    risk_action: str = Field(
        "", pattern="^(new|update)?$", max_length=6, description="for a problem: new or update"
    )
    level: str = Field("", pattern=LEVELS, max_length=7, description="a new risk's level")
    risk_title: Text = Field("", max_length=risks.TITLE_MAX)
    region_code: Text = Field(
        "", max_length=12, description="a new risk's place if not the round's"
    )
    address: Text = Field("", max_length=inspections.ADDRESS_MAX)
    risk: Id | None = Field(None, description="the risk to update")
    measures: Text = Field("", max_length=risks.MEASURES_MAX, description="measures to add")
    risk_state: str = Field("", pattern="^(open|remedying)?$", max_length=9)


class InspectionFinishIn(Schema):
    summary: Text = Field("", max_length=inspections.SUMMARY_MAX)


ChecklistItemText = Annotated[Text, StringConstraints(max_length=checklists.ITEM_MAX)]


class InspectionChecklistIn(Schema):
    unit: Id
    title: Text = Field(..., max_length=checklists.TITLE_MAX)
    event_type: Text = Field(..., max_length=60, description="the category: its id or code")
    items: list[ChecklistItemText] = Field(..., max_length=checklists.ITEMS_MAX)
    is_active: bool = True


class InspectionChecklistItemOut(Schema):
    id: int
    text: str


class InspectionChecklistOut(Schema):
    id: int
    unit_id: int
    title: str
    event_type: str
    is_active: bool
    items: list[InspectionChecklistItemOut]


def _row(inspection: Inspection, user_pk: int) -> InspectionRow:
    return InspectionRow(
        id=inspection.pk,
        title=inspection.title,
        state=inspection.state,
        unit_id=inspection.unit_id,
        checklist_id=inspection.checklist_id,
        region_code=inspection.region_code,
        address=inspection.address,
        inspector_id=inspection.inspector_id,
        inspector=inspection.inspector.display_name,
        planned_on=inspection.planned_on,
        mine=inspection.inspector_id == user_pk,
    )


def _finding(finding: Finding) -> InspectionFindingOut:
    return InspectionFindingOut(
        id=finding.pk,
        item_id=finding.item_id,
        result=finding.result,
        note=finding.note,
        photos=len(finding.photos.all()),
        risk_id=finding.risk_id,
        risk_number=finding.risk.number if finding.risk else None,
        opened_risk=finding.opened_risk,
        written_at=finding.written_at,
        recorded_at=finding.recorded_at,
    )


def _out(inspection: Inspection, user_pk: int) -> InspectionOut:
    tally = inspections.counts(inspection)
    return InspectionOut(
        **_row(inspection, user_pk).dict(),
        started_at=inspection.started_at,
        finished_at=inspection.finished_at,
        summary=inspection.summary,
        counts=InspectionCounts(
            ok=tally.ok,
            problem=tally.problem,
            na=tally.na,
            opened=tally.opened,
            updated=tally.updated,
        ),
        findings=[_finding(f) for f in findings.findings_of(inspection)],
    )


def _checklist(checklist: Checklist) -> InspectionChecklistOut:
    return InspectionChecklistOut(
        id=checklist.pk,
        unit_id=checklist.unit_id,
        title=checklist.title,
        event_type=checklist.event_type.code,
        is_active=checklist.is_active,
        items=[InspectionChecklistItemOut(id=i.pk, text=i.text) for i in checklist.items.all()],
    )


def _may_see(request: HttpRequest) -> None:
    user = request.auth  # type: ignore[attr-defined]
    if not (user.has_perm("warnings.plan_inspection") or user.has_perm("warnings.inspect")):
        raise PermissionDenied


@router.get(
    "/inspections",
    response={200: InspectionPage, **WRITE_ERRORS},
    summary="Inspection rounds, mine first",
)
def list_inspections(request: HttpRequest, filters: Query[InspectionFilter]) -> InspectionPage:
    _may_see(request)
    user = request.auth  # type: ignore[attr-defined]
    found = inspections.visible_inspections(user).select_related("inspector__person")
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.mine:
        found = found.filter(inspector=user)
    ordered = found.annotate(
        first=Case(
            When(inspector=user, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("first", "state", "-planned_on", "-pk")
    rows, has_more = paging.from_queryset(ordered, filters.offset, filters.limit)
    return InspectionPage(
        items=[_row(r, user.pk) for r in rows],
        offset=filters.offset,
        limit=filters.limit,
        has_more=has_more,
    )


@router.post(
    "/inspections",
    response={201: InspectionOut, **WRITE_ERRORS},
    summary="Plan an inspection round",
)
def create_inspection(request: HttpRequest, payload: InspectionIn) -> Status[InspectionOut]:
    data = payload.dict()
    data["planned_on"] = payload.planned_on.isoformat()
    planned = inspections.plan(data, actor=Actor.from_request(request))
    return Status(201, _out(planned, request.auth.pk))  # type: ignore[attr-defined]


@router.get(
    "/inspections/{inspection_id}",
    response={200: InspectionOut, **READ_ERRORS},
    summary="A round with its findings",
)
def get_inspection(request: HttpRequest, inspection_id: PathId) -> InspectionOut:
    user = request.auth  # type: ignore[attr-defined]
    return _out(inspections.inspection_for(user, inspection_id), user.pk)


@router.post(
    "/inspections/{inspection_id}/start",
    response={200: InspectionOut, **WRITE_ERRORS},
    summary="The inspector starts the round",
)
def start_inspection(request: HttpRequest, inspection_id: PathId) -> InspectionOut:
    user = request.auth  # type: ignore[attr-defined]
    found = inspections.inspection_for(user, inspection_id)
    return _out(inspections.start(found, actor=Actor.from_request(request)), user.pk)


def _record(
    request: HttpRequest,
    inspection_id: int,
    payload: InspectionFindingIn,
    photos: list[tuple[str, bytes]],
) -> Status[InspectionFindingOut]:
    user = request.auth  # type: ignore[attr-defined]
    found = inspections.inspection_for(user, inspection_id)
    data = payload.dict()
    if payload.written_at is not None:
        data["written_at"] = payload.written_at.isoformat()
    key = payload.client_key.strip()
    before = found.findings.filter(client_key=key).exists() if key else False
    finding = findings.record_finding(found, data, actor=Actor.from_request(request), photos=photos)
    return Status(200 if before else 201, _finding(finding))


@router.post(
    "/inspections/{inspection_id}/findings",
    response={200: InspectionFindingOut, 201: InspectionFindingOut, **WRITE_ERRORS},
    summary="The inspector records a finding (200: the same client key was already recorded)",
)
def add_finding(
    request: HttpRequest, inspection_id: PathId, payload: InspectionFindingIn
) -> Status[InspectionFindingOut]:
    return _record(request, inspection_id, payload, [])


@router.post(
    "/inspections/{inspection_id}/findings/photos",
    response={200: InspectionFindingOut, 201: InspectionFindingOut, **WRITE_ERRORS},
    summary="A finding with photos, as multipart/form-data: the finding's fields and up to 5 "
    "JPEG or PNG files named photos (10 MB each)",
)
def add_finding_with_photos(
    request: HttpRequest,
    inspection_id: PathId,
    payload: Form[InspectionFindingIn],
    photos: File[list[UploadedFile]],
) -> Status[InspectionFindingOut]:
    # One byte more than allowed is enough to refuse a file that is too large.
    read = [(f.name or "", f.read(PHOTO_MAX + 1)) for f in photos[: findings.PHOTOS_MAX + 1]]
    return _record(request, inspection_id, payload, read)


@router.post(
    "/inspections/{inspection_id}/finish",
    response={200: InspectionOut, **WRITE_ERRORS},
    summary="The inspector finishes the round with a summary; it takes no more findings",
)
def finish_inspection(
    request: HttpRequest, inspection_id: PathId, payload: InspectionFinishIn
) -> InspectionOut:
    user = request.auth  # type: ignore[attr-defined]
    found = inspections.inspection_for(user, inspection_id)
    done = inspections.finish(found, actor=Actor.from_request(request), summary=payload.summary)
    return _out(done, user.pk)


@router.get(
    "/inspection-checklists",
    response={200: list[InspectionChecklistOut], **WRITE_ERRORS},
    summary="The checklists I may see",
)
def list_checklists(request: HttpRequest) -> list[InspectionChecklistOut]:
    _may_see(request)
    found = (
        checklists.visible_checklists(request.auth)  # type: ignore[attr-defined]
        .select_related("event_type")
        .prefetch_related("items")
        .order_by("event_type__code", "title", "pk")[:500]
    )
    return [_checklist(c) for c in found]


@router.post(
    "/inspection-checklists",
    response={201: InspectionChecklistOut, **WRITE_ERRORS},
    summary="Write a checklist for a category",
)
def create_checklist(
    request: HttpRequest, payload: InspectionChecklistIn
) -> Status[InspectionChecklistOut]:
    saved = checklists.save_checklist(payload.dict(), actor=Actor.from_request(request))
    return Status(201, _checklist(saved))
