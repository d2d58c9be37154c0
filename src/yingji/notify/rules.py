"""Who may see and resend failed deliveries (django-rules)."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

# Administrators and leaders on duty must know when information did not get through.
rules.add_perm("notify.view_failures", has_any_role(Role.SYSADMIN, Role.DUTY_LEADER))
rules.add_perm("notify.retry_delivery", has_any_role(Role.SYSADMIN))
