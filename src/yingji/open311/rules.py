"""Who may issue and revoke Open311 keys (django-rules): system administrators."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

for action in ("add", "change", "view"):
    rules.add_perm(f"open311.{action}_apikey", has_any_role(Role.SYSADMIN))
rules.add_perm("open311.view_filed", has_any_role(Role.SYSADMIN))
rules.add_perm("open311", has_any_role(Role.SYSADMIN))
