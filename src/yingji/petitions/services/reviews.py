"""Reviews: what follows the written reply, on the petitioner's side (finding the case by
its receipt code, rating the outcome, asking for 复查) and on the reviewing bodies' (复查
and 复核 opinions, hearings, reopening a case rated not satisfied). They belong together
because they are one sequence: a rating can send the case back to handling, and each review
step closes one of the 30-day windows of 信访工作条例 第三十五条 and 第三十六条 and opens the
next, which can only be checked when read in order.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.petitions import letters
from yingji.petitions.models import (
    FollowUp,
    Petition,
    Review,
)
from yingji.petitions.services.handling import delivery_errors, open_deadline
from yingji.petitions.services.intake import RECEIPT_LENGTH, receipt_hash
from yingji.timeline import services as timeline

# --- the petitioner's side: status, rating, review ----------------------------------------


def find_by_receipt(code: str) -> Petition | None:
    """The one petition a receipt code opens, or None: never anyone else's."""
    if not code or len(code.replace("-", "").strip()) < RECEIPT_LENGTH:
        return None
    return (
        Petition.objects.select_related("category", "unit")
        .filter(receipt_hash=receipt_hash(code))
        .first()
    )


# The stages past a 复查 request: a second one is refused with what applies instead.
AFTER_REVIEW = (
    Petition.Stage.UNDER_REVIEW,
    Petition.Stage.REVIEWED,
    Petition.Stage.UNDER_RECHECK,
    Petition.Stage.FINAL,
)


def concluded_message() -> str:
    return _(
        "This matter is concluded: the re-review (复核) opinion is final, and no further "
        "review or re-review is available. A complaint on the same facts and reasons is not "
        "accepted again (信访工作条例 第三十五条、第三十六条)."
    )


def after_review_message(petition: Petition) -> str:
    """Why a 复查 cannot be asked for at this stage, and what applies instead."""
    if petition.stage == Petition.Stage.FINAL:
        return concluded_message()
    if petition.stage == Petition.Stage.UNDER_REVIEW:
        return _("A review (复查) of this reply is already under way.")
    return _(
        "The review (复查) has been decided. If you disagree with its opinion, ask for a "
        "re-review (复核) within 30 days of receiving it (信访工作条例 第三十六条)."
    )


RATEABLE = (Petition.Stage.REPLIED, Petition.Stage.UNDER_REVIEW, Petition.Stage.CLOSED)


@transaction.atomic
def rate(
    petition: Petition, *, actor: Actor, rating: str, comment: str = "", by_petitioner: bool
) -> FollowUp:
    """回访 or the petitioner's own rating of the outcome."""
    errors: dict[str, list[str]] = {}
    if petition.stage not in RATEABLE:
        errors["rating"] = [_("The outcome can be rated once the written reply is issued.")]
    if rating not in FollowUp.Rating.values:
        errors["rating"] = [_("Choose satisfied, basically satisfied, or not satisfied.")]
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp.objects.create(
        petition=petition,
        by=FollowUp.By.PETITIONER if by_petitioner else FollowUp.By.STAFF,
        rating=rating,
        comment=comment.strip()[:2000],
        at=timezone.now(),
        staff=actor.user,
    )
    # The follow-up answers every reply issued up to now.
    Petition.objects.filter(pk=petition.pk).update(awaiting_rating_since=None)
    audit.record(actor=actor, action="petitions.petition.rate", obj=petition, fields=["rating"])
    timeline.record(petition, "petition.rated", rating, actor=actor)
    return follow_up


