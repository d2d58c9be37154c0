"""Who may do what with petitions (django-rules). Which petitions: see access.py."""

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

registrars = has_any_role(Role.INTAKE_CLERK, Role.CASE_HANDLER)
deciders = has_any_role(Role.INTAKE_CLERK, Role.CASE_HANDLER, Role.SUPERVISOR)
# Seeing a petitioner's identity is for the people who deal with the petitioner.
revealers = has_any_role(Role.INTAKE_CLERK, Role.CASE_HANDLER, Role.SUPERVISOR)

rules.add_perm("petitions.view_petition", has_any_role(*Role))
rules.add_perm("petitions.add_petition", registrars)
rules.add_perm("petitions.decide_petition", deciders)
rules.add_perm("petitions.reveal_petitioner", revealers)
# Routing is the petition office's and the supervisors' work; handlers write the reply.
rules.add_perm("petitions.route_petition", has_any_role(Role.INTAKE_CLERK, Role.SUPERVISOR))
rules.add_perm("petitions.reply_petition", has_any_role(Role.CASE_HANDLER, Role.INTAKE_CLERK))
rules.add_perm("petitions.reopen_petition", has_any_role(Role.SUPERVISOR))
rules.add_perm("petitions.supervise_petition", has_any_role(Role.SUPERVISOR, Role.DUTY_LEADER))
