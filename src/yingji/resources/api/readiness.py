"""Readiness against a plan over the API."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema

from yingji.fields import Day, Id
from yingji.plans.models import PlanVersion
from yingji.resources import readiness as plan_readiness
from yingji.resources.api.common import LIST_ERRORS, reader, router, two_places, units_of
from yingji.resources.models import office_today


class ReadinessFilter(Schema):
    plan_version_id: Id
    on: Day | None = Field(None, description="count stock that has not expired by then")


class NeedOut(Schema):
    kind: str = Field(..., description="supply, team or expert")
    name: str
    measure: str
    required: str
    have: str
    gap: str = Field(..., description='how much is missing; "0.00" when covered')
    in_catalogue: bool = Field(
        True,
        description="false for a supply whose name matches no active catalogue item and no "
        "equipment: no stock can count toward it",
    )
    suggestions: list[str] = Field(
        default_factory=list, description="for a supply not in the catalogue: names it may mean"
    )


class ReadinessOut(Schema):
    plan_version_id: int
    plan: str
    owner_id: int
    on: date
    needs: list[NeedOut]


# --- readiness ---------------------------------------------------------------------------------


@router.get(
    "/resources/readiness",
    response={200: ReadinessOut, **LIST_ERRORS},
    summary="A plan version's requirements against its owner's area: required, have, gap",
)
def readiness(request: HttpRequest, filters: Query[ReadinessFilter]) -> ReadinessOut:
    user = reader(request)
    version = get_object_or_404(
        PlanVersion.objects.filter(plan__owner__in=units_of(user)).select_related("plan__owner"),
        pk=filters.plan_version_id,
    )
    on = filters.on or office_today()
    return ReadinessOut(
        plan_version_id=version.pk,
        plan=version.plan.title,
        owner_id=version.plan.owner_id,
        on=on,
        needs=[
            NeedOut(
                kind=need.kind,
                name=need.name,
                measure=need.measure,
                required=two_places(need.required),
                have=two_places(need.have),
                gap=two_places(need.gap),
                in_catalogue=need.in_catalogue,
                suggestions=need.suggestions,
            )
            for need in plan_readiness.readiness(version, on)
        ],
    )
