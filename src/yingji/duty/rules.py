"""Who may do what with the roster (django-rules)."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

rules.add_perm("duty.view_shift", has_any_role(*Role))
rules.add_perm("duty.change_shift", has_any_role(Role.DUTY_LEADER, Role.DUTY_OFFICER))
rules.add_perm("duty.approve_change", has_any_role(Role.DUTY_LEADER))
# The duty log (值班记录) is kept by those on the roster.
rules.add_perm("duty.keep_log", has_any_role(Role.DUTY_LEADER, Role.DUTY_OFFICER))
