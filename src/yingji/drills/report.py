"""The after-action report and improvement plan (评估总结 / 改进计划), issue 23 item 6.

The draft is generated from what the drill measured, the evaluators' ratings, the
participants' feedback and the familiarity scores, in the four sections offices use:
基本情况, 成效, 存在的问题, 改进措施 (one line per problem). The organisers edit it; a leader
acting for the organising unit approves it once the drill has ended, which makes the
GB/T 9704 document (through the documents app, marked 【演练】), marks the drill
evaluated, and meets the drill cycle (演练周期) of each plan exercised and starts the next
one from the drill's date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.documents import layout
from yingji.documents import services as documents
from yingji.documents.models import Document
from yingji.drills import access, evaluation, familiarity_scores
from yingji.drills.measures import Kind, Measures, measure
from yingji.drills.models import CorrectiveAction, Drill, Inject, Rating
from yingji.incidents.documents import NUMERALS
from yingji.org import lines
from yingji.org.models import Unit
from yingji.plans import services as plans
from yingji.plans.models import Group
from yingji.timeline import services as timeline

SECTIONS = ("basic", "results", "problems", "improvements")
DOCUMENT_KIND = "drill.report"
CYCLE = "drill.cycle"
Need = CorrectiveAction.Need


# --- who ------------------------------------------------------------------------------


def may_approve(user: User | None, drill: Drill) -> bool:
    """A leader acting for the organising unit in emergency work."""
    if user is None or not user.is_active or not user.has_perm("drills.approve_report"):
        return False
    return Unit.objects.acting_for(user, lines.EMERGENCY).filter(pk=drill.unit_id).exists()


def may_edit(user: User | None, drill: Drill) -> bool:
    """Who plans the drill, its evaluators, and the leader who approves it."""
    if user is None or not user.is_active:
        return False
    return (
        access.may_plan(user, drill) or access.may_evaluate(user, drill) or may_approve(user, drill)
    )


def may_see(user: User | None, drill: Drill) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return may_edit(user, drill) or access.may_control(user, drill)


def is_editable(drill: Drill) -> bool:
    return drill.state == Drill.State.ENDED and drill.report_approved_at is None


def state_of(drill: Drill) -> str:
    """none (the drill has not ended), draft, saved or approved."""
    if drill.report_approved_at is not None:
        return "approved"
    if drill.report_saved_at is not None:
        return "saved"
    if drill.state == Drill.State.ENDED:
        return "draft"
    return "none"


# --- what the report reads ---------------------------------------------------------------


@dataclass
class Gathered:
    measures: Measures
    ratings: list[evaluation.ObjectiveRatings]
    feedback: evaluation.FeedbackSummary
    scores: familiarity_scores.Scores


def gather(drill: Drill) -> Gathered:
    return Gathered(
        measure(drill),
        evaluation.ratings_by_objective(drill),
        evaluation.feedback_summary(drill),
        familiarity_scores.scores_for(drill),
    )


@dataclass
class Problem:
    """One line of 存在的问题 and its improvement, with what a corrective action made of
    it would concern (a plan part is ``version`` + ``part`` such as ``step:12``)."""

    text: str
    improvement: str
    need: str
    version: int | None = None
    part: str = ""


def _listed(words: list[str]) -> str:
    return "；".join(w.replace("\n", " ") for w in words)


def _rating_problems(rows: list[evaluation.ObjectiveRatings]) -> list[Problem]:
    found = []
    for row in rows:
        worst = row.worst
        if worst not in (Rating.Scale.M, Rating.Scale.U):
            continue
        objective = row.objective
        seen = [r.observations for r in row.ratings if r.observations]
        text = _("Objective “%(objective)s” was rated %(rating)s.") % {
            "objective": objective.text,
            "rating": Rating.Scale(worst).label,
        }
        if seen:
            text += _(" Observed: %(observations)s") % {"observations": _listed(seen)}
        found.append(
            Problem(
                text,
                _("%(clause)s: train the people concerned and drill “%(objective)s” again.")
                % {"clause": objective.clause_label, "objective": objective.text},
                Need.PLAN,
                objective.version_id,
                f"{objective.clause}:{objective.clause_id}",
            )
        )
    return found


def _measure_problems(measures: Measures) -> list[Problem]:
    found = []
    for m in measures.over:
        if m.kind == Kind.DELIVERY_ACK:
            continue  # the inject's own lines say it; one line per person is too many
        step = m.subject.get("step")
        found.append(
            Problem(
                m.sentence,
                _("%(what)s: find out why it took longer than %(limit)s and train for it.")
                % {"what": m.label, "limit": m.limit_words},
                Need.PLAN if step and m.kind == Kind.TASK_DONE else Need.TRAINING,
                m.subject.get("version") if step else None,
                f"step:{step}" if step and m.kind == Kind.TASK_DONE else "",
            )
        )
    return found


ASPECT_NEEDS = {"information": Need.TRAINING, "supplies": Need.SUPPLY, "care": Need.TEAM}


def _feedback_problems(summary: evaluation.FeedbackSummary) -> list[Problem]:
    found = []
    for aspect in summary.aspects:
        if not aspect.is_low:
            continue
        text = _(
            "%(aspect)s: %(low)d of %(count)d participants rated it low (average %(average)s of 5)."
        ) % {
            "aspect": aspect.label,
            "low": aspect.low,
            "count": aspect.count,
            "average": aspect.average,
        }
        if aspect.low_words:
            text += _(" They said: %(words)s") % {"words": _listed(aspect.low_words)}
        found.append(
            Problem(
                text,
                _("%(aspect)s: act on what the participants said.") % {"aspect": aspect.label},
                ASPECT_NEEDS[aspect.code],
            )
        )
    return found


def _familiarity_problems(scores: familiarity_scores.Scores) -> list[Problem]:
    found = []
    groups = {g.pk: g for g in Group.objects.filter(pk__in=[f.key for f in scores.by_group])}
    for figures in (scores.by_group, scores.by_unit):
        for figure in figures:
            if figure.average_percent is None or figure.average_percent >= scores.pass_percent:
                continue
            if figure.small:
                # An average of one or two people is their own score: the report is
                # read by more than their leaders.
                continue
            group = (
                groups.get(figure.key)
                if figures is scores.by_group and figure.key is not None
                else None
            )
            found.append(
                Problem(
                    _(
                        "Plan familiarity of %(name)s: %(average)s%% on average against a pass "
                        "mark of %(pass)d%% (%(taken)d took the check)."
                    )
                    % {
                        "name": figure.name,
                        "average": figure.average_percent,
                        "pass": scores.pass_percent,
                        "taken": figure.taken,
                    },
                    _("%(name)s: train on the plan and its duties, then check again.")
                    % {"name": figure.name},
                    Need.PLAN if group is not None else Need.TRAINING,
                    group.version_id if group is not None else None,
                    f"group:{group.pk}" if group is not None else "",
                )
            )
    return found


def problems_of(gathered: Gathered) -> list[Problem]:
    return [
        *_rating_problems(gathered.ratings),
        *_measure_problems(gathered.measures),
        *_feedback_problems(gathered.feedback),
        *_familiarity_problems(gathered.scores),
    ]


def _moment(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value, clock.office_zone()).strftime("%Y-%m-%d %H:%M")


def _basic(drill: Drill) -> list[str]:
    versions = drill.plan_versions.select_related("plan").order_by("pk")
    units = [u.name for u in drill.units.order_by("name")]
    controllers = [u.display_name for u in drill.controllers.all()]
    evaluators = [u.display_name for u in drill.evaluators.all()]
    injects = list(drill.injects.all())
    delivered = [i for i in injects if i.delivered_at is not None]
    answered = [i for i in injects if i.state == Inject.State.ANSWERED]
    return [
        _("%(title)s: %(kind)s, %(scope)s, organised by %(unit)s.")
        % {
            "title": drill.title,
            "kind": drill.get_kind_display(),
            "scope": drill.get_scope_display(),
            "unit": drill.unit.name,
        },
        _("Held at %(place)s from %(start)s to %(end)s (planned for %(planned)s).")
        % {
            "place": drill.place,
            "start": _moment(drill.started_at),
            "end": _moment(drill.ended_at),
            "planned": _moment(drill.starts_at),
        },
        _("Plans exercised: %(plans)s.")
        % {
            "plans": "、".join(
                _("%(plan)s (version %(number)d)") % {"plan": v.plan.title, "number": v.number}
                for v in versions
            )
        },
        _("Participating units: %(units)s.") % {"units": "、".join(units) or "—"},
        _("Scenario: %(scenario)s") % {"scenario": " ".join(drill.scenario.split())},
        _(
            "%(participants)d participants; controllers: %(controllers)s; "
            "evaluators: %(evaluators)s."
        )
        % {
            "participants": drill.participants.count(),
            "controllers": "、".join(controllers) or "—",
            "evaluators": "、".join(evaluators) or "—",
        },
        _("%(delivered)d of %(all)d injects delivered, %(answered)d answered.")
        % {"delivered": len(delivered), "all": len(injects), "answered": len(answered)},
    ]


def _results(gathered: Gathered) -> list[str]:
    found = []
    for row in gathered.ratings:
        if row.worst in (Rating.Scale.P, Rating.Scale.S):
            found.append(
                _("Objective “%(objective)s”: %(rating)s.")
                % {"objective": row.objective.text, "rating": Rating.Scale(row.worst).label}
            )
    found += [m.sentence for m in gathered.measures.within if m.kind != Kind.DELIVERY_ACK]
    return found


def draft(drill: Drill, gathered: Gathered | None = None) -> dict[str, str]:
    """The four sections as the record shows them."""
    gathered = gathered or gather(drill)
    problems = problems_of(gathered)
    return {
        "basic": "\n".join(_basic(drill)),
        "results": "\n".join(_results(gathered)),
        "problems": "\n".join(f"{n}. {p.text}" for n, p in enumerate(problems, start=1)),
        "improvements": "\n".join(f"{n}. {p.improvement}" for n, p in enumerate(problems, start=1)),
    }


def sections(drill: Drill, gathered: Gathered | None = None) -> dict[str, str]:
    """The saved sections, or the draft the first time."""
    if drill.report_saved_at is None and drill.report_approved_at is None:
        return draft(drill, gathered)
    return {name: getattr(drill, f"report_{name}") for name in SECTIONS}


# --- writing ---------------------------------------------------------------------------


def _locked(drill: Drill) -> Drill:
    return Drill.objects.select_for_update(of=("self",)).select_related("unit").get(pk=drill.pk)


def _refuse_unless_editable(drill: Drill) -> None:
    if drill.report_approved_at is not None:
        raise ValidationError({"state": [_("The report is approved and can no longer change.")]})
    if drill.state != Drill.State.ENDED:
        raise ValidationError({"state": [_("The report is written once the drill has ended.")]})


@transaction.atomic
def save_report(drill: Drill, data: Mapping[str, Any], *, actor: Actor) -> Drill:
    """Save the edited sections; a section not sent keeps the draft's text."""
    current = _locked(drill)
    if not may_edit(actor.user, current):
        raise PermissionDenied(_("Only the drill's organisers and evaluators edit its report."))
    _refuse_unless_editable(current)
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name in SECTIONS:
        if name not in data:
            continue
        value = data[name]
        if value is not None and not isinstance(value, str):
            errors[name] = [_("Enter text.")]
            continue
        text = (value or "").strip()
        if len(text) > fields.TEXT_MAX:
            errors[name] = [_("Enter at most %(n)s characters.") % {"n": fields.TEXT_MAX}]
        elif fields.has_control(text):
            errors[name] = [fields.control_message()]
        clean[name] = text
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(current, f"report_{name}") for name in SECTIONS}
    texts = sections(current)
    texts.update(clean)
    for name in SECTIONS:
        setattr(current, f"report_{name}", texts[name])
    current.report_saved_at = timezone.now()
    current.save(
        update_fields=[*(f"report_{n}" for n in SECTIONS), "report_saved_at", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="drills.report.save",
        obj=current,
        object_repr=current.title,
        before={"sections": [n for n in SECTIONS if before[n]]},
        after={"sections": sorted(clean)},
    )
    timeline.record(current, "drill.report_saved", _("Report saved"), actor=actor, is_drill=True)
    return current


def letter_of(drill: Drill) -> layout.Letter:
    """The report as a GB/T 9704 document: the four sections under their numbered
    headings, issued by the organising unit."""
    headings = (
        _("Basic facts (基本情况)"),
        _("Results (成效)"),
        _("Problems found (存在的问题)"),
        _("Improvements (改进措施)"),
    )
    paragraphs: list[str] = []
    marks: dict[int, str] = {}
    for index, (name, heading) in enumerate(zip(SECTIONS, headings, strict=True)):
        marks[len(paragraphs)] = f"{NUMERALS[index]}、{heading}"
        text = getattr(drill, f"report_{name}")
        paragraphs += [line.strip() for line in text.splitlines() if line.strip()] or ["—"]
    return layout.Letter(
        title=_("After-action report and improvement plan: %(title)s") % {"title": drill.title},
        paragraphs=paragraphs,
        issuer=drill.unit.name,
        issued_on=timezone.localdate(timezone.now(), clock.office_zone()),
        headings=marks,
    )


def _next_cycles(drill: Drill, *, actor: Actor) -> list[Any]:
    """The drill meets each exercised plan's open drill-cycle deadline and starts the
    next one from the day the drill was held, as putting a version in force does."""
    held = drill.started_at or drill.starts_at
    day = timezone.localtime(held, clock.office_zone()).date()
    starts = datetime.combine(day, time.min, tzinfo=clock.office_zone())
    started = []
    seen: set[int] = set()
    for version in drill.plan_versions.select_related("plan__owner").order_by("pk"):
        plan = version.plan
        if plan.pk in seen:
            continue
        seen.add(plan.pk)
        running = clock.open_deadline(plan, CYCLE)
        if running is not None:
            clock.meet(running, actor=actor, at=drill.ended_at or timezone.now())
        cycle_version = plans.in_force(plan) or version
        years = cycle_version.drill_cycle_years
        started.append(
            clock.start(
                plan,
                CYCLE,
                actor=actor,
                unit=plan.owner,
                started_at=starts,
                params={"version": cycle_version.number, **({"years": years} if years else {})},
            )
        )
    return started


@transaction.atomic
def approve(drill: Drill, *, actor: Actor) -> Drill:
    """A leader approves the report: the drill is evaluated, its document is made and the
    plans' drill cycles restart from the drill's date."""
    current = _locked(drill)
    if not may_approve(actor.user, current):
        raise PermissionDenied(
            _("Only a leader acting for the organising unit approves the report.")
        )
    _refuse_unless_editable(current)
    if current.report_saved_at is None:
        for name, text in draft(current).items():
            setattr(current, f"report_{name}", text)
        current.report_saved_at = timezone.now()
    current.state = Drill.State.EVALUATED
    current.report_approved_at = timezone.now()
    current.report_approved_by = actor.user
    current.save()
    document = documents.issue_letter(
        current, kind=DOCUMENT_KIND, letter=letter_of(current), actor=actor, is_drill=True
    )
    cycles = _next_cycles(current, actor=actor)
    audit.record(
        actor=actor,
        action="drills.report.approve",
        obj=current,
        object_repr=current.title,
        after={
            "document": document.pk,
            "sha256": document.sha256,
            "cycles": [c.pk for c in cycles],
        },
    )
    timeline.record(
        current,
        "drill.evaluated",
        _("Report approved by %(name)s")
        % {"name": actor.user.display_name if actor.user else actor.display},
        actor=actor,
        data={"document": document.pk},
        is_drill=True,
    )
    return current


def document_of(drill: Drill) -> Document | None:
    return documents.documents_of(drill).filter(kind=DOCUMENT_KIND).order_by("-pk").first()
