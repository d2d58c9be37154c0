"""The petition panels of the workbench (工作台).

For the intake clerk and the case handler, the work of the units they act as: the open
cases by their next deadline, the acceptance decisions to take, the routings to answer and
the ratings to follow up. For the supervisor, the area they oversee: the overdue cases by
handling unit, the reminders and supervision they issued, and each unit's deadlines met on
time this month.

A case panel reads its set through the petition list's own filters (lists.py) on the list's
own scope (access.py), and links to the list with those filters, so the panel and the list
hold the same cases. Deadlines are the clock's rows, read and never worked out here.
Entries name a case by its number, category and place (or the start of the request):
never the petitioner.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from yingji import workbench
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.clock import kinds
from yingji.clock.models import Deadline
from yingji.clock.services import office_zone
from yingji.org import lines
from yingji.petitions import lists
from yingji.petitions.access import petitions_visible_to
from yingji.petitions.models import Assignment, Petition, Reply, Supervision

HANDLERS = frozenset({Role.INTAKE_CLERK, Role.CASE_HANDLER})
SUPERVISORS = frozenset({Role.SUPERVISOR})
SOON = timedelta(days=3)  # "due soon" on the workbench: within three days
SUMMARY = 24  # characters of the place or request an entry shows

# The petitioner's own windows: a petitioner who asks for no review is no unit's lateness.
PETITIONERS_WINDOWS = frozenset({"petition.review_request", "petition.recheck_request"})


def _list(**query: str) -> str:
    """The petition list with these filters."""
    url = reverse("petitions:list")
    return f"{url}?{urlencode(query)}" if query else url


def _case_url(pk: int) -> str:
    return reverse("petitions:detail", args=[pk])


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY else f"{text[: SUMMARY - 1]}…"


def _case_label(petition: Petition) -> str:
    """Number, category and place or the start of the request: what the case is about,
    never who brought it."""
    return f"{petition.number} {petition.category} · {_short(petition.place or petition.request)}"


def _when(due: datetime, state: str, now: datetime) -> tuple[str, str]:
    """How long is left or overdue, in days or hours, and the tone: "overdue" once
    missed, "soon" within three days."""
    if state == Deadline.State.MISSED or due <= now:
        return workbench.time_note(due, now, finest="hours", late=True), "overdue"
    return workbench.time_note(due, now, finest="hours"), "soon" if due - now <= SOON else ""


def _deadline_note(petition: Petition, now: datetime) -> tuple[str, str]:
    """The case's next deadline (``lists.with_next_deadline``): its kind and time left."""
    due: datetime | None = getattr(petition, "next_due", None)
    if due is None:
        return "", ""
    when, tone = _when(due, petition.next_state, now)  # type: ignore[attr-defined]
    kind = kinds.get(petition.next_kind).label  # type: ignore[attr-defined]
    return gettext("%(kind)s: %(when)s") % {"kind": kind, "when": when}, tone


def _by_deadline(petition: Petition, now: datetime) -> workbench.Entry:
    note, tone = _deadline_note(petition, now)
    return workbench.Entry(_case_label(petition), _case_url(petition.pk), note, tone)


# What an entry reads of a case: never the petitioner's columns, not even as ciphertext.
CASE_FIELDS = (
    "number",
    "awaiting_rating_since",
    "place",
    "request",
    "transferred_from",
    "received_at",
    "category__name",
    "category__name_en",
    "category__parent",
    "category__parent__name",
    "category__parent__parent",
    "category__parent__name_en",
)


def _scope(user: User) -> models.QuerySet[Petition]:
    """The cases the user may see, with what an entry names."""
    return petitions_visible_to(user).select_related("category__parent").only(*CASE_FIELDS)


def _cases(user: User, filters: lists.Filters) -> models.QuerySet[Petition]:
    """The cases the list shows for ``filters``, with what an entry names."""
    return lists.narrowed(_scope(user), filters, user=user)


