"""Permissions as predicates over roles (django-rules).

Each app grants its own permissions here-style in its ``rules.py``; a permission is
held by a user who has any of the roles listed for it. Object scope (which units a
user may see) is not a permission: it is the access check of each object type.
"""

from __future__ import annotations

from typing import Any

import rules

from yingji.accounts.roles import Role


@rules.predicate
def is_staff_member(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.unit_id or user.is_superuser))


def has_any_role(*roles: Role) -> rules.Predicate:
    codes = frozenset(str(r) for r in roles)

    def check(user: Any) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        return user.is_superuser or bool(user.role_codes & codes)

    return rules.Predicate(check, name="has_any_role(" + ",".join(sorted(codes)) + ")")


is_sysadmin = has_any_role(Role.SYSADMIN)

# Everyone on the staff can read the directory of their own subtree.
rules.add_perm("org.view_unit", is_staff_member)
rules.add_perm("org.view_person", is_staff_member)
rules.add_perm("accounts.view_user", is_staff_member)

# Administrators keep units, people and users (within their own subtree).
for model in ("unit", "person"):
    rules.add_perm(f"org.add_{model}", is_sysadmin)
    rules.add_perm(f"org.change_{model}", is_sysadmin)
rules.add_perm("accounts.add_user", is_sysadmin)
rules.add_perm("accounts.change_user", is_sysadmin)
rules.add_perm("accounts.view_apitoken", is_sysadmin)
# Which units may have single sign-on accounts made (the admin also limits the units).
for action in ("add", "change", "view", "delete"):
    rules.add_perm(f"accounts.{action}_singlesignonunit", is_sysadmin)
rules.add_perm("audit.view_auditentry", is_sysadmin)
rules.add_perm("audit.view_checkpoint", is_sysadmin)

# Module permissions, so the admin index lists these apps for administrators.
rules.add_perm("org", is_sysadmin)
rules.add_perm("accounts", is_sysadmin)
rules.add_perm("audit", is_sysadmin)
