"""Evaluating a drill (issue 23, item 4): the evaluators rate each objective on the HSEEP
scale (达到 P / 基本达到 S / 部分达到 M / 未达到 U) with observations and photos, while the
drill runs or after it; the participants answer a short feedback form once it has ended,
always asking about information flow, supplies and psychological care (the failures
drill summaries keep finding). Both can be changed until the report is approved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.documents.models import Document
from yingji.drills import access
from yingji.drills.models import Drill, Feedback, Objective, Rating
from yingji.incidents.services.tasks import photo_error, photo_extension
from yingji.timeline import services as timeline

Errors = dict[str, list[str]]

RATING_STATES = (Drill.State.RUNNING, Drill.State.PAUSED, Drill.State.ENDED)
OBSERVATIONS_MAX = 5000
NOTE_MAX = 2000
OTHER_MAX = 5000
PHOTOS_MAX = 5  # sent at once for one rating
PHOTOS_TOTAL = 20  # kept on one rating
PHOTO_KIND = "drill.rating_photo"
# Feedback scores run 1–5; an answer at or below LOW is a complaint the report names.
SCORE_MIN, SCORE_MAX, LOW = 1, 5, 2
ASPECTS = (
    ("information", gettext_lazy("Information flow")),
    ("supplies", gettext_lazy("Supplies and equipment")),
    ("care", gettext_lazy("Psychological care")),
)


# --- who and when ---------------------------------------------------------------------


def is_open(drill: Drill) -> bool:
    """Ratings and feedback change until the report is approved."""
    return drill.report_approved_at is None and drill.state in RATING_STATES


def may_rate(user: User | None, drill: Drill) -> bool:
    return user is not None and user.is_active and access.may_evaluate(user, drill)


def is_participant(user: User | None, drill: Drill) -> bool:
    if user is None or not user.is_active:
        return False
    return drill.participants.filter(pk=user.pk).exists()


def feedback_open(drill: Drill) -> bool:
    return drill.state == Drill.State.ENDED and drill.report_approved_at is None


def _text(value: object, path: str, most: int, errors: Errors) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[path] = [_("Enter text.")]
        return ""
    text = value.strip()
    if len(text) > most:
        errors[path] = [_("Keep it within %(n)d characters.") % {"n": most}]
    elif fields.has_control(text):
        errors[path] = [fields.control_message()]
    return text


# --- ratings --------------------------------------------------------------------------


def _state_error(drill: Drill) -> str | None:
    if drill.report_approved_at is not None or drill.state == Drill.State.EVALUATED:
        return _("The report is approved: the evaluation can no longer change.")
    if drill.state not in RATING_STATES:
        return _("Objectives are rated once the drill has started.")
    return None


def clean_ratings(
    drill: Drill, items: object
) -> tuple[list[tuple[Objective, str, str, list[tuple[str, bytes]]]], Errors]:
    """Each item: ``objective`` (an id of this drill's), ``rating`` (P, S, M or U),
    ``observations`` and, from the page, ``photos`` [(name, bytes)]. Errors are keyed
    ``ratings[2].rating``."""
    errors: Errors = {}
    if not isinstance(items, (list, tuple)) or not items:
        return [], {"ratings": [_("Rate at least one objective.")]}
    objectives = {o.pk: o for o in drill.objectives.all()}
    if len(items) > len(objectives):
        return [], {"ratings": [_("Rate each objective at most once.")]}
    seen: set[int] = set()
    clean = []
    for i, item in enumerate(items):
        path = f"ratings[{i}]."
        if not isinstance(item, Mapping):
            errors[f"ratings[{i}]"] = [_("Give each rating as an object.")]
            continue
        raw = item.get("objective")
        pk = fields.id_of(raw) if not isinstance(raw, bool) else None
        objective = objectives.get(pk) if pk is not None else None
        if objective is None:
            errors[f"{path}objective"] = [_("Choose an objective of this drill.")]
        elif objective.pk in seen:
            errors[f"{path}objective"] = [_("Rate each objective at most once.")]
        rating = item.get("rating")
        rating = rating.strip().upper() if isinstance(rating, str) else ""
        if rating not in Rating.Scale.values:
            errors[f"{path}rating"] = [
                _(
                    "Choose a rating on the scale: P (达到), S (基本达到), "
                    "M (部分达到) or U (未达到)."
                )
            ]
        observations = _text(
            item.get("observations"), f"{path}observations", OBSERVATIONS_MAX, errors
        )
        photos = list(item.get("photos") or [])
        if len(photos) > PHOTOS_MAX:
            errors[f"{path}photos"] = [_("Add at most %(n)d photos.") % {"n": PHOTOS_MAX}]
        for _name, content in photos:
            refused = photo_error(content)
            if refused:
                errors[f"{path}photos"] = [refused]
                break
        if objective is not None:
            seen.add(objective.pk)
            clean.append((objective, rating, observations, photos))
    return clean, errors


@transaction.atomic
def rate(drill: Drill, items: Sequence[Mapping[str, Any]], *, actor: Actor) -> list[Rating]:
    """An evaluator's ratings of some or all objectives; all or nothing. A rating given
    again replaces the evaluator's earlier one (photos are added to it)."""
    current = Drill.objects.select_for_update().get(pk=drill.pk)
    if not may_rate(actor.user, current):
        raise PermissionDenied(_("Only an evaluator of this drill may rate it."))
    refused = _state_error(current)
    if refused:
        raise ValidationError({"state": [refused]})
    clean, errors = clean_ratings(current, items)
    if errors:
        raise ValidationError(errors)
    assert actor.user is not None
    for i, (objective, _rating, _words, photos) in enumerate(clean):
        kept = Rating.objects.filter(objective=objective, evaluator=actor.user).first()
        if photos and kept is not None and len(photos_of(kept)) + len(photos) > PHOTOS_TOTAL:
            errors[f"ratings[{i}].photos"] = [
                _("A rating keeps at most %(n)d photos.") % {"n": PHOTOS_TOTAL}
            ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    saved = []
    for objective, rating, observations, photos in clean:
        row = Rating.objects.filter(objective=objective, evaluator=actor.user).first()
        before = {"rating": row.rating, "observations": row.observations} if row else {}
        if row is None:
            row = Rating(objective=objective, evaluator=actor.user)
        row.rating = rating
        row.observations = observations
        row.rated_at = now
        row.save()
        for name, content in photos:
            documents.keep(
                row,
                kind=PHOTO_KIND,
                title=(name or "")[:200] or _("Photo"),
                content=content,
                extension=photo_extension(content),
                actor=actor,
                is_drill=True,  # drill data like its rating
            )
        audit.record(
            actor=actor,
            action="drills.rating.save",
            obj=row,
            object_repr=f"{current.title}: {objective.text[:60]}",
            before=before,
            after={"rating": rating, "photos": len(photos)},
        )
        saved.append(row)
    timeline.record(
        current,
        "drill.rated",
        _("%(name)s rated %(count)d objectives: %(ratings)s")
        % {
            "name": actor.user.display_name,
            "count": len(saved),
            "ratings": "、".join(r.rating for r in saved),
        },
        actor=actor,
        data={"ratings": [r.pk for r in saved], "user": actor.user.pk},
        is_drill=True,
    )
    return saved


def photos_of(rating: Rating) -> list[Document]:
    return list(documents.documents_of(rating).filter(kind=PHOTO_KIND).order_by("pk"))


@dataclass
class ObjectiveRatings:
    objective: Objective
    ratings: list[Rating]

    @property
    def worst(self) -> str:
        """The lowest rating given (the report counts an objective by it)."""
        order = list(Rating.Scale.values)
        given = [r.rating for r in self.ratings]
        return max(given, key=order.index) if given else ""


def ratings_by_objective(drill: Drill) -> list[ObjectiveRatings]:
    ratings: dict[int, list[Rating]] = {}
    for row in Rating.objects.filter(objective__drill=drill).select_related("evaluator"):
        ratings.setdefault(row.objective_id, []).append(row)
    return [
        ObjectiveRatings(o, ratings.get(o.pk, []))
        for o in drill.objectives.select_related("version__plan")
    ]


# --- feedback -------------------------------------------------------------------------


def _score(value: object, path: str, errors: Errors) -> int | None:
    number = None if isinstance(value, bool) else fields.whole_number(value, most=SCORE_MAX)
    if number is None or number < SCORE_MIN:
        errors[path] = [_("Choose a score from 1 to 5.")]
        return None
    return number


@transaction.atomic
def give_feedback(drill: Drill, data: Mapping[str, Any], *, actor: Actor) -> Feedback:
    """A participant's answers once the drill has ended; given again, they replace the
    earlier ones (one row per participant) until the report is approved."""
    current = Drill.objects.select_for_update().get(pk=drill.pk)
    if not is_participant(actor.user, current):
        raise PermissionDenied(_("Only the drill's participants give feedback."))
    if current.report_approved_at is not None or current.state == Drill.State.EVALUATED:
        raise ValidationError(
            {"state": [_("The report is approved: the evaluation can no longer change.")]}
        )
    if current.state != Drill.State.ENDED:
        raise ValidationError({"state": [_("Feedback is given once the drill has ended.")]})
    errors: Errors = {}
    clean: dict[str, Any] = {}
    for name, _label in ASPECTS:
        clean[name] = _score(data.get(name), name, errors)
        clean[f"{name}_note"] = _text(data.get(f"{name}_note"), f"{name}_note", NOTE_MAX, errors)
    clean["other"] = _text(data.get("other"), "other", OTHER_MAX, errors)
    if errors:
        raise ValidationError(errors)
    assert actor.user is not None
    row = Feedback.objects.filter(drill=current, user=actor.user).first()
    before = {name: getattr(row, name) for name, _l in ASPECTS} if row else {}
    if row is None:
        row = Feedback(drill=current, user=actor.user)
    for name, value in clean.items():
        setattr(row, name, value)
    row.save()
    audit.record(
        actor=actor,
        action="drills.feedback.save",
        obj=row,
        object_repr=current.title,
        before=before,
        after={name: clean[name] for name, _l in ASPECTS},
    )
    timeline.record(
        current,
        "drill.feedback",
        _("%(name)s gave feedback") % {"name": actor.user.display_name},
        actor=actor,
        data={"feedback": row.pk, "user": actor.user.pk},
        is_drill=True,
    )
    return row


@dataclass
class Aspect:
    code: str
    label: str
    count: int = 0
    average: float | None = None
    low: int = 0  # answers at or below LOW
    low_words: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    @property
    def is_low(self) -> bool:
        return self.low > 0


@dataclass
class FeedbackSummary:
    answered: int
    participants: int
    aspects: list[Aspect]
    other: list[str]


def feedback_summary(drill: Drill) -> FeedbackSummary:
    rows = list(Feedback.objects.filter(drill=drill).order_by("pk"))
    aspects = []
    for code, label in ASPECTS:
        scores = [getattr(r, code) for r in rows]
        aspect = Aspect(code, str(label), count=len(scores))
        if scores:
            aspect.average = round(sum(scores) / len(scores), 1)
        for row in rows:
            note = getattr(row, f"{code}_note")
            if getattr(row, code) <= LOW:
                aspect.low += 1
                # The same words from several people are said once.
                if note and note not in aspect.low_words:
                    aspect.low_words.append(note)
            if note and note not in aspect.words:
                aspect.words.append(note)
        aspects.append(aspect)
    return FeedbackSummary(
        answered=len(rows),
        participants=drill.participants.count(),
        aspects=aspects,
        other=[r.other for r in rows if r.other],
    )


# --- the drill page's section ---------------------------------------------------------


def context_for(drill: Drill, user: User) -> dict[str, Any]:
    """What ``drills/_detail_evaluation.html`` shows on the drill's page."""
    from yingji.drills import report

    return {
        "may_rate": may_rate(user, drill) and is_open(drill),
        "is_evaluator": may_rate(user, drill),
        "may_give_feedback": is_participant(user, drill) and feedback_open(drill),
        "my_feedback": Feedback.objects.filter(drill=drill, user=user).first()
        if user.is_authenticated
        else None,
        "may_see_report": report.may_see(user, drill),
        "report_state": report.state_of(drill),
    }
