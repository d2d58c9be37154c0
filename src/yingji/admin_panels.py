"""The system administrator's panels of the workbench: the system's health, the calendar
years deadlines are counted on without a confirmed notice, notifications that could not
be delivered, and the audit chain's last checkpoint.

They read what the system's own checks read: the health endpoint's checks (health.py),
the clock's calendar table and holiday package, the failures page's query
(notify.services.failures) and the audit checkpoints (audit.tasks takes one a day).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry, ChainHead, Checkpoint
from yingji.clock.holidays import PACKAGE_YEARS
from yingji.clock.models import CalendarYear
from yingji.notify import services as notify
from yingji.notify.models import Delivery
from yingji.org.models import Unit

ADMINS = frozenset({Role.SYSADMIN})
# The checkpoint is taken daily at 03:17 (audit/tasks.py): an hour's grace for the walk.
CHECKPOINT_STALE = timedelta(hours=25)


def health(user: User) -> workbench.Panel:
    """What GET /api/v1/health reports, one entry per check; the count is of failures."""
    from yingji import health as checks

    url = reverse("api:health")
    results = [
        (gettext("Database"), checks._database_ok()),
        (gettext("Job queue"), checks._queue_ok()),
    ]
    entries = [
        workbench.Entry(
            label,
            url,
            gettext("working") if ok else gettext("unreachable"),
            "" if ok else "overdue",
        )
        for label, ok in results
    ]
    return workbench.Panel(url=url, entries=entries, count=sum(not ok for _l, ok in results))


def calendars(user: User) -> workbench.Panel:
    """Calendar years entered but not confirmed, and this year and the next when neither
    a notice nor the holiday package covers them: their deadlines are marked unconfirmed
    until an administrator enters the State Council's notice."""
    this = timezone.localdate().year
    coming = (this, this + 1)
    rows = list(
        CalendarYear.objects.filter(Q(confirmed=False) | Q(year__in=coming)).order_by("year")[
            : workbench.CAP + 1 + len(coming)
        ]
    )
    entered = {row.year for row in rows}
    years = sorted(
        [(row.year, gettext("Calendar not confirmed")) for row in rows if not row.confirmed]
        + [
            (year, gettext("No notice entered yet"))
            for year in coming
            if year not in entered and year not in PACKAGE_YEARS
        ]
    )
    entries = [
        workbench.Entry(
            str(year),
            reverse("clock:calendar", args=[year]),
            note,
            "overdue" if year <= this else "soon",
        )
        for year, note in years[: workbench.SHOWN]
    ]
    return workbench.Panel(
        url=entries[0].url if entries else reverse("clock:calendar", args=[this]),
        entries=entries,
        count=min(len(years), workbench.CAP + 1),
        empty=_("Every calendar year in use is confirmed."),
    )


def failed_deliveries(user: User) -> workbench.Panel:
    """Deliveries that failed for good, for the recipients the user administers, as the
    failures page lists them (newest first)."""
    found = notify.failures().filter(
        notification__recipient__unit__in=Unit.objects.administered_by(user)
    )
    url = reverse("notify:failures")

    def entry(delivery: Delivery) -> workbench.Entry:
        moment = timezone.localtime(delivery.next_attempt_at)
        return workbench.Entry(
            delivery.notification.title,
            url,
            f"{delivery.get_channel_display()} · {moment:%Y-%m-%d %H:%M}",
            "overdue" if delivery.notification.urgent else "",
        )

    return workbench.panel_of(
        found[: workbench.CAP + 1], entry, url=url, empty=_("No failed deliveries.")
    )


def audit_chain(user: User) -> workbench.Panel:
    """The newest checkpoint: when the chain was last verified and signed, and whether
    the chain still reaches it. A failed verification stores no checkpoint, so a stale
    one is how a failure (or a job that stopped running) shows."""
    url = reverse("admin:audit_checkpoint_changelist")
    now = timezone.now()
    latest = Checkpoint.objects.order_by("-id").first()
    head = ChainHead.objects.filter(id=1).values_list("last_id", flat=True).first() or 0
    entries = []
    if latest is None:
        first = AuditEntry.objects.order_by("id").values_list("created_at", flat=True).first()
        late = first is not None and now - first > CHECKPOINT_STALE
        entries.append(
            workbench.Entry(gettext("No checkpoint yet"), url, "", "overdue" if late else "soon")
        )
    else:
        stale = now - latest.taken_at > CHECKPOINT_STALE
        note = f"{timezone.localtime(latest.taken_at):%Y-%m-%d %H:%M} · #{latest.last_id}"
        if stale:
            old = gettext("more than a day old")
            note = f"{note} · {old}"
        entries.append(
            workbench.Entry(gettext("Last checkpoint"), url, note, "overdue" if stale else "")
        )
        if head < latest.last_id:
            entries.append(
                workbench.Entry(
                    gettext("The chain ends before the last checkpoint"),
                    url,
                    f"#{head} < #{latest.last_id}",
                    "overdue",
                )
            )
    return workbench.Panel(
        url=url, entries=entries, count=sum(e.tone == "overdue" for e in entries)
    )


def register() -> None:
    for key, title, order, build in (
        ("system.health", _("System health"), 900, health),
        ("system.calendars", _("Calendar years not confirmed"), 910, calendars),
        ("system.failures", _("Failed deliveries"), 920, failed_deliveries),
        ("system.audit", _("Audit chain"), 930, audit_chain),
    ):
        workbench.register(workbench.Source(key, title, roles=ADMINS, order=order, build=build))
