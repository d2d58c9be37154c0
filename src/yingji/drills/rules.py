"""Who may do what with drills (django-rules). Which drills: see access.py.

Controllers (导调) and evaluators (评估) are named on each drill; the object checks in
access.py let them run or rate that drill whatever their role."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

rules.add_perm("drills.view_drill", has_any_role(*Role))
# Plan managers and leaders on duty plan drills (预案管理员, 带班领导).
rules.add_perm("drills.plan_drill", has_any_role(Role.PLAN_MANAGER, Role.DUTY_LEADER))
# A leader approves the after-action report (评估总结).
rules.add_perm("drills.approve_report", has_any_role(Role.DUTY_LEADER))
# Corrective actions are set by those who plan drills or review incidents.
rules.add_perm("drills.add_correctiveaction", has_any_role(Role.PLAN_MANAGER, Role.DUTY_LEADER))
rules.add_perm("drills.view_correctiveaction", has_any_role(*Role))
# Familiarity scores are for the person and their leaders only.
rules.add_perm("drills.view_scores", has_any_role(Role.DUTY_LEADER))
rules.add_perm("drills", has_any_role(Role.SYSADMIN))