def _day(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


# --- the intake clerk's and the case handler's panels -------------------------------------

MINE = lists.Filters(mine=True, open=True)
WAITING = lists.Filters(mine=True, stage=Petition.Stage.REGISTERED)
ROUTED = lists.Filters(routed=True)


def my_cases(user: User) -> workbench.Panel:
    """Open cases of the units the user acts as, the nearest deadline first: the list
    ``?mine=1&open=1``'s first rows, read from the units' deadlines in due order
    (``lists.page``)."""
    now = timezone.now()
    cases, _more = lists.page(_scope(user), MINE, offset=0, limit=workbench.CAP + 1, user=user)
    return workbench.panel_of(
        cases,
        lambda p: _by_deadline(p, now),
        url=_list(mine="1", open="1"),
        empty=_("No open cases at your unit."),
    )


def waiting_for_acceptance(user: User) -> workbench.Panel:
    """Registered cases whose acceptance decision (受理/不予受理) is still to be taken,
    oldest first."""
    now = timezone.now()
    cases = lists.with_next_deadline(_cases(user, WAITING)).order_by("received_at", "pk")
    return workbench.panel_of(
        cases[: workbench.CAP + 1],
        lambda p: _by_deadline(p, now),
        url=_list(mine="1", stage=Petition.Stage.REGISTERED),
        empty=_("No petition is waiting for an acceptance decision."),
    )


def transfers_waiting(user: User) -> workbench.Panel:
    """Cases routed (交办/转送) to the user's units and neither taken on nor objected to,
    longest waiting first."""
    now = timezone.now()
    pending = Assignment.objects.filter(
        petition=models.OuterRef("pk"),
        state=Assignment.State.PENDING,
        unit__in=lists.acting_units(user),
    ).order_by("assigned_at", "pk")
    cases = (
        lists.with_next_deadline(_cases(user, ROUTED))
        .annotate(
            routed_at=Coalesce(
                models.Subquery(pending.values("assigned_at")[:1]), F("received_at")
            ),
            routed_kind=models.Subquery(pending.values("kind")[:1]),
            routed_from=models.Subquery(pending.values("from_unit__name")[:1]),
        )
        .order_by("routed_at", "pk")
    )

    def entry(petition: Any) -> workbench.Entry:
        if petition.routed_kind:
            routing = gettext("%(kind)s from %(unit)s") % {
                "kind": Assignment.Kind(petition.routed_kind).label,
                "unit": petition.routed_from,
            }
        else:  # transferred from a body outside yingji, recorded at intake
            routing = gettext("From %(unit)s") % {"unit": petition.transferred_from}
        note, tone = _deadline_note(petition, now)
        return workbench.Entry(
            _case_label(petition),
            _case_url(petition.pk),
            f"{routing} · {note}" if note else routing,
            tone,
        )

    return workbench.panel_of(
        cases[: workbench.CAP + 1],
        entry,
        url=_list(routed="1"),
        empty=_("No transfer is waiting for your unit's answer."),
    )


def ratings_to_follow_up(user: User) -> workbench.Panel:
    """Replied cases whose follow-up or rating is not recorded yet, the longest waiting
    first: the list ``?mine=1&unrated=1``'s cases, down the index of the cases waiting,
    unit by unit, stopping at the panel's rows (``lists.longest_unrated``)."""
    cases = lists.longest_unrated(_scope(user), user, workbench.CAP + 1)

    def entry(petition: Any) -> workbench.Entry:
        note = gettext("Waiting for a follow-up since %(date)s") % {
            "date": _day(petition.awaiting_rating_since)
        }
        return workbench.Entry(_case_label(petition), _case_url(petition.pk), note)

    return workbench.panel_of(
        cases,
        entry,
        url=_list(mine="1", unrated="1"),
        empty=_("No rating is waiting to be recorded."),
    )


# --- the supervisor's panels -----------------------------------------------------------------


def overdue_by_unit(user: User) -> workbench.Panel:
    """The cases with a missed deadline in the user's area, counted per handling unit, the
    most first: one aggregate over the list's "overdue only" set."""
    per_unit = (
        _cases(user, lists.Filters(overdue=True))
        .order_by()
        .values("unit", "unit__name")
        .annotate(cases=Count("pk"))
        .order_by("-cases", "unit__name", "unit")
    )
    rows = list(per_unit[: workbench.CAP + 1])

    def entry(row: dict[str, Any]) -> workbench.Entry:
        n = row["cases"]
        return workbench.Entry(
            row["unit__name"],
            _list(overdue="1", unit=str(row["unit"])),
            ngettext("%(n)d overdue case", "%(n)d overdue cases", n) % {"n": n},
            "overdue",
        )

    panel = workbench.panel_of(
        rows, entry, url=_list(overdue="1"), empty=_("No case in your area is overdue.")
    )
    # The count is the cases, as the list behind the panel shows them, not the units.
    total = sum(row["cases"] for row in rows)
    return workbench.Panel(
        url=panel.url,
        entries=panel.entries,
        count=min(total, workbench.CAP + 1),
        empty=panel.empty,
    )


def supervision_issued(user: User) -> workbench.Panel:
    """The reminders (催办) and supervision (督办) the user issued, newest first, and whether
    the unit has answered since: decided on acceptance or issued a written reply."""
    replied_since = Reply.objects.filter(
        petition=models.OuterRef("petition"), issued_at__gte=models.OuterRef("at")
    )
    issued = (
        # The user's own reminders first (few), each case checked for sight by its key:
        # "petition in every visible case" made SQLite list the whole table first.
        Supervision.objects.filter(by=user)
        .filter(models.Exists(petitions_visible_to(user).filter(pk=models.OuterRef("petition_id"))))
        .select_related("petition__category__parent", "unit")
        .only("kind", "at", "unit__name", *(f"petition__{name}" for name in CASE_FIELDS))
        .annotate(
            answered=models.ExpressionWrapper(
                Q(petition__decided_at__gte=F("at")) | Q(models.Exists(replied_since)),
                output_field=models.BooleanField(),
            )
        )
        .order_by("-at", "-pk")
    )

    def entry(supervision: Any) -> workbench.Entry:
        state = gettext("answered since") if supervision.answered else gettext("not answered yet")
        note = gettext("%(kind)s to %(unit)s, %(date)s: %(state)s") % {
            "kind": supervision.get_kind_display(),
            "unit": supervision.unit.name,
            "date": _day(supervision.at),
            "state": state,
        }
        petition = supervision.petition
        return workbench.Entry(_case_label(petition), _case_url(petition.pk), note)

    return workbench.panel_of(
        issued[: workbench.CAP + 1],
        entry,
        # No list holds supervision records; the overdue cases of the area are what
        # supervision follows, and where a new one is issued.
        url=_list(overdue="1"),
        empty=_("You have issued no reminder or supervision."),
    )


def _this_month() -> tuple[datetime, datetime]:
    """The start of this month and of the next, in the office's time zone."""
    zone = office_zone()
    today = timezone.localdate(timezone=zone)
    following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return (
        datetime(today.year, today.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


def on_time_this_month(user: User) -> workbench.Panel:
    """Per unit of the user's area, the deadlines of its petition work that came due this
    month and have ended: met in time against all, from the clock's ``state`` and
    ``met_at``; the worst first. The petitioner's own windows for asking a review are not
    a unit's work and are left out, as are drills."""
    start, end = _this_month()
    unit_kinds = [
        code for code in kinds.codes_of_line(lines.PETITIONS) if code not in PETITIONERS_WINDOWS
    ]
    met_in_time = Q(state=Deadline.State.MET, met_at__lte=F("due_at"))
    per_unit = (
        Deadline.objects.visible_to(user)
        .filter(
            kind__in=unit_kinds,
            is_drill=False,
            due_at__gte=start,
            due_at__lt=end,
            state__in=[Deadline.State.MET, Deadline.State.MISSED],
        )
        .values("unit", "unit__name")
        .annotate(due=Count("pk"), in_time=Count("pk", filter=met_in_time))
        .annotate(rate=Cast("in_time", models.FloatField()) / Cast("due", models.FloatField()))
        .order_by("rate", "-due", "unit__name", "unit")
    )

    def entry(row: dict[str, Any]) -> workbench.Entry:
        due, in_time = row["due"], row["in_time"]
        note = gettext("On time %(met)d / %(due)d (%(rate)d%%)") % {
            "met": in_time,
            "due": due,
            "rate": in_time * 100 // due,
        }
        return workbench.Entry(
            row["unit__name"],
            _list(overdue="1", unit=str(row["unit"])),
            note,
            "overdue" if in_time < due else "",
        )

    return workbench.panel_of(
        per_unit[: workbench.CAP + 1],
        entry,
        # The deadlines page: what is overdue or falls due soon in the area, the deadlines
        # this rate is made of as they come due.
        url=reverse("clock:deadlines"),
        empty=_("No petition deadline in your area has come due this month."),
    )


def register() -> None:
    for source in (
        workbench.Source("petitions.mine", _("My cases by next deadline"), HANDLERS, my_cases, 200),
        workbench.Source(
            "petitions.acceptance",
            _("Waiting for acceptance"),
            HANDLERS,
            waiting_for_acceptance,
            210,
        ),
        workbench.Source(
            "petitions.transfers",
            _("Transfers waiting for our answer"),
            HANDLERS,
            transfers_waiting,
            220,
        ),
        workbench.Source(
            "petitions.ratings", _("Ratings to follow up"), HANDLERS, ratings_to_follow_up, 230
        ),
        workbench.Source(
            "petitions.overdue_units",
            _("Overdue cases by unit"),
            SUPERVISORS,
            overdue_by_unit,
            250,
        ),
        workbench.Source(
            "petitions.supervision",
            _("Supervision I issued"),
            SUPERVISORS,
            supervision_issued,
            260,
        ),
        workbench.Source(
            "petitions.on_time",
            _("On-time rate this month"),
            SUPERVISORS,
            on_time_this_month,
            270,
        ),
    ):
        workbench.register(source)
