"""The roles of the offices' staff (README: demo logins). Each is a set of permissions,
granted in each app's rules.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    DUTY_LEADER = "duty_leader", _("Leader on duty")
    TEAM_MEMBER = "team_member", _("Working group member")
    INTAKE_CLERK = "intake_clerk", _("Petition intake clerk")
    CASE_HANDLER = "case_handler", _("Case handler")
    SUPERVISOR = "supervisor", _("Supervisor")
    PLAN_MANAGER = "plan_manager", _("Plan manager")
    STOREKEEPER = "storekeeper", _("Storekeeper")
    SYSADMIN = "sysadmin", _("System administrator")


# Roles whose holders must use a second factor at every login.
TWO_FACTOR_REQUIRED = frozenset({Role.SYSADMIN})
