from __future__ import annotations

import hashlib
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from yingji.accounts.roles import TWO_FACTOR_REQUIRED, Role
from yingji.org.models import Person, Unit


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: User) -> UserQuerySet:
        return self.filter(unit__in=Unit.objects.visible_to(user))

    def administered_by(self, user: User) -> UserQuerySet:
        return self.filter(unit__in=Unit.objects.administered_by(user))


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A login. Belongs to one unit and sees that unit's subtree (org scope rule)."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    @cached_property
    def role_codes(self) -> frozenset[str]:
        # Iterating .all() lets list pages prefetch role_grants in one query.
        return frozenset(grant.role for grant in self.role_grants.all())

    def has_role(self, role: str) -> bool:
        return role in self.role_codes

    @property
    def role_labels(self) -> list[str]:
        return [str(label) for code, label in Role.choices if code in self.role_codes]

    @property
    def needs_two_factor(self) -> bool:
        """Administrators, and a superuser (who can do everything), sign in with TOTP."""
        return self.is_superuser or bool(self.role_codes & TWO_FACTOR_REQUIRED)

    def get_full_name(self) -> str:
        """A Chinese name reads surname first, without a space (王 + 磊 is 王磊); other
        names as Django writes them ("Lei Wang")."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u3400" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}"
        return super().get_full_name()

    @property
    def display_name(self) -> str:
        if self.person_id and self.person:
            return self.person.name
        return self.get_full_name() or self.username


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="accounts_userrole_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key fingerprint"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Optional: an integration's token may be made to lapse by itself.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"


class RateCounter(models.Model):
    """Hits per key and time window for the public endpoints' limits, kept in the
    database when there is no Redis: a counter in one process's memory forgot
    everything at a restart and was not shared between processes."""

    key = models.CharField(max_length=200)
    window = models.BigIntegerField()  # the window's number: epoch seconds // its length
    count = models.PositiveIntegerField(default=0)
    # When the window has passed: rows past it are removed as new ones are written.
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="accounts_ratecounter_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.window}: {self.count}"


class SingleSignOnUnit(models.Model):
    """A unit whose staff may get an account at their first single sign-on: set by an
    administrator of the unit. Without a row, nobody is created there."""

    unit = models.OneToOneField(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="single_sign_on",
    )
    create_accounts = models.BooleanField(
        _("create accounts"),
        default=False,
        help_text=_(
            "Someone of this unit who signs in through single sign-on for the first time "
            "gets an account without roles; an administrator then grants the roles."
        ),
    )

    class Meta:
        verbose_name = _("single sign-on unit")
        verbose_name_plural = _("single sign-on units")

    def __str__(self) -> str:
        return str(self.unit)
