"""Who a single sign-on identity is in yingji (see oidc.py for the protocol).

The identity signs in as the existing active user the configured claim names; roles
always come from yingji. An account is made only in a unit whose administrator allowed it
(SingleSignOnUnit), without roles or a usable password.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingji.accounts import services
from yingji.accounts.models import SingleSignOnUnit, User
from yingji.accounts.oidc import BAD_REQUEST, NO_ACCOUNT, Refused, config
from yingji.audit.services import Actor
from yingji.org.models import Unit


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def user_for_claims(claims: dict[str, Any], *, request: HttpRequest) -> User:
    """The active user the configured claim names, or one made for an allowed unit."""
    claim = config().claim
    value = _claim(claims, claim)
    if not value:
        raise Refused("identity_claim_missing", NO_ACCOUNT, 403)
    if claim == "email":
        if claims.get("email_verified") is False:
            raise Refused("email_not_verified", NO_ACCOUNT, 403)
        matches = User.objects.filter(email__iexact=value)
    else:
        matches = User.objects.filter(username=value)
    found = list(matches[:2])
    if len(found) > 1:
        raise Refused("identity_matches_several_users", NO_ACCOUNT, 403)
    if found:
        if not found[0].is_active:
            raise Refused("user_inactive", NO_ACCOUNT, 403)
        return found[0]
    unit = _unit_allowing_accounts(claims)
    if unit is None:
        raise Refused("unknown_identity", NO_ACCOUNT, 403)
    try:
        return create_sso_user(value, claims, unit=unit, actor=sso_actor(request))
    except IntegrityError:
        # The same person's sign-in in another tab made the account a moment before.
        raise Refused("account_created_concurrently", BAD_REQUEST) from None


def _unit_allowing_accounts(claims: dict[str, Any]) -> Unit | None:
    name = config().unit_claim
    code = _claim(claims, name) if name else ""
    if not code:
        return None
    allowed = SingleSignOnUnit.objects.filter(
        create_accounts=True, unit__is_active=True, unit__code=code
    ).select_related("unit")
    units = [row.unit for row in allowed[:2]]
    return units[0] if len(units) == 1 else None


def sso_actor(request: HttpRequest) -> Actor:
    base = Actor.from_request(request)
    return Actor(user=None, address=base.address, label=str(_("single sign-on")))


def _names(claims: dict[str, Any]) -> tuple[str, str]:
    """First and last name from the standard claims, at most 150 characters each. A
    Chinese ``name`` is kept whole as the last name, which User.get_full_name shows as
    written, rather than guessing where a (perhaps two-character) surname ends."""
    given, family = _claim(claims, "given_name"), _claim(claims, "family_name")
    name = _claim(claims, "name")
    if not (given or family) and name:
        if any("\u3400" <= ch <= "\u9fff" for ch in name):
            family = name
        else:
            given, _sep, family = name.rpartition(" ") if " " in name else (name, "", "")
    return given[:150], family[:150]


@transaction.atomic
def create_sso_user(value: str, claims: dict[str, Any], *, unit: Unit, actor: Actor) -> User:
    """An active account without roles or a usable password, in a unit that allows it."""
    first_name, last_name = _names(claims)
    # Only what the account needs: the e-mail address only when it is the identity.
    email = value if config().claim == "email" else ""
    try:
        # Through the one service that makes users: validated, audited, no roles.
        return services.create_user(
            actor=actor,
            password=None,
            note="single sign-on",
            username=value,
            first_name=first_name,
            last_name=last_name,
            email=email[:254],
            unit=unit,
            is_active=True,
        )
    except ValidationError:
        raise Refused("identity_not_a_valid_username", NO_ACCOUNT, 403) from None


def record_sso_login(user: User, *, actor: Actor) -> None:
    """The same entry as a password sign-in, noted as SSO."""
    services.record_login(user, actor=actor, note="single sign-on")
