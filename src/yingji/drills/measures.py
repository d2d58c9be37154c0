"""The drill's measured intervals (issue 23, item 4), read from the drill incident's
timeline and records, never typed in: each inject from delivery to acknowledgement (per
person and the first one) and to its answer, the first report against its hour limit,
grading to activation, each task from issue to acknowledgement and to done against its
limits, and each resource request to its issue.

Where the timeline holds the moment (an inject delivered, a task done, a report sent),
the measure takes the event's ``happened_at``, so the report's figures are the
timeline's; the row's own time is the fallback for a moment no event records (a task's
issue). The task figures come from the incidents' after-action review
(``closing.review``), whose ``Interval`` and lengths in words these measures share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.clock import services as clock
from yingji.drills.models import Delivery, Drill, Inject
from yingji.incidents.models import Incident, ResourceRequest, Task
from yingji.incidents.services.closing import Interval, length_in_words, review
from yingji.timeline import services as timeline


class Kind:
    """What a measure measures (``Measure.kind``)."""

    DELIVERY_ACK = "inject.delivery_ack"  # one person: delivered → acknowledged
    INJECT_ACK = "inject.first_ack"  # an inject: delivered → first acknowledgement
    INJECT_ANSWER = "inject.answer"  # an inject: delivered → answered
    FIRST_REPORT = "report.first"  # reported → first report sent
    ACTIVATION = "activation"  # graded → activated
    TASK_ACK = "task.ack"  # issued → acknowledged
    TASK_DONE = "task.done"  # issued → done
    REQUEST = "request.issued"  # requested → issued


@dataclass
class Measure(Interval):
    """An interval against its limit. ``until`` is where a measure not yet ended stops
    counting (the end of the drill, or now)."""

    kind: str = ""
    limit: timedelta | None = None
    until: datetime | None = None
    subject: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """True within the limit, False over it (or still open and already past it),
        None when there is no limit or it cannot be told yet."""
        if self.limit is None or self.start is None:
            return None
        if self.end is not None:
            return self.end - self.start <= self.limit
        if self.until is not None and self.until - self.start > self.limit:
            return False
        return None

    @property
    def over_by(self) -> timedelta | None:
        if self.met is not False or self.start is None or self.limit is None:
            return None
        end = self.end or self.until
        assert end is not None
        return end - self.start - self.limit

    @property
    def limit_words(self) -> str:
        return length_in_words(self.limit) if self.limit is not None else _("no time limit")

    @property
    def over_words(self) -> str:
        over = self.over_by
        return length_in_words(over) if over is not None else ""

    @property
    def verdict(self) -> str:
        met = self.met
        if met is True:
            return _("within the limit")
        if met is False:
            return _("over the limit by %(over)s") % {"over": self.over_words}
        if self.limit is not None and self.end is None:
            return _("not yet done")
        return "—"

    @property
    def sentence(self) -> str:
        """One line for the report: what, how long, against which limit."""
        taken = _("not done") if self.end is None else self.words
        if self.limit is None:
            return _("%(label)s: %(taken)s.") % {"label": self.label, "taken": taken}
        return _("%(label)s: %(taken)s, limit %(limit)s, %(verdict)s.") % {
            "label": self.label,
            "taken": taken,
            "limit": self.limit_words,
            "verdict": self.verdict,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "minutes": self.minutes,
            "seconds": None if self.length is None else self.length.total_seconds(),
            "limit_minutes": None if self.limit is None else int(self.limit.total_seconds() // 60),
            "met": self.met,
            "words": self.words if self.end is not None else "",
            "subject": self.subject,
        }


@dataclass
class Measures:
    drill: Drill
    injects: list[Measure] = field(default_factory=list)
    deliveries: list[Measure] = field(default_factory=list)
    response: list[Measure] = field(default_factory=list)
    tasks: list[Measure] = field(default_factory=list)
    requests: list[Measure] = field(default_factory=list)

    @property
    def all(self) -> list[Measure]:
        return [*self.injects, *self.deliveries, *self.response, *self.tasks, *self.requests]

    @property
    def within(self) -> list[Measure]:
        return [m for m in self.all if m.met is True]

    @property
    def over(self) -> list[Measure]:
        return [m for m in self.all if m.met is False]


class _Moments:
    """The first moment of each kind of event on the drill incident's timeline, keyed by
    what the event is about."""

    def __init__(self, incident: Incident) -> None:
        self.first: dict[tuple[Any, ...], datetime] = {}
        kinds = (
            "inject.delivered",
            "inject.acknowledged",
            "inject.answered",
            "incident.graded",
            "incident.activated",
            "report.submitted",
            "task.acknowledged",
            "task.started",
            "task.done",
            "request.created",
            "request.decided",
        )
        events = timeline.events_for(incident).filter(kind__in=kinds)
        for event in events.only("kind", "data", "happened_at"):
            data = event.data if isinstance(event.data, dict) else {}
            for key in self._keys(event.kind, data):
                self.first.setdefault(key, event.happened_at)

    @staticmethod
    def _keys(kind: str, data: dict[str, Any]) -> list[tuple[Any, ...]]:
        if kind == "inject.acknowledged":
            return [(kind, data.get("inject")), (kind, data.get("inject"), data.get("user"))]
        if kind.startswith("inject."):
            return [(kind, data.get("inject"))]
        if kind == "report.submitted":
            return [(kind, data.get("stage"))]
        if kind in ("task.acknowledged", "task.started"):
            # Starting a task not acknowledged yet acknowledges it.
            return [("task.taken", data.get("task"))]
        if kind == "task.done":
            return [(kind, data.get("task"))]
        if kind == "request.created":
            return [(kind, data.get("request"))]
        if kind == "request.decided":
            return [(kind, data.get("request"), data.get("state"))]
        return [(kind,)]

    def get(self, *key: Any) -> datetime | None:
        return self.first.get(key)


def _inject_label(inject: Inject, what: str) -> str:
    return _("Inject %(number)d: %(what)s") % {"number": inject.number, "what": what}


def _inject_measures(
    drill: Drill, moments: _Moments, until: datetime
) -> tuple[list[Measure], list[Measure]]:
    injects: list[Measure] = []
    deliveries: list[Measure] = []
    rows = list(
        Delivery.objects.filter(inject__drill=drill)
        .select_related("user")
        .order_by("inject__number", "delivered_at", "pk")
    )
    by_inject: dict[int, list[Delivery]] = {}
    for row in rows:
        by_inject.setdefault(row.inject_id, []).append(row)
    for inject in drill.injects.exclude(delivered_at=None).order_by("number"):
        delivered = moments.get("inject.delivered", inject.pk) or inject.delivered_at
        limit = timedelta(minutes=inject.limit_minutes)
        subject = {"inject": inject.pk, "number": inject.number}
        acks = [
            moments.get("inject.acknowledged", inject.pk, row.user_id) or row.acknowledged_at
            for row in by_inject.get(inject.pk, [])
        ]
        known = [a for a in acks if a is not None]
        first = moments.get("inject.acknowledged", inject.pk) or (min(known) if known else None)
        injects.append(
            Measure(
                _inject_label(inject, _("delivered → first acknowledged")),
                delivered,
                first,
                kind=Kind.INJECT_ACK,
                limit=limit,
                until=until,
                subject=subject,
            )
        )
        answered = moments.get("inject.answered", inject.pk) or inject.answered_at
        injects.append(
            Measure(
                _inject_label(inject, _("delivered → answered")),
                delivered,
                answered,
                kind=Kind.INJECT_ANSWER,
                limit=limit,
                until=until if inject.state != Inject.State.SKIPPED else None,
                subject=subject,
            )
        )
        for row, acknowledged in zip(by_inject.get(inject.pk, []), acks, strict=True):
            deliveries.append(
                Measure(
                    _("Inject %(number)d to %(name)s: delivered → acknowledged")
                    % {"number": inject.number, "name": row.user.display_name},
                    delivered,
                    acknowledged,
                    kind=Kind.DELIVERY_ACK,
                    limit=limit,
                    until=until,
                    subject={**subject, "user": row.user_id},
                )
            )
    return injects, deliveries


def _first_report_limit(incident: Incident) -> timedelta | None:
    """The hours the first report had: its newest deadline (a regrading restarts it),
    whatever became of it (ending the drill cancels the drill incident's deadlines)."""
    found = [d for d in clock.deadlines_for(incident) if d.kind == "incident.first_report"]
    if not found:
        return None
    deadline = found[-1]
    return deadline.due_at - incident.reported_at


def _response_measures(incident: Incident, moments: _Moments, until: datetime) -> list[Measure]:
    sent = moments.get("report.submitted", "first")
    reported = Measure(
        _("Reported → first report sent"),
        incident.reported_at,
        sent,
        kind=Kind.FIRST_REPORT,
        limit=_first_report_limit(incident),
        until=until,
    )
    graded = moments.get("incident.graded") or incident.graded_at
    activated = moments.get("incident.activated") or incident.activated_at
    activation = Measure(
        "{} → {}".format(pgettext("interval", "Graded"), pgettext("interval", "Activated")),
        graded,
        activated,
        kind=Kind.ACTIVATION,
        until=until,
    )
    return [reported, activation]


def _task_measures(incident: Incident, moments: _Moments, until: datetime) -> list[Measure]:
    """Each task's acknowledgement against the clock's acknowledgement window and its
    completion against its step's limit, from the after-action review's task timings."""
    tasks = list(incident.tasks.select_related("step__level").order_by("sort", "pk"))
    steps = review(incident).steps  # the same tasks in the same order
    measures: list[Measure] = []
    for task, step in zip(tasks, steps, strict=True):
        subject: dict[str, Any] = {"task": task.pk}
        if task.step is not None:
            # The plan's step the task came from: a late one points the report at it.
            subject.update(step=task.step_id, version=task.step.level.version_id)
        waits = [d for d in clock.deadlines_for(task) if d.kind == "incident.task_ack"]
        ack_limit = waits[0].due_at - waits[0].started_at if waits else None
        taken = moments.get("task.taken", task.pk) or task.acknowledged_at
        done = moments.get("task.done", task.pk) or step.done_at
        stop = until if task.state != Task.State.DONE else None
        measures.append(
            Measure(
                _("%(task)s: issued → acknowledged") % {"task": step.label},
                step.issued_at,
                taken,
                kind=Kind.TASK_ACK,
                limit=ack_limit,
                until=stop,
                subject=subject,
            )
        )
        measures.append(
            Measure(
                _("%(task)s: issued → done") % {"task": step.label},
                step.issued_at,
                done,
                kind=Kind.TASK_DONE,
                limit=step.limit,
                until=stop,
                subject=subject,
            )
        )
    return measures


def _request_measures(incident: Incident, moments: _Moments) -> list[Measure]:
    measures = []
    for item in incident.requests.order_by("requested_at", "pk"):
        issued = moments.get("request.decided", item.pk, ResourceRequest.State.DELIVERED)
        measures.append(
            Measure(
                _("%(what)s: requested → issued") % {"what": item.what},
                moments.get("request.created", item.pk) or item.requested_at,
                issued,
                kind=Kind.REQUEST,
                subject={"request": item.pk, "state": item.state},
            )
        )
    return measures


def measure(drill: Drill) -> Measures:
    """Every measured interval of the drill (none before it starts)."""
    result = Measures(drill)
    incident = drill.incident
    if incident is None:
        return result
    until = drill.ended_at or timezone.now()
    moments = _Moments(incident)
    result.injects, result.deliveries = _inject_measures(drill, moments, until)
    result.response = _response_measures(incident, moments, until)
    result.tasks = _task_measures(incident, moments, until)
    result.requests = _request_measures(incident, moments)
    return result