@transaction.atomic
def reopen(petition: Petition, *, actor: Actor, reason: str) -> Petition:
    """A supervisor reopens a case whose outcome was rated not satisfied."""
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    latest = current.follow_ups.order_by("-at", "-pk").first()
    errors: dict[str, list[str]] = {}
    if latest is None or latest.rating != FollowUp.Rating.UNSATISFIED:
        errors["rating"] = [_("Only a case rated not satisfied can be reopened.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason.")]
    if current.stage != Petition.Stage.REPLIED:
        errors["stage"] = [_("Only an answered case can be reopened.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.stage = Petition.Stage.HANDLING
    current.save(update_fields=["stage", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.reopen", obj=current, before=before)
    timeline.record(current, "petition.reopened", reason.strip(), actor=actor)
    window = open_deadline(current, "petition.review_request")
    if window is not None:
        clock.cancel(window, actor=actor, reason=_("Reopened for handling."))
    clock.start(current, "petition.handling", actor=actor, unit=current.unit)
    return current


@transaction.atomic
def request_review(
    petition: Petition, *, actor: Actor, reasons: str, by_petitioner: bool = True
) -> Review:
    """复查: within 30 days of receiving the written reply, to the body one level above."""
    current = (
        Petition.objects.select_for_update(of=("self",))
        .select_related("unit__parent")
        .get(pk=petition.pk)
    )
    window = open_deadline(current, "petition.review_request")
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not reasons.strip():
        errors["reasons"] = [_("Say why the reply should be reviewed.")]
    if current.stage in AFTER_REVIEW:
        errors["review"] = [after_review_message(current)]
    elif current.stage != Petition.Stage.REPLIED or window is None:
        closed = clock.latest_deadline(current, "petition.review_request")
        if closed is not None and closed.due_at < now:
            due = timezone.localtime(closed.due_at)
            errors["review"] = [
                _(
                    "The 30 days for requesting a review ended on %(date)s "
                    "(信访工作条例 第三十五条)."
                )
                % {"date": f"{due:%Y-%m-%d}"}
            ]
        else:
            errors["review"] = [
                _("A review can be requested once the written reply has been delivered.")
            ]
    elif window.due_at < now:
        due = timezone.localtime(window.due_at)
        errors["review"] = [
            _("The 30 days for requesting a review ended on %(date)s (信访工作条例 第三十五条).")
            % {"date": f"{due:%Y-%m-%d}"}
        ]
    reviewer = current.unit.parent
    if reviewer is None:
        errors.setdefault("review", []).append(_("There is no body above the one that replied."))
    if errors:
        raise ValidationError(errors)
    assert window is not None and reviewer is not None
    review = Review.objects.create(
        petition=current,
        unit=reviewer,
        requested_at=now,
        reasons=reasons.strip(),
        by_petitioner=by_petitioner,
    )
    before = audit.snapshot(current)
    current.stage = Petition.Stage.UNDER_REVIEW
    current.save(update_fields=["stage", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.review", obj=current, before=before)
    timeline.record(current, "petition.review_requested", reasons.strip(), actor=actor)
    clock.meet(window, actor=actor, at=now)
    clock.start(current, "petition.review_decision", actor=actor, unit=reviewer, started_at=now)
    return review


# --- review decisions, 复核 and hearings --------------------------------------------------

REVIEW_LETTER_TITLES = {
    Review.Level.REVIEW: "信访事项复查意见书",
    Review.Level.RECHECK: "信访事项复核意见书",
}


@transaction.atomic
def decide_review(review: Review, *, actor: Actor, outcome: str, opinion: str) -> Review:
    """The reviewing body's opinion: 复查 opens the 复核 window, 复核 ends the matter."""
    current = (
        Review.objects.select_for_update(of=("self",))
        .select_related("petition", "unit")
        .get(pk=review.pk)
    )
    errors: dict[str, list[str]] = {}
    if current.decided_at is not None:
        errors["outcome"] = [_("This review has already been decided.")]
    if outcome not in Review.Outcome.values:
        errors["outcome"] = [_("Choose uphold, change, or revoke.")]
    if not opinion.strip():
        errors["opinion"] = [_("Write the opinion.")]
    if errors:
        raise ValidationError(errors)
    at = timezone.now()
    petition = Petition.objects.select_for_update().get(pk=current.petition_id)
    current.outcome = outcome
    current.opinion = opinion.strip()
    current.decided_at = at
    current.document = letters.review_opinion(current, actor=actor)
    current.save()
    before = audit.snapshot(petition)
    final = current.level == Review.Level.RECHECK
    petition.stage = Petition.Stage.FINAL if final else Petition.Stage.REVIEWED
    petition.save(update_fields=["stage", "updated_at"])
    audit.record_update(
        actor=actor, action=f"petitions.{current.level}.decide", obj=petition, before=before
    )
    timeline.record(petition, f"petition.{current.level}_decided", outcome, actor=actor)
    running = open_deadline(petition, f"petition.{current.level}_decision")
    if running is not None:
        clock.meet(running, actor=actor, at=at)
    # The 复核 window opens when the opinion reaches the petitioner (deliver_review).
    return current


@transaction.atomic
def deliver_review(review: Review, *, actor: Actor, delivered_at: datetime, method: str) -> Review:
    """Record when a 复查 or 复核 opinion reached the petitioner (送达); a 复查 opinion's
    delivery opens the 30 days for requesting a 复核 (信访工作条例 第三十六条)."""
    current = (
        Review.objects.select_for_update(of=("self",))
        .select_related("petition", "unit")
        .get(pk=review.pk)
    )
    if current.decided_at is None:
        raise ValidationError(
            {"delivered_at": [_("The opinion can be delivered once it has been given.")]}
        )
    errors = delivery_errors(
        recorded=current.delivered_at,
        issued_at=current.decided_at,
        delivered_at=delivered_at,
        method=method,
        too_early=_("The opinion cannot arrive before it was given."),
    )
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.delivered_at = delivered_at
    current.delivery_method = method.strip()[:40]
    current.save(update_fields=["delivered_at", "delivery_method"])
    audit.record_update(
        actor=actor, action=f"petitions.{current.level}.deliver", obj=current, before=before
    )
    petition = current.petition
    timeline.record(
        petition,
        f"petition.{current.level}_delivered",
        method.strip(),
        actor=actor,
        happened_at=delivered_at,
    )
    if current.level == Review.Level.REVIEW and petition.stage == Petition.Stage.REVIEWED:
        clock.start(
            petition,
            "petition.recheck_request",
            actor=actor,
            unit=current.unit,
            started_at=delivered_at,
        )
    return current


@transaction.atomic
def request_recheck(
    petition: Petition, *, actor: Actor, reasons: str, by_petitioner: bool = True
) -> Review:
    """复核: within 30 days of receiving the review opinion, to the body above the
    reviewing body."""
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    window = open_deadline(current, "petition.recheck_request")
    last = current.reviews.filter(level=Review.Level.REVIEW).select_related("unit__parent").last()
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not reasons.strip():
        errors["reasons"] = [_("Say why the review opinion should be re-reviewed.")]
    if current.stage == Petition.Stage.FINAL:
        errors["recheck"] = [concluded_message()]
    elif current.stage == Petition.Stage.UNDER_RECHECK:
        errors["recheck"] = [_("A re-review (复核) of the review opinion is already under way.")]
    elif current.stage == Petition.Stage.REVIEWED and last is not None and window is None:
        closed = clock.latest_deadline(current, "petition.recheck_request")
        if closed is not None and closed.due_at < now:
            due = timezone.localtime(closed.due_at)
            errors["recheck"] = [
                _(
                    "The 30 days for requesting a re-review ended on %(date)s "
                    "(信访工作条例 第三十六条)."
                )
                % {"date": f"{due:%Y-%m-%d}"}
            ]
        else:
            errors["recheck"] = [
                _("A re-review can be requested once the review opinion has been delivered.")
            ]
    elif current.stage != Petition.Stage.REVIEWED or window is None or last is None:
        errors["recheck"] = [
            _("A re-review can be requested once a review opinion has been given.")
        ]
    elif window.due_at < now:
        due = timezone.localtime(window.due_at)
        errors["recheck"] = [
            _("The 30 days for requesting a re-review ended on %(date)s (信访工作条例 第三十六条).")
            % {"date": f"{due:%Y-%m-%d}"}
        ]
    elif last.unit.parent is None:
        errors["recheck"] = [_("There is no body above the one that reviewed.")]
    if errors:
        raise ValidationError(errors)
    assert window is not None and last is not None and last.unit.parent is not None
    recheck = Review.objects.create(
        petition=current,
        level=Review.Level.RECHECK,
        unit=last.unit.parent,
        requested_at=now,
        reasons=reasons.strip(),
        by_petitioner=by_petitioner,
    )
    before = audit.snapshot(current)
    current.stage = Petition.Stage.UNDER_RECHECK
    current.save(update_fields=["stage", "updated_at"])
    audit.record_update(
        actor=actor, action="petitions.petition.recheck", obj=current, before=before
    )
    timeline.record(current, "petition.recheck_requested", reasons.strip(), actor=actor)
    clock.meet(window, actor=actor, at=now)
    clock.start(
        current, "petition.recheck_decision", actor=actor, unit=recheck.unit, started_at=now
    )
    return recheck


@transaction.atomic
def start_hearing(
    petition: Petition, *, actor: Actor, reason: str = "", at: datetime | None = None
) -> Deadline:
    """A hearing (听证): its time is not counted in the 复核 period (第三十六条)."""
    running = open_deadline(petition, "petition.recheck_decision")
    if running is None or running.state != Deadline.State.RUNNING:
        raise ValidationError({"hearing": [_("A hearing pauses a running re-review period.")]})
    paused = clock.pause(running, actor=actor, reason=reason.strip() or _("Hearing (听证)"), at=at)
    timeline.record(petition, "petition.hearing_started", reason.strip(), actor=actor)
    return paused


@transaction.atomic
def end_hearing(petition: Petition, *, actor: Actor, at: datetime | None = None) -> Deadline:
    running = open_deadline(petition, "petition.recheck_decision")
    if running is None or running.state != Deadline.State.PAUSED:
        raise ValidationError({"hearing": [_("No hearing is under way.")]})
    resumed = clock.resume(running, actor=actor, at=at)
    timeline.record(petition, "petition.hearing_ended", "", actor=actor)
    return resumed
