"""Who may do what in prevention (django-rules). Which records: the jurisdiction rule of
org (emergency work's line for risks, inspections and warnings; petitions' line for
trend signals), applied in each module's ``visible_to``.

- The register (风险隐患台账) is kept by the emergency staff: duty officers, leaders and
  plan managers register and change risks; a leader or plan manager closes one (销号).
- Inspection rounds are planned by the same staff; whoever is named the inspector (a
  working group member, a grid worker with an account) records the findings.
- A warning is drafted by a duty officer or the bureau's plan manager and issued (签发)
  by a leader.
- Trend signals are about petitions: the petition office's supervisors and leaders see
  them and decide; case handlers and clerks see them too (they know the matters).
"""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

EMERGENCY_STAFF = (Role.DUTY_OFFICER, Role.DUTY_LEADER, Role.PLAN_MANAGER)

rules.add_perm("warnings.view_risk", has_any_role(*EMERGENCY_STAFF, Role.TEAM_MEMBER))
rules.add_perm("warnings.change_risk", has_any_role(*EMERGENCY_STAFF))
rules.add_perm("warnings.close_risk", has_any_role(Role.DUTY_LEADER, Role.PLAN_MANAGER))
rules.add_perm("warnings.plan_inspection", has_any_role(*EMERGENCY_STAFF))
rules.add_perm("warnings.inspect", has_any_role(*EMERGENCY_STAFF, Role.TEAM_MEMBER))
rules.add_perm("warnings.view_warning", has_any_role(*Role))
rules.add_perm("warnings.draft_warning", has_any_role(*EMERGENCY_STAFF))
rules.add_perm("warnings.issue_warning", has_any_role(Role.DUTY_LEADER))
rules.add_perm(
    "warnings.view_signal",
    has_any_role(Role.SUPERVISOR, Role.DUTY_LEADER, Role.CASE_HANDLER, Role.INTAKE_CLERK),
)
rules.add_perm("warnings.decide_signal", has_any_role(Role.SUPERVISOR, Role.DUTY_LEADER))
rules.add_perm("warnings", has_any_role(Role.SYSADMIN))
