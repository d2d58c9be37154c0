"""The jurisdiction rule (属地管理、分级负责): for whose affairs a user acts.

Every app asks this module which units' objects a user sees, lists and oversees in a line
of work, and which units' objects the user changes as their owner. No app keeps a variant.

- A region (市/县/乡镇 government) acts for its own subtree, in every line of work.
- A department acts for its own subtree and, in its lines of work, for the whole subtree
  of the region (or institution) it belongs to: 白石县信访局 sees every petition of
  白石县 and its townships, but no incident. A department's sections (科室) inherit the
  lines of the departments above them.
- An institution or enterprise, and a department with no line, acts for its own subtree.

Seeing is not owning: a city bureau oversees the counties' cases (lists them, opens them,
supervises, receives filings) but changes only what belongs to its own level, the units
it acts as (``acting_as``): its own subtree and, in its lines, its government. Acts the
law gives the higher level (review decisions, supervision, grading) are checked against
the area, by the app that owns the act.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from yingji.org import lines as work_lines
from yingji.org import tree

if TYPE_CHECKING:
    from yingji.accounts.models import User
    from yingji.org.models import Unit

_CACHE = "_yingji_jurisdiction"


@dataclass(frozen=True)
class Jurisdiction:
    everything: bool = False
    own: str | None = None  # the path of the user's unit
    base: str | None = None  # the region (or institution) a department works for
    chain: tuple[str, ...] = ()  # the unit, the departments above it, and its base
    lines: frozenset[str] = frozenset()

    def holds(self, line: str | None) -> bool:
        if self.everything:
            return True
        return bool(self.lines) if line is None else line in self.lines

    def area_root(self, line: str | None) -> str | None:
        """The root of the subtree the user acts for in ``line`` (None: any of the user's
        lines, as the directory of units and people needs)."""
        if self.own is None:
            return None
        if self.base is not None and self.holds(line):
            return self.base
        return self.own

    def area(self, line: str | None) -> Q:
        """A filter on units (``path``) for the area."""
        if self.everything:
            return Q()
        root = self.area_root(line)
        if root is None:
            return Q(pk__in=[])
        return Q(path__gte=root, path__lt=tree.successor(root))

    def acting(self, line: str | None) -> Q:
        """A filter on units for those whose objects the user changes as owner."""
        if self.everything:
            return Q()
        if self.own is None:
            return Q(pk__in=[])
        own = Q(path__gte=self.own, path__lt=tree.successor(self.own))
        if self.base is not None and self.holds(line):
            return own | Q(path__in=self.chain)
        return own


NOBODY = Jurisdiction()
EVERYTHING = Jurisdiction(everything=True, lines=frozenset(work_lines.ALL))


def of(user: User) -> Jurisdiction:
    """The user's jurisdiction, worked out once per user object (one query at most): a
    change of a unit's lines reaches every user of the unit at their next request."""
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = _compute(user)
        setattr(user, _CACHE, cached)
    return cached


def forget(user: User) -> None:
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def _compute(user: User) -> Jurisdiction:
    from yingji.org.models import Unit

    if not user.is_authenticated or not user.is_active:
        return NOBODY
    if user.is_superuser:
        return EVERYTHING
    unit = user.unit
    if unit is None:
        return NOBODY
    if unit.kind == Unit.Kind.REGION:
        return Jurisdiction(
            own=unit.path,
            base=unit.path,
            chain=(unit.path,),
            lines=frozenset(work_lines.ALL),
        )
    if unit.kind != Unit.Kind.DEPARTMENT:
        return Jurisdiction(own=unit.path, chain=(unit.path,))
    held = set(unit.work_lines or [])
    chain = [unit.path]
    base = None
    above = Unit.objects.filter(path__in=tree.ancestor_paths(unit.path)).order_by("-path")
    for path, kind, lines in above.values_list("path", "kind", "work_lines"):
        chain.append(path)
        if kind != Unit.Kind.DEPARTMENT:
            base = path
            break
        held.update(lines or [])
    if base is None or not held:
        return Jurisdiction(own=unit.path, chain=(unit.path,))
    return Jurisdiction(own=unit.path, base=base, chain=tuple(chain), lines=frozenset(held))


