"""Who may do what with plans (django-rules). Which plans: see access.py."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

rules.add_perm("plans.view_plan", has_any_role(*Role))
rules.add_perm("plans.change_plan", has_any_role(Role.PLAN_MANAGER))
# Plans are signed off by the unit's leadership (管理办法: 主要负责人签发).
rules.add_perm("plans.approve_plan", has_any_role(Role.DUTY_LEADER))
rules.add_perm("plans.file_plan", has_any_role(Role.PLAN_MANAGER))
# The body a plan is filed with answers the filing (备案): its plan managers or leaders.
rules.add_perm("plans.receive_filing", has_any_role(Role.PLAN_MANAGER, Role.DUTY_LEADER))

# Administrators keep the event types (the tree plans and incidents classify by).
for action in ("add", "change", "view"):
    rules.add_perm(f"plans.{action}_eventtype", has_any_role(Role.SYSADMIN))
rules.add_perm("plans", has_any_role(Role.SYSADMIN))
