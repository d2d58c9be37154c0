"""Who may do what with supplies, teams and experts (django-rules). Which: the org scope
rule (the owning unit's subtree)."""

from typing import Any

import rules

from yingji.accounts.roles import Role
from yingji.accounts.rules import has_any_role

keepers = has_any_role(Role.STOREKEEPER)


@rules.predicate
def keeps_for_the_city(user: Any) -> bool:
    """A storekeeper acting for the whole city (its emergency bureau): the catalogue is
    one list for every unit, so only such a storekeeper changes or retires its items."""
    from yingji.org import lines
    from yingji.org.models import Unit

    if not keepers(user) or user.unit_id is None:
        return False
    return Unit.objects.acting_for(user, lines.EMERGENCY).filter(parent__isnull=True).exists()


rules.add_perm("resources.view_stock", has_any_role(*Role))
rules.add_perm("resources.move_stock", keepers)
rules.add_perm("resources.keep_catalogue", has_any_role(Role.STOREKEEPER, Role.SYSADMIN))
# Adding an item is any storekeeper's; changing or retiring one changes it for everyone.
rules.add_perm("resources.edit_catalogue", keeps_for_the_city | has_any_role(Role.SYSADMIN))
rules.add_perm("resources.keep_teams", has_any_role(Role.STOREKEEPER, Role.PLAN_MANAGER))
rules.add_perm(
    "resources.reveal_contact",
    has_any_role(Role.STOREKEEPER, Role.PLAN_MANAGER, Role.DUTY_LEADER, Role.DUTY_OFFICER),
)

# Administrators keep the catalogue, warehouses and minimum stock in the admin, and read
# the ledger there; stock itself moves only through the pages and the API.
for model in ("category", "item", "warehouse", "minimumstock"):
    for action in ("add", "change", "view"):
        rules.add_perm(f"resources.{action}_{model}", has_any_role(Role.SYSADMIN))
rules.add_perm("resources.view_movement", has_any_role(Role.SYSADMIN))
rules.add_perm("resources", has_any_role(Role.SYSADMIN))