def area_of(user: User, line: str | None) -> Q:
    return of(user).area(line)


def acts_as(user: User, unit: Unit, line: str | None) -> bool:
    """Whether ``user`` changes ``unit``'s objects of ``line`` as their owner."""
    j = of(user)
    if j.everything:
        return True
    if j.own is None:
        return False
    return tree.is_within(unit.path, j.own) or (j.holds(line) and unit.path in j.chain)


def oversees(user: User, unit: Unit, line: str | None) -> bool:
    """Whether ``unit`` is in ``user``'s area for ``line``."""
    j = of(user)
    if j.everything:
        return True
    root = j.area_root(line)
    return root is not None and tree.is_within(unit.path, root)


def offices_acting_as(unit: Unit, line: str) -> list[int]:
    """The ids of ``unit`` and the departments that act as it in ``line`` (its bureau of
    that line and the bureau's sections): whom a notification for the unit reaches."""
    from yingji.org.models import Unit

    below = Unit.objects.filter(
        path__gt=unit.path,
        path__lt=tree.successor(unit.path),
        depth__lte=unit.depth + 3,
        kind=Unit.Kind.DEPARTMENT,
    ).order_by("path")
    held: dict[str, frozenset[str]] = {unit.path: frozenset()}
    found = [unit.pk]
    for pk, path, lines in below.values_list("pk", "path", "work_lines"):
        parent = path[: -tree.SEGMENT]
        if parent not in held:
            continue  # under a unit that is not a department of this one
        mine = held[parent] | frozenset(lines or [])
        held[path] = mine
        if line in mine:
            found.append(pk)
    return found


def area_root_of(unit: Unit, line: str | None) -> str:
    """The path of the subtree ``unit`` acts for in ``line``, as for its users: a region or
    an institution its own subtree, a department of that line its region's (白石县应急管理局
    acts for all of 白石县 in emergency work)."""
    from yingji.org.models import Unit

    if unit.kind != Unit.Kind.DEPARTMENT:
        return unit.path
    held = set(unit.work_lines or [])
    above = Unit.objects.filter(path__in=tree.ancestor_paths(unit.path)).order_by("-path")
    for path, kind, lines in above.values_list("path", "kind", "work_lines"):
        if kind != Unit.Kind.DEPARTMENT:
            return path if (line in held if line is not None else bool(held)) else unit.path
        held.update(lines or [])
    return unit.path


def place_unit(region_code: str) -> Unit | None:
    """The region unit a division code names, or the nearest one above it that the
    directory has (a village's 12-digit code falls to its township); None when the code
    names no region of the directory at all."""
    from yingji.org.models import Unit

    code = region_code.strip()
    if not code.isdigit():
        return None
    # The code itself, then its township, county, city and province (GB/T 2260, GB/T 10114).
    prefixes = [code[:n] for n in (12, 9, 6) if len(code) >= n]
    if len(code) >= 6:
        prefixes += [code[:4] + "00", code[:2] + "0000"]
    prefixes = list(dict.fromkeys(prefixes))
    found = {
        u.code: u
        for u in Unit.objects.filter(kind=Unit.Kind.REGION, code__in=prefixes, is_active=True)
    }
    return next((found[p] for p in prefixes if p in found), None)


def place_error(region: str, unit: Unit, line: str) -> str | None:
    """Why ``region`` cannot be the place of work ``unit`` does in ``line`` (an incident's
    scene, a drill's): not a division code, no division of the directory has it, or it
    lies outside the unit's jurisdiction. None when it can."""
    from django.utils.translation import gettext as _

    if not region.isascii() or not region.isdigit() or len(region) not in (6, 9, 12):
        return _("Enter a division code of 6, 9 or 12 digits.")
    place = place_unit(region)
    if place is None:
        return _("No division of the directory has this code.")
    if not tree.is_within(place.path, area_root_of(unit, line)):
        return _("%(place)s is outside the jurisdiction of %(unit)s.") % {
            "place": place.name,
            "unit": unit.name,
        }
    return None
