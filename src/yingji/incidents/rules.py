"""Who may do what with incidents (django-rules). Which incidents: the org scope rule
(the reporting unit's subtree) plus the groups a user serves in."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

duty = has_any_role(Role.DUTY_OFFICER, Role.DUTY_LEADER)
commanders = has_any_role(Role.DUTY_LEADER)

rules.add_perm("incidents.view_incident", has_any_role(*Role))
rules.add_perm("incidents.report_incident", duty)
rules.add_perm("incidents.write_report", duty)
rules.add_perm("incidents.command_incident", commanders)
rules.add_perm("incidents.reveal_reporter", duty)
rules.add_perm("incidents.release_information", commanders)
rules.add_perm("incidents.request_resources", has_any_role(*Role))
