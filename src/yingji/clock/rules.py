"""Who may do what with calendars and deadlines (django-rules)."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role, is_staff_member, is_sysadmin

rules.add_perm("clock.view_deadline", is_staff_member)
rules.add_perm("clock.view_calendaryear", is_staff_member)
# Administrators keep the official calendar.
for model in ("calendaryear", "calendarday"):
    for action in ("add", "change", "delete"):
        rules.add_perm(f"clock.{action}_{model}", is_sysadmin)
rules.add_perm("clock.view_calendarday", is_staff_member)
rules.add_perm("clock", is_sysadmin)
# Leaders approve extensions; each kind may narrow this further (DeadlineKind.extension_roles).
rules.add_perm("clock.approve_extension", has_any_role(Role.DUTY_LEADER))
