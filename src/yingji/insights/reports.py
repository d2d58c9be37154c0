"""Periodic reports (值班日报, 信访工作周报/月报/季报): their periods, their content and
their generation as official documents, kept in the archive and sent to the unit's
recipients.

- **Periods.** A report covers a day, an ISO week (Monday to Sunday), a month or a
  quarter, named by any day in it; a period that has not ended is refused.
- **Content.** The figures are the dashboard's (``petitions.figures`` over the unit's
  area), written as the text, tables and charts of a GB/T 9704 document by the documents
  app (DOCX and PDF). A period with no cases says so in the document.
- **Archive.** Each generation is a new version (``Report``); the figures it states are
  kept with it, so an archived report can be compared with the dashboard later.
- **Sending.** To the unit's active recipients of that kind (``ReportRecipient``),
  through notify, with the DOCX attached.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.documents import pdf
from yingji.documents import report as doc
from yingji.documents import services as documents
from yingji.insights import petitions, tables
from yingji.insights.models import Report, ReportRecipient
from yingji.insights.rollups import month_of, next_month
from yingji.insights.scope import Period, local_day_now, read_day, scope_of_unit
from yingji.org import lines
from yingji.org.models import Unit

Kind = Report.Kind
PETITION_KINDS = (Kind.PETITION_WEEKLY, Kind.PETITION_MONTHLY, Kind.PETITION_QUARTERLY)
# The emergency reports: seen by duty staff and those who see incident figures.
EMERGENCY_KINDS = (Kind.DUTY_DAILY, Kind.INCIDENT_MONTHLY)
NOTIFY_KIND = "insights.report"
NUMERALS = "一二三四五六七八九十"
NOTABLE_CASES = 20
REPORT_LANGUAGE = "zh-hans"  # an official document is written in the office's language


# --- periods ------------------------------------------------------------------------------
def period_for(kind: str, day: date) -> Period:
    """The period of a report of ``kind`` that holds ``day``."""
    if kind == Kind.DUTY_DAILY:
        return Period(day, day)
    if kind == Kind.PETITION_WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=6))
    if kind in (Kind.PETITION_MONTHLY, Kind.INCIDENT_MONTHLY):
        first = month_of(day)
        return Period(first, next_month(first) - timedelta(days=1))
    if kind == Kind.PETITION_QUARTERLY:
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        last = next_month(next_month(next_month(first))) - timedelta(days=1)
        return Period(first, last)
    raise ValueError(kind)


def last_period(kind: str, today: date | None = None) -> Period:
    """The newest period of ``kind`` that has ended by ``today``."""
    today = today or local_day_now()
    return period_for(kind, period_for(kind, today).since - timedelta(days=1))


def period_of_request(kind: object, day: object) -> tuple[str, Period]:
    """The kind and period a person asked for (a day in the period; default the last
    one ended), each refusal under its field in the user's language."""
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose a kind of report.")]
    chosen = read_day(day, "day", errors)
    if errors:
        raise ValidationError(errors)
    kind = str(kind)
    period = period_for(kind, chosen) if chosen else last_period(kind)
    if period.until >= local_day_now():
        raise ValidationError(
            {"day": [_("A report covers a period that has ended: choose days before today.")]}
        )
    return kind, period


