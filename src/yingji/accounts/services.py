"""Use cases for users, roles, API tokens and second factors."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingji.accounts.models import ApiToken, User, UserRole, hash_token
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor

# The fields callers may set, in the order forms show them.
USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "unit",
    "person",
    "is_active",
    "is_staff",
)
TOKEN_PREFIX = "yj_"  # noqa: S105 - a marker, not a secret
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def _user_snapshot(user: User) -> dict[str, Any]:
    values = audit.snapshot(user)
    values["roles"] = sorted(UserRole.objects.filter(user=user).values_list("role", flat=True))
    return values


def _check_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    unknown = [r for r in chosen if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": [_("Unknown role: %(role)s") % {"role": unknown[0]}]})
    return chosen


@transaction.atomic
def create_user(
    *,
    actor: Actor,
    password: str | None,
    roles: Iterable[str] = (),
    note: str = "",
    **values: Any,
) -> User:
    """A new user. ``password=None`` makes an account that signs in only through single
    sign-on (no usable password)."""
    unknown = set(values) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    user = User(**values)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password"] = list(error.messages)
    try:
        chosen = _check_roles(roles)
    except ValidationError as error:
        errors.update(error.message_dict)
        chosen = []
    if user.unit is None and not user.is_superuser:
        errors.setdefault("unit", []).append(_("Every user belongs to a unit."))
    if errors:
        raise ValidationError(errors)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(force_insert=True)
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in chosen])
    audit.record(
        actor=actor,
        action="accounts.user.create",
        obj=user,
        after=_user_snapshot(user),
        note=note,
    )
    return user


@transaction.atomic
def update_user(
    user: User, *, actor: Actor, roles: Iterable[str] | None = None, **changes: Any
) -> User:
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    current = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    errors: dict[str, list[str]] = {}
    try:
        current.full_clean(exclude=["password"])
    except ValidationError as error:
        errors.update(error.message_dict)
    chosen: list[str] | None = None
    if roles is not None:
        try:
            chosen = _check_roles(roles)
        except ValidationError as error:
            errors.update(error.message_dict)
    if current.unit is None and not current.is_superuser:
        errors.setdefault("unit", []).append(_("Every user belongs to a unit."))
    if errors:
        raise ValidationError(errors)
    current.save()
    if chosen is not None:
        UserRole.objects.filter(user=current).exclude(role__in=chosen).delete()
        have = set(UserRole.objects.filter(user=current).values_list("role", flat=True))
        UserRole.objects.bulk_create(
            [UserRole(user=current, role=r) for r in chosen if r not in have]
        )
        current.__dict__.pop("role_codes", None)
    audit.record_update(
        actor=actor,
        action="accounts.user.update",
        obj=current,
        before=before,
        after=_user_snapshot(current),
    )
    return current


@transaction.atomic
def set_password(user: User, password: str, *, actor: Actor) -> User:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": list(error.messages)}) from None
    current = User.objects.select_for_update().get(pk=user.pk)
    current.set_password(password)
    current.save(update_fields=["password"])
    audit.record(actor=actor, action="accounts.user.set_password", obj=current, fields=["password"])
    return current


@transaction.atomic
def record_login(user: User, *, actor: Actor, note: str = "") -> None:
    audit.record(actor=actor, action="accounts.login", obj=user, note=note)


@transaction.atomic
def record_logout(user: User, *, actor: Actor) -> None:
    audit.record(actor=actor, action="accounts.logout", obj=user)


MAX_TOKEN_DAYS = 3650


@transaction.atomic
def create_token(
    user: User, *, actor: Actor, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """Make a token and return it with its secret, which is shown this once only. With
    ``days`` it lapses by itself after that many days."""
    errors: dict[str, list[str]] = {}
    if not user.is_active:
        errors["user"] = [_("This user is inactive.")]
    # A token skips the second factor, so an account that must use one needs it set up:
    # otherwise a token would be a way round it.
    elif user.needs_two_factor and totp_device(user) is None:
        errors["user"] = [
            _("This account must set up its authenticator (TOTP) before it can have a token.")
        ]
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        errors["days"] = [_("Enter a number of days from 1 to %(n)d.") % {"n": MAX_TOKEN_DAYS}]
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=days) if days is not None else None
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        prefix=secret[:10],
        key_hash=hash_token(secret),
        expires_at=expires,
    )
    audit.record(
        actor=actor,
        action="accounts.token.create",
        obj=token,
        object_repr=token.prefix,
        after={
            "user": user.pk,
            "name": token.name,
            "prefix": token.prefix,
            "expires_at": expires.isoformat() if expires else None,
        },
    )
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="accounts.token.revoke",
            obj=current,
            object_repr=current.prefix,
            fields=["revoked_at"],
        )
    return current


# Every API call starts with these: plain statements, since compiling the ORM's query
# (a join of four tables) cost four times as much as running all four.
LIVE_KEY_SQL = 'SELECT * FROM "accounts_apitoken" WHERE "key_hash" = %s AND "revoked_at" IS NULL'
USER_SQL = 'SELECT * FROM "accounts_user" WHERE "id" = %s AND "is_active"'
UNIT_SQL = 'SELECT * FROM "org_unit" WHERE "id" = %s'
PERSON_SQL = 'SELECT * FROM "org_person" WHERE "id" = %s'
ROLES_SQL = 'SELECT "role" FROM "accounts_userrole" WHERE "user_id" = %s'


def _one(rows: Iterable[Any]) -> Any:
    return next(iter(rows), None)


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to (with their unit and person), or None."""
    from yingji.org.models import Person, Unit

    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = _one(ApiToken.objects.raw(LIVE_KEY_SQL, [hash_token(secret)]))
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = _one(User.objects.raw(USER_SQL, [token.user_id]))
    if user is None:
        return None
    if user.unit_id is not None:
        user.unit = _one(Unit.objects.raw(UNIT_SQL, [user.unit_id]))
    if user.person_id is not None:
        user.person = _one(Person.objects.raw(PERSON_SQL, [user.person_id]))
    with connection.cursor() as cursor:
        cursor.execute(ROLES_SQL, [user.pk])
        user.__dict__["role_codes"] = frozenset(row[0] for row in cursor.fetchall())
    # Bookkeeping, not a change of state worth an audit entry; at most once a minute.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def start_totp(user: User, *, actor: Actor) -> TOTPDevice:
    """The unconfirmed device an enrolment shows as a QR code, made once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
        audit.record(actor=actor, action="accounts.totp.start", obj=user)
    return device


@transaction.atomic
def confirm_totp(user: User, code: str, *, actor: Actor) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code.strip()):
        raise ValidationError({"code": [_("That code is not right. Enter the current one.")]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=actor, action="accounts.totp.confirm", obj=user)
    return device
