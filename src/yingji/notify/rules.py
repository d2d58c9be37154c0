"""Who may see and resend failed deliveries (django-rules)."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

# Administrators and leaders on duty must know when information did not get through.
rules.add_perm("notify.view_failures", has_any_role(Role.SYSADMIN, Role.DUTY_LEADER))
rules.add_perm("notify.retry_delivery", has_any_role(Role.SYSADMIN))

# Administrators configure the channels (SMS gateway, webhooks, escalation chains) and
# read the outbox in the admin.
for model in ("smsgateway", "webhook", "escalationchain"):
    for action in ("add", "change", "view"):
        rules.add_perm(f"notify.{action}_{model}", has_any_role(Role.SYSADMIN))
rules.add_perm("notify.view_delivery", has_any_role(Role.SYSADMIN))
rules.add_perm("notify", has_any_role(Role.SYSADMIN))