def number_of(kind: str, period: Period) -> str:
    """The issue number under the title: the day, week, month or quarter of the year."""
    if kind == Kind.DUTY_DAILY:
        return _("No. %(n)d") % {"n": period.since.timetuple().tm_yday}
    if kind == Kind.PETITION_WEEKLY:
        return _("No. %(n)d") % {"n": period.since.isocalendar()[1]}
    if kind == Kind.PETITION_QUARTERLY:
        return _("No. %(n)d") % {"n": (period.since.month - 1) // 3 + 1}
    return _("No. %(n)d") % {"n": period.since.month}


def _period_words(kind: str, period: Period) -> str:
    since = period.since
    if kind == Kind.DUTY_DAILY:
        return _("%(y)d-%(m)02d-%(d)02d") % {"y": since.year, "m": since.month, "d": since.day}
    if kind == Kind.PETITION_WEEKLY:
        return _("week %(w)d of %(y)d") % {"w": since.isocalendar()[1], "y": since.isocalendar()[0]}
    if kind == Kind.PETITION_QUARTERLY:
        return _("Q%(q)d %(y)d") % {"q": (since.month - 1) // 3 + 1, "y": since.year}
    return _("%(y)d-%(m)02d") % {"y": since.year, "m": since.month}


def title_of(kind: str, unit: Unit, period: Period) -> str:
    names = {
        Kind.DUTY_DAILY: _("daily duty report"),
        Kind.PETITION_WEEKLY: _("weekly petition report"),
        Kind.PETITION_MONTHLY: _("monthly petition report"),
        Kind.PETITION_QUARTERLY: _("quarterly petition report"),
        Kind.INCIDENT_MONTHLY: _("monthly incident report"),
    }
    return _("%(unit)s %(period)s %(name)s") % {
        "unit": unit.name,
        "period": _period_words(kind, period),
        "name": names[Kind(kind)],
    }


# --- content ------------------------------------------------------------------------------
@dataclass
class Content:
    report: doc.Report
    figures: dict[str, Any]


def document(kind: str, unit: Unit, period: Period, blocks: list[Any]) -> doc.Report:
    """The report's document: its title, issue number and period, the unit signing it."""
    subtitle = ""
    if period.until != period.since:
        subtitle = _("(%(since)s to %(until)s)") % {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
        }
    return doc.Report(
        title=title_of(kind, unit, period),
        issuer=unit.name,
        issued_on=local_day_now(),
        blocks=blocks,
        number=number_of(kind, period),
        subtitle=subtitle,
    )


def section_heading(blocks: list[Any]) -> Any:
    """A function adding the next first-level heading (一、二、…) to ``blocks``."""
    numerals = iter(NUMERALS)

    def heading(text: str) -> None:
        blocks.append(doc.Heading(1, f"{next(numerals)}、{text}"))

    return heading


def _cells(table: tables.Table) -> tuple[list[str], list[list[str]]]:
    def text(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)

    return table.columns, [[text(cell.value) for cell in row] for row in table.rows]


def table_of(table: tables.Table) -> doc.Table:
    columns, rows = _cells(table)
    return doc.Table(title=table.title, columns=columns, rows=rows, note=table.note)


def chart_of(table: tables.Table) -> doc.Chart | None:
    if not table.chart or not table.rows:
        return None
    spec = table.spec()
    kind = table.chart
    return doc.Chart(
        title=table.title,
        kind=kind,
        categories=[str(c) for c in spec["categories"]],
        series=[
            (str(s["name"]), [_number(item["value"]) for item in s["data"]]) for s in spec["series"]
        ],
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def change_words(now: int, before: int) -> str:
    if not before:
        return _("up from none") if now else _("unchanged")
    change = (now - before) / before * 100
    if change > 0:
        return _("up %(p).1f%%") % {"p": change}
    if change < 0:
        return _("down %(p).1f%%") % {"p": -change}
    return _("unchanged")


def petition_content(kind: str, unit: Unit, period: Period) -> Content:
    scope = scope_of_unit(unit, lines.PETITIONS, period)
    fig = petitions.figures(scope)
    by_id = {t.id: t for t in tables.petition_tables(fig)}
    t = fig.totals
    blocks: list[Any] = []
    heading = section_heading(blocks)

    heading(_("Overview"))
    if not t.cases:
        blocks.append(doc.Text(_("No petition was registered in this period.")))
    else:
        blocks.append(
            doc.Text(
                _(
                    "In this period %(cases)d petitions were registered, involving %(people)d "
                    "people: %(previous)s on the previous period (%(p)d) and %(year)s on the "
                    "same period last year (%(y)d). Among them were %(collective)d collective "
                    "visits with %(cpeople)d people."
                )
                % {
                    "cases": t.cases,
                    "people": t.people,
                    "previous": change_words(t.cases, fig.previous.cases),
                    "p": fig.previous.cases,
                    "year": change_words(t.cases, fig.last_year.cases),
                    "y": fig.last_year.cases,
                    "collective": t.collective,
                    "cpeople": t.collective_people,
                }
            )
        )
    blocks.append(table_of(by_id["totals"]))
    heading(_("Channels and categories"))
    for key in ("by_channel", "by_category"):
        blocks.append(table_of(by_id[key]))
        chart = chart_of(by_id[key])
        if chart is not None:
            blocks.append(chart)
    heading(_("Where the matters arose"))
    blocks.append(table_of(by_id["by_place"]))
    chart = chart_of(by_id["by_place"])
    if chart is not None:
        blocks.append(chart)
    heading(_("Handling within the statutory time limits"))
    if fig.timeliness:
        blocks.append(
            doc.Text(
                "；".join(
                    _("%(kind)s: on time %(rate)s, %(overdue)d overdue, %(extended)d extended")
                    % {
                        "kind": one.label,
                        "rate": _percent(one.rate),
                        "overdue": one.overdue,
                        "extended": one.extended,
                    }
                    for one in fig.timeliness
                )
                + "。"
            )
        )
    else:
        blocks.append(doc.Text(_("No statutory time limit fell to this period's cases.")))
    blocks.append(table_of(by_id["timeliness"]))
    chart = chart_of(by_id["by_unit"])
    if chart is not None:
        blocks.append(chart)
    blocks.append(table_of(by_id["deadlines_by_unit"]))
    heading(_("Satisfaction and repeat petitions"))
    blocks.append(
        doc.Text(
            _(
                "%(rated)d cases were rated: satisfaction rate %(satisfaction)s. %(repeats)d "
                "cases repeated a matter already raised: repeat rate %(repeat)s."
            )
            % {
                "rated": t.rated,
                "satisfaction": _percent(t.satisfaction_rate),
                "repeats": t.repeats,
                "repeat": _percent(t.repeat_rate),
            }
        )
    )
    heading(_("Main matters"))
    if fig.matters:
        blocks.append(table_of(by_id["matters"]))
    else:
        blocks.append(doc.Text(_("The trend scan found no cluster of one matter in this period.")))
    heading(_("Cases needing attention"))
    notable = _notable(scope)
    if notable.rows:
        blocks.append(notable)
    else:
        blocks.append(doc.Text(_("No case of this period is overdue or a collective visit.")))
    figures = fig.as_dict()
    return Content(document(kind, unit, period, blocks), figures)


def _notable(scope: Any) -> doc.Table:
    """Overdue cases and collective visits received in the period: numbers, categories,
    places and stages, never a petitioner's name."""
    from yingji.clock import queries as clock_queries
    from yingji.insights.rollups import day_bounds
    from yingji.petitions.models import Petition

    start = day_bounds(scope.period.since)[0]
    end = day_bounds(scope.period.until)[1]
    found = Petition.objects.filter(received_at__gte=start, received_at__lt=end, is_drill=False)
    if scope.units is not None:
        found = found.filter(unit_id__in=scope.units)
    overdue = set(
        clock_queries.with_missed_deadline(found).values_list("pk", flat=True)[:NOTABLE_CASES]
    )
    collective = set(found.filter(is_collective=True).values_list("pk", flat=True)[:NOTABLE_CASES])
    rows = []
    for p in (
        Petition.objects.filter(pk__in=overdue | collective)
        .select_related("category", "unit")
        .order_by("received_at", "pk")[:NOTABLE_CASES]
    ):
        why = []
        if p.pk in overdue:
            why.append(_("overdue"))
        if p.pk in collective:
            why.append(_("collective visit of %(n)d people") % {"n": p.people_count})
        rows.append(
            [
                p.number,
                timezone.localtime(p.received_at).strftime("%Y-%m-%d"),
                p.category.name,
                p.unit.name,
                str(p.get_stage_display()),
                "、".join(why),
            ]
        )
    return doc.Table(
        title=_("Cases needing attention"),
        columns=[
            _("Number"),
            _("Received"),
            _("Category"),
            _("Handling unit"),
            _("Stage"),
            _("Why"),
        ],
        rows=rows,
    )


def content_for(kind: str, unit: Unit, period: Period) -> Content:
    if kind in PETITION_KINDS:
        return petition_content(kind, unit, period)
    if kind == Kind.DUTY_DAILY:
        from yingji.insights.duty_report import duty_content

        return duty_content(unit, period)
    from yingji.insights.incident_report import incident_content

    return incident_content(unit, period)


def line_of(kind: str) -> str:
    return lines.PETITIONS if kind in PETITION_KINDS else lines.EMERGENCY


# --- who sees and writes which reports -----------------------------------------------------
def may_view(user: Any, kind: str) -> bool:
    if kind in PETITION_KINDS:
        return bool(user.has_perm("insights.view_petition_figures"))
    return bool(user.has_perm("insights.view_duty_reports"))


def may_generate(user: Any, kind: str) -> bool:
    if kind in PETITION_KINDS:
        return bool(user.has_perm("insights.generate_petition_report"))
    return bool(user.has_perm("insights.generate_duty_report"))


def visible_reports(user: Any) -> Any:
    """The archived reports of the units in the user's jurisdiction, each kind in its
    line of work, of the kinds the user may see."""
    from django.db.models import Q

    shown = Q(pk__in=[])
    petition_kinds = [k for k in PETITION_KINDS if may_view(user, k)]
    if petition_kinds:
        shown |= Q(kind__in=petition_kinds, unit__in=Unit.objects.visible_to(user, lines.PETITIONS))
    other = [k for k in Kind.values if k not in PETITION_KINDS and may_view(user, k)]
    if other:
        shown |= Q(kind__in=other, unit__in=Unit.objects.visible_to(user, lines.EMERGENCY))
    return Report.objects.filter(shown)


def report_for(user: Any, pk: int) -> Report:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visible_reports(user).select_related("unit"), pk=pk)


def unit_for(user: Any, kind: str, value: object) -> Unit:
    """The unit a report is written for: the user's own by default, else one of the
    user's area in the kind's line (another: 404)."""
    from django.http import Http404

    from yingji import fields

    if value in (None, ""):
        if user.unit is None:
            raise ValidationError({"unit": [_("Choose the unit the report is for.")]})
        return user.unit
    pk = fields.id_of(str(value))
    found = Unit.objects.visible_to(user, line_of(kind)).filter(pk=pk).first() if pk else None
    if found is None:
        raise Http404
    return found


# --- generating and sending ---------------------------------------------------------------
@transaction.atomic
def generate(kind: str, unit: Unit, period: Period, *, actor: Actor) -> Report:
    """Write the report of ``kind`` for ``unit`` and ``period`` as a new version."""
    if period.until >= local_day_now():
        raise ValidationError(
            {"day": [_("A report covers a period that has ended: choose days before today.")]}
        )
    with translation.override(REPORT_LANGUAGE):
        content = content_for(kind, unit, period)
        docx = doc.render(content.report, documents.fonts())
        pdf_bytes = pdf.render_report(content.report)
    latest = Report.objects.filter(
        kind=kind, unit=unit, since=period.since, until=period.until
    ).aggregate(v=Max("version"))["v"]
    report = Report.objects.create(
        kind=kind,
        unit=unit,
        since=period.since,
        until=period.until,
        version=(latest or 0) + 1,
        title=content.report.title[:200],
        figures=_json({"figures": content.figures, "document": asdict(content.report)}),
        generated_at=timezone.now(),
        generated_by=actor.user,
    )
    report.docx = documents.keep(
        report,
        kind=f"report.{kind}",
        title=report.title,
        content=docx,
        extension="docx",
        actor=actor,
    )
    report.pdf = documents.keep(
        report,
        kind=f"report.{kind}",
        title=report.title,
        content=pdf_bytes,
        extension="pdf",
        actor=actor,
    )
    report.save(update_fields=["docx", "pdf"])
    audit.record(
        actor=actor,
        action="insights.report.generate",
        obj=report,
        after={
            "kind": kind,
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "version": report.version,
        },
    )
    return report


def _json(figures: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(figures, cls=DjangoJSONEncoder))


def recipients(report: Report) -> list[Any]:
    return [
        r.user
        for r in ReportRecipient.objects.filter(
            unit=report.unit, kind=report.kind, is_active=True, user__is_active=True
        ).select_related("user")
    ]


@transaction.atomic
def send(report: Report, *, actor: Actor) -> int:
    """Send the report to its unit's recipients of its kind; the number sent."""
    from yingji.notify import services as notify

    people = recipients(report)
    if not people:
        raise ValidationError(
            {"recipients": [_("No recipient is set for this unit's reports of this kind.")]}
        )
    for user in people:
        notify.notify(
            user,
            NOTIFY_KIND,
            report.title,
            _("The report is attached; the archive keeps every version."),
            subject=report,
            attachment=report.docx,
        )
    report.sent_at = timezone.now()
    report.sent_to = sorted({*report.sent_to, *(u.username for u in people)})
    report.save(update_fields=["sent_at", "sent_to"])
    audit.record(
        actor=actor,
        action="insights.report.send",
        obj=report,
        after={"sent_to": report.sent_to},
    )
    return len(people)


def generate_due(today: date | None = None) -> int:
    """The scheduled run: for every unit and kind with recipients, the newest ended
    period's report, generated and sent once (a version already sent is not sent again)."""
    today = today or local_day_now()
    actor = Actor.system("insights.reports")
    made = 0
    wanted = (
        ReportRecipient.objects.filter(is_active=True)
        .values_list("unit_id", "kind")
        .distinct()
        .order_by("unit_id", "kind")
    )
    for unit_id, kind in wanted:
        period = last_period(kind, today)
        done = Report.objects.filter(
            kind=kind, unit_id=unit_id, since=period.since, until=period.until
        )
        if done.filter(sent_at__isnull=False).exists():
            continue
        with transaction.atomic():
            unit = Unit.objects.get(pk=unit_id)
            report = done.order_by("-version").first() or generate(kind, unit, period, actor=actor)
            send(report, actor=actor)
        made += 1
    return made
