"""The workbench (工作台): the home page as a list of panels of work, chosen by role.

Every app contributes the panels of its own work in its ``panels.py``, registered from its
``ready()``:

    workbench.register(workbench.Source(
        "petitions.mine", _("My cases by next deadline"),
        roles={Role.INTAKE_CLERK, Role.CASE_HANDLER}, order=200, build=my_cases))

``build(user)`` returns a ``Panel``: the link to the filtered list behind it (so every
panel leads to the work), the first entries, and how many there are. A panel reads one
list with one query: it fetches up to ``CAP`` + 1 rows, shows the first ``SHOWN`` and
counts the rest up to ``CAP`` ("99+" beyond), so no panel ever counts a whole table.

A user sees each panel of each of their roles, once, in ``order``. A panel that fails
shows a short message; the others render (the failure is logged by its key and the
exception's type only: a message may quote personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from yingji.accounts.models import User

logger = logging.getLogger(__name__)

SHOWN = 5
CAP = 99


@dataclass(frozen=True)
class Entry:
    """One line of a panel: what it is, where it leads, and a note such as a deadline.
    ``tone`` is "overdue", "soon" or empty, for the reader's eye (and the CSS)."""

    label: str
    url: str
    note: str = ""
    tone: str = ""


@dataclass(frozen=True)
class Panel:
    url: str  # the list behind the panel, filtered to the same work
    entries: Sequence[Entry]
    count: int  # at most CAP + 1: "more than CAP"
    empty: str | Promise = ""  # what to say when there is nothing

    @property
    def count_label(self) -> str:
        return f"{CAP}+" if self.count > CAP else str(self.count)


@dataclass(frozen=True)
class Source:
    key: str
    title: str | Promise
    roles: frozenset[str]
    build: Callable[[User], Panel]
    order: int = 500


@dataclass
class Shown:
    """A panel as the page gets it: its source, and the panel or the failure."""

    source: Source
    panel: Panel | None = None
    failed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.key] = source


def panel_of(
    rows: Iterable[Any], to_entry: Callable[[Any], Entry], *, url: str, empty: str | Promise
) -> Panel:
    """A panel from the first ``CAP`` + 1 rows of a list (a sliced queryset: one query)."""
    taken = list(rows)
    return Panel(
        url=url,
        entries=[to_entry(row) for row in taken[:SHOWN]],
        count=len(taken),
        empty=empty,
    )


def sources_for(user: User) -> list[Source]:
    roles = user.role_codes
    return sorted(
        (source for source in SOURCES.values() if source.roles & roles),
        key=lambda source: (source.order, source.key),
    )


def panels_for(user: User) -> list[Shown]:
    shown = []
    for source in sources_for(user):
        try:
            shown.append(Shown(source, panel=source.build(user)))
        except Exception as error:  # one panel never takes the page down
            logger.error("workbench panel %s failed: %s", source.key, type(error).__name__)
            shown.append(Shown(source, failed=True))
    return shown


_UNITS = {"days": 24 * 3600, "hours": 3600, "minutes": 60}


def time_note(due: datetime, now: datetime, *, finest: str = "minutes", late: bool = False) -> str:
    """The time left ("还剩 2 小时") or how long it is overdue ("已超期 3 天"), in whole
    days, then hours, then ``finest`` ("hours" or "minutes"), never less than one of it.
    Overdue once ``due`` has come, or when ``late`` says so."""
    overdue = late or due <= now
    seconds = abs((now - due).total_seconds())
    n, unit = 1, finest
    for name in ("days", "hours", "minutes"):
        if seconds >= _UNITS[name] or name == finest:
            n, unit = max(1, int(seconds // _UNITS[name])), name
            break
    if overdue:
        text = {
            "days": ngettext("%(n)d day overdue", "%(n)d days overdue", n),
            "hours": ngettext("%(n)d hour overdue", "%(n)d hours overdue", n),
            "minutes": ngettext("%(n)d minute overdue", "%(n)d minutes overdue", n),
        }[unit]
    else:
        text = {
            "days": ngettext("%(n)d day left", "%(n)d days left", n),
            "hours": ngettext("%(n)d hour left", "%(n)d hours left", n),
            "minutes": ngettext("%(n)d minute left", "%(n)d minutes left", n),
        }[unit]
    return text % {"n": n}
