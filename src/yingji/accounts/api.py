from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from yingji.accounts.models import User
from yingji.api_errors import READ_ERRORS

router = Router(tags=["accounts"])


class RoleOut(Schema):
    code: str
    label: str


class UnitRef(Schema):
    id: int
    name: str
    code: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    unit: UnitRef | None
    roles: list[RoleOut]
    two_factor_required: bool


@router.get("/me", response={200: MeOut, **READ_ERRORS}, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    from yingji.accounts.roles import Role

    user: User = request.auth  # type: ignore[attr-defined]
    unit = user.unit
    return MeOut(
        id=user.pk,
        username=user.username,
        name=user.display_name,
        email=user.email,
        unit=UnitRef(id=unit.pk, name=unit.name, code=unit.code, kind=unit.kind) if unit else None,
        roles=[
            RoleOut(code=code, label=str(label))
            for code, label in Role.choices
            if code in user.role_codes
        ],
        two_factor_required=user.needs_two_factor,
    )
