"""The 突发事件月报 as a periodic report: the month's incidents of the unit's area by type
and level with their casualties (the incident dashboard's figures, drills and warning
periods left out), the response intervals against their limits, what the after-action
reviews found, and the corrective actions from real incidents still outstanding."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.documents import report as doc
from yingji.insights import incidents
from yingji.insights.scope import Period, scope_of_unit
from yingji.org import lines
from yingji.org.models import Unit

MOST_ROWS = 50


def incident_content(unit: Unit, period: Period) -> Any:
    from yingji.insights.reports import (
        Content,
        change_words,
        chart_of,
        document,
        section_heading,
        table_of,
    )

    scope = incidents.EmergencyScope(scope_of_unit(unit, lines.EMERGENCY, period))
    fig = incidents.figures(scope)
    by_id = {t.id: t for t in incidents.incident_tables(fig)}
    blocks: list[Any] = []
    heading = section_heading(blocks)

    heading(_("Overview"))
    t = fig.totals
    if not t.incidents:
        blocks.append(doc.Text(_("No incident was reported in this period.")))
    else:
        blocks.append(
            doc.Text(
                _(
                    "In this period %(n)d incidents were reported: %(previous)s on the "
                    "previous period (%(p)d) and %(year)s on the same period last year "
                    "(%(y)d); %(deaths)d people died and %(injuries)d were injured."
                )
                % {
                    "n": t.incidents,
                    "previous": change_words(t.incidents, fig.previous.incidents),
                    "p": fig.previous.incidents,
                    "year": change_words(t.incidents, fig.last_year.incidents),
                    "y": fig.last_year.incidents,
                    "deaths": t.deaths,
                    "injuries": t.injuries,
                }
            )
        )
    blocks.append(table_of(by_id["totals"]))
    heading(_("Types and levels"))
    for key in ("by_type", "by_level"):
        blocks.append(table_of(by_id[key]))
        chart = chart_of(by_id[key])
        if chart is not None:
            blocks.append(chart)
    heading(_("Response intervals"))
    blocks.append(table_of(by_id["intervals"]))
    heading(_("Findings of the after-action reviews"))
    found = _findings(scope, period)
    blocks += found or [
        doc.Text(_("No after-action review was written for this period's incidents."))
    ]
    heading(_("Corrective actions outstanding"))
    actions = _actions(scope)
    if actions.rows:
        blocks.append(actions)
    else:
        blocks.append(doc.Text(_("No corrective action from an incident is outstanding.")))
    figures = fig.as_dict()
    figures["corrective_actions_open"] = len(actions.rows)
    kind = "incident_monthly"
    return Content(document(kind, unit, period, blocks), figures)


def _incidents_of(scope: incidents.EmergencyScope, period: Period) -> Any:
    from yingji.incidents.models import Incident
    from yingji.insights.rollups import day_bounds

    start, end = day_bounds(period.since)[0], day_bounds(period.until)[1]
    found = Incident.objects.filter(
        reported_at__gte=start, reported_at__lt=end, is_drill=False
    ).exclude(source=Incident.Source.WARNING)
    if scope.scope.units is not None:
        found = found.filter(unit_id__in=scope.scope.units)
    return found


def _findings(scope: incidents.EmergencyScope, period: Period) -> list[Any]:
    from yingji.incidents.models import AfterAction

    blocks: list[Any] = []
    reviews = (
        AfterAction.objects.filter(incident__in=_incidents_of(scope, period))
        .select_related("incident")
        .order_by("incident__reported_at")[:MOST_ROWS]
    )
    for number, review in enumerate(reviews, start=1):
        blocks.append(
            doc.Heading(2, f"（{number}）{review.incident.number} {review.incident.title}")
        )
        for label, text in (
            (_("Problems found"), review.problems),
            (_("Improvements"), review.improvements),
        ):
            if text.strip():
                blocks.append(doc.Text(f"{label}：{' '.join(text.split())}"))
    return blocks


def _actions(scope: incidents.EmergencyScope) -> doc.Table:
    """The open corrective actions from real incidents of the area, as of now."""
    from yingji.drills.models import CorrectiveAction

    found = CorrectiveAction.objects.filter(
        incident__isnull=False, incident__is_drill=False, state=CorrectiveAction.State.OPEN
    )
    if scope.scope.units is not None:
        found = found.filter(owner_unit_id__in=scope.scope.units)
    today = timezone.localdate()
    rows = [
        [
            a.incident.number if a.incident else "",
            a.problem,
            a.action,
            a.owner_unit.name,
            a.due_on.isoformat(),
            _("overdue") if a.due_on < today else "",
        ]
        for a in found.select_related("incident", "owner_unit").order_by("due_on")[:MOST_ROWS]
    ]
    return doc.Table(
        title=_("Corrective actions outstanding"),
        columns=[
            _("Incident"),
            _("Problem"),
            _("Corrective action"),
            _("Owner unit"),
            _("Deadline"),
            _("Overdue"),
        ],
        rows=rows,
    )
