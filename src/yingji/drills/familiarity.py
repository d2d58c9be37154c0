"""The plan familiarity check (熟悉预案测验): before or during a drill, each participant
answers a few multiple-choice questions generated from the plan version the drill
exercises — which group they are in, their group's duties, their step's time limit, whom
they report to, where a supply the plan requires is kept.

Every question comes from the plan's own data and the stock actually held in the plan
owner's area; a question the data cannot support is left out, never made up. The
questions (with the right answers) are kept on the ``Check`` when it is generated, so a
later plan version never changes a past score.

Who takes it: the drill's participants and whoever holds a post of a participating
group (``response.holder_of``, the rule the response staffs groups with). Someone
holding no post of a group (no post at all, or a post of the command body) gets the
questions that need no group of their own: which group does a step, what a group's
duties are, a step's time limit, whom a command-body post reports to, where a supply is.

Privacy: a person's result is for them and their leaders (perm ``drills.view_scores``
and the person's unit in the leader's emergency jurisdiction). Controllers, evaluators,
planners and leaders see figures by group and by unit, without names; a figure of fewer
than ``MIN_SHOWN`` people shows no average to someone who may not see each of them, as
it would be their score. Other participants see their own result only.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.drills.familiarity_scores import (
    Figure,
    PersonResult,
    Scores,
    may_see_figures,
    may_see_result,
    percent,
    scores_for,
    scores_visible_to,
)
from yingji.drills.models import Check, Drill
from yingji.org.models import Unit
from yingji.plans.labels import LEVEL_LABELS
from yingji.plans.models import Group, PlanVersion, Post, Requirement, Step
from yingji.timeline import services as timeline

Errors = dict[str, list[str]]

OPTIONS = 4  # options per question, fewer when the plan has fewer
MAX_ANSWERS = 100  # a bound on what a client may send, far above any check's length
DUTIES_SHOWN = 60  # duties are shortened to this many characters in an option
ACTION_SHOWN = 60

# A check is generated before or during the drill; answers are taken until it is
# evaluated (someone who opened it as the drill ended may still send it).
OPEN_STATES = (Drill.State.PLANNED, Drill.State.RUNNING, Drill.State.PAUSED)
ANSWER_STATES = (*OPEN_STATES, Drill.State.ENDED)


class Kind:
    """What a question asks (``question["kind"]``)."""

    GROUP = "group"  # which group am I in
    DUTIES = "duties"  # what are my group's duties
    LIMIT = "limit"  # a step's time limit (mine, or any step for someone in no group)
    REPORT = "report_to"  # whom do I report to
    SUPPLY = "supply"  # which warehouse holds a supply the plan requires
    STEP_GROUP = "step_group"  # which group does a step (for someone in no group)
    GROUP_DUTIES = "group_duties"  # what are a named group's duties (in no group)


# --- who takes the check, and from which version ------------------------------------------


@dataclass(frozen=True)
class Seat:
    """Where a participant sits in the plan: the version their check comes from, the
    post they hold there (None: no post in any version exercised) and its group (None
    also for a post of the command body)."""

    user: User
    version: PlanVersion
    post: Post | None = None

    @property
    def group(self) -> Group | None:
        return None if self.post is None else self.post.group


def _versions(drill: Drill) -> list[PlanVersion]:
    return list(drill.plan_versions.select_related("plan__owner").order_by("pk"))


def _holdings(drill: Drill, versions: Sequence[PlanVersion]) -> dict[int, tuple[User, list[Post]]]:
    """Each holder of a post of the versions, with their posts in order of preference:
    a participating group's first, then other groups', then the command body's."""
    from yingji.incidents.services.response import holder_of

    chosen = set(drill.groups.values_list("pk", flat=True))
    found: dict[int, tuple[User, list[tuple[tuple[int, int, int, int], Post]]]] = {}
    for index, version in enumerate(versions):
        owner = version.plan.owner
        for post in version.posts.select_related("group", "person").order_by("sort", "pk"):
            user = holder_of(post, owner)
            if user is None:
                continue
            rank = 0 if post.group_id in chosen else 1 if post.group_id else 2
            entry = found.setdefault(user.pk, (user, []))
            entry[1].append(((rank, index, post.sort, post.pk), post))
    return {
        pk: (user, [post for _key, post in sorted(posts, key=lambda p: p[0])])
        for pk, (user, posts) in found.items()
    }


class Roster:
    """The drill's participants and their seats, computed once (holding a post is a
    query per post)."""

    def __init__(self, drill: Drill) -> None:
        self.drill = drill
        self.versions = _versions(drill)
        self.holdings = _holdings(drill, self.versions)
        chosen = set(drill.groups.values_list("pk", flat=True))
        people: dict[int, User] = {
            u.pk: u
            for u in drill.participants.filter(is_active=True).select_related("unit", "person")
        }
        for pk, (user, posts) in self.holdings.items():
            if any(p.group_id in chosen for p in posts) and user.is_active:
                people.setdefault(pk, user)
        self.people = people

    def seat(self, user: User) -> Seat | None:
        """The user's seat, or None when they do not take part."""
        if user.pk not in self.people or not self.versions:
            return None
        held = self.holdings.get(user.pk)
        if held and held[1]:
            post = held[1][0]
            version = next(v for v in self.versions if v.pk == post.version_id)
            return Seat(self.people[user.pk], version, post)
        return Seat(self.people[user.pk], self.versions[0])


def seat_for(drill: Drill, user: User) -> Seat | None:
    return Roster(drill).seat(user)


# --- generating the questions -------------------------------------------------------------


def _short(text: str, most: int) -> str:
    plain = " ".join(text.split())
    return plain if len(plain) <= most else plain[: most - 1] + "…"


def _rng(drill: Drill, user: User, version: PlanVersion) -> random.Random:
    """The same draw for the same check: generating it again gives the same questions.
    Keyed with the secret key: a seed anyone could compute would tell where the right
    answer was shuffled to."""
    message = f"familiarity:{drill.pk}:{user.pk}:{version.pk}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    # Not for secrecy: the order of options, reproducible from the keyed seed.
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311


def _question(
    kind: str, about: dict[str, Any], right: Any, others: Iterable[Any], rng: random.Random
) -> dict[str, Any] | None:
    """A question with the right option and up to three others drawn from ``others``
    (in plan order, so the draw repeats); None when no other option exists."""
    pool = [o for o in dict.fromkeys(others) if o != right]
    picked = rng.sample(pool, min(OPTIONS - 1, len(pool)))
    if not picked:
        return None
    options = [right, *picked]
    rng.shuffle(options)
    return {"kind": kind, "about": about, "options": options, "answer": options.index(right)}


def _steps(version: PlanVersion) -> list[Step]:
    return list(
        Step.objects.filter(level__version=version)
        .select_related("level", "group")
        .order_by("level__level", "sort", "pk")
    )


def _limit_question(step: Step, steps: Sequence[Step], rng: random.Random) -> dict[str, Any]:
    right = int(step.within_minutes or 0)
    plan_limits = sorted({int(s.within_minutes) for s in steps if s.within_minutes} - {right})
    picked = rng.sample(plan_limits, min(OPTIONS - 1, len(plan_limits)))
    # Too few other limits in the plan: multiples of the right one, which read as
    # plausible limits (15 → 30, 45, 60).
    for candidate in (right * 2, right * 3, right // 2, right * 4, right * 6):
        if len(picked) >= OPTIONS - 1:
            break
        if candidate >= 1 and candidate != right and candidate not in picked:
            picked.append(candidate)
    options = [right, *picked]
    rng.shuffle(options)
    return {
        "kind": Kind.LIMIT,
        "about": {"level": step.level.level, "action": _short(step.action, ACTION_SHOWN)},
        "options": options,
        "answer": options.index(right),
    }


def _post_label(post: Post, holder: User, version: PlanVersion) -> str:
    where = post.group.name if post.group is not None else version.command_name
    return f"{where}{post.title} {holder.display_name}".strip()


def _head_post(version: PlanVersion) -> Post | None:
    """The command body's head: its lead post, else its first."""
    posts = version.posts.filter(group__isnull=True)
    return (
        posts.filter(is_lead=True).order_by("sort", "pk").first()
        or posts.order_by("sort", "pk").first()
    )


def _report_question(seat: Seat, rng: random.Random) -> dict[str, Any] | None:
    """A member reports to their group's lead; a lead, or a member of the command body,
    reports to the command body's head. Named by post and name, with others who hold
    posts of the version as the other options."""
    from yingji.incidents.services.response import holder_of

    post, version = seat.post, seat.version
    if post is None:
        return None
    if post.group is not None and not post.is_lead:
        target = (
            version.posts.filter(group=post.group, is_lead=True)
            .exclude(pk=post.pk)
            .order_by("sort", "pk")
            .first()
        )
    else:
        target = _head_post(version)
    if target is None or target.pk == post.pk:
        return None
    owner = version.plan.owner
    holder = holder_of(target, owner)
    if holder is None or holder.pk == seat.user.pk:
        return None
    right = _post_label(target, holder, version)
    others = []
    for other in version.posts.select_related("group", "person").order_by("sort", "pk"):
        if other.pk in (target.pk, post.pk):
            continue
        someone = holder_of(other, owner)
        if someone is not None and someone.pk not in (holder.pk, seat.user.pk):
            others.append(_post_label(other, someone, version))
    return _question(Kind.REPORT, {}, right, others, rng)


def _supply_question(version: PlanVersion, rng: random.Random) -> dict[str, Any] | None:
    """Where a supply the plan requires is kept: a warehouse of the plan owner's area
    that holds usable stock of it (the one holding most), against warehouses of the area
    that hold none. A supply with no stock anywhere in the area is not asked about."""
    from yingji.resources.models import Equipment, Movement, Warehouse, office_today, unexpired

    area = Unit.objects.subtree(version.plan.owner)
    warehouses = list(
        Warehouse.objects.filter(unit__in=area, is_active=True).order_by("unit__path", "name")
    )
    if len(warehouses) < 2:
        return None
    today = office_today()
    candidates = []
    for requirement in version.requirements.filter(kind=Requirement.Kind.SUPPLY).order_by(
        "sort", "pk"
    ):
        held: dict[int, int] = {}
        stock = (
            Movement.objects.filter(
                lot__item__name=requirement.name,
                lot__warehouse__in=warehouses,
            )
            .filter(unexpired(today, "lot__"))
            .values_list("lot__warehouse_id")
            .annotate(total=Sum("hundredths"))
        )
        for warehouse_id, total in stock:
            if total and total > 0:
                held[warehouse_id] = held.get(warehouse_id, 0) + int(total)
        equipment = Equipment.objects.filter(
            name=requirement.name,
            warehouse__in=warehouses,
            is_usable=True,
            is_active=True,
        ).values_list("warehouse_id", flat=True)
        for warehouse_id in equipment:
            held[warehouse_id] = held.get(warehouse_id, 0) + 100
        if held and len(held) < len(warehouses):
            candidates.append((requirement, held))
    if not candidates:
        return None
    requirement, held = rng.choice(candidates)
    best = max(held, key=lambda pk: (held[pk], -pk))
    names = {w.pk: w.name for w in warehouses}
    right = names[best]
    held_names = {names[pk] for pk in held}
    others = [w.name for w in warehouses if w.pk not in held and w.name not in held_names]
    return _question(Kind.SUPPLY, {"supply": requirement.name}, right, others, rng)


def questions_for(seat: Seat, drill: Drill) -> list[dict[str, Any]]:
    """The questions of a seat's check, each with its right answer."""
    version, user = seat.version, seat.user
    rng = _rng(drill, user, version)
    groups = list(version.groups.order_by("sort", "pk"))
    steps = _steps(version)
    timed = [s for s in steps if s.within_minutes]
    found: list[dict[str, Any] | None] = []
    mine = seat.group
    if mine is not None:
        found.append(
            _question(Kind.GROUP, {}, mine.name, [g.name for g in groups if g.pk != mine.pk], rng)
        )
        if mine.duties.strip():
            found.append(
                _question(
                    Kind.DUTIES,
                    {},
                    _short(mine.duties, DUTIES_SHOWN),
                    [_short(g.duties, DUTIES_SHOWN) for g in groups if g.duties.strip()],
                    rng,
                )
            )
        my_steps = [s for s in timed if s.group_id == mine.pk]
        if my_steps:
            found.append(_limit_question(rng.choice(my_steps), steps, rng))
    else:
        # In no group: the plan's groups as a whole, favouring those the drill exercises.
        chosen = set(drill.groups.values_list("pk", flat=True))
        near = [s for s in steps if s.group_id in chosen] or steps
        if near and len(groups) >= 2:
            step = rng.choice(near)
            found.append(
                _question(
                    Kind.STEP_GROUP,
                    {"level": step.level.level, "action": _short(step.action, ACTION_SHOWN)},
                    step.group.name,
                    [g.name for g in groups],
                    rng,
                )
            )
        with_duties = [g for g in groups if g.duties.strip()]
        named = [g for g in with_duties if g.pk in chosen] or with_duties
        if named:
            group = rng.choice(named)
            found.append(
                _question(
                    Kind.GROUP_DUTIES,
                    {"group": group.name},
                    _short(group.duties, DUTIES_SHOWN),
                    [_short(g.duties, DUTIES_SHOWN) for g in with_duties],
                    rng,
                )
            )
        near_timed = [s for s in timed if s.group_id in chosen] or timed
        if near_timed:
            found.append(_limit_question(rng.choice(near_timed), steps, rng))
    found.append(_report_question(seat, rng))
    found.append(_supply_question(version, rng))
    return [q for q in found if q is not None]


# --- reading a question in the reader's language -------------------------------------------


def prompt(question: dict[str, Any]) -> str:
    about = question.get("about") or {}
    kind = question.get("kind")
    number = about.get("level")
    level = LEVEL_LABELS.get(number, number) if isinstance(number, int) else ""
    if kind == Kind.GROUP:
        return _("Which working group are you in?")
    if kind == Kind.DUTIES:
        return _("What are your group's duties?")
    if kind == Kind.LIMIT:
        return _("At %(level)s, within how many minutes must “%(action)s” be done?") % {
            "level": level,
            "action": about.get("action", ""),
        }
    if kind == Kind.REPORT:
        return _("Whom do you report to?")
    if kind == Kind.SUPPLY:
        return _("Which warehouse holds %(supply)s, a supply the plan requires?") % {
            "supply": about.get("supply", "")
        }
    if kind == Kind.STEP_GROUP:
        return _("At %(level)s, which group does “%(action)s”?") % {
            "level": level,
            "action": about.get("action", ""),
        }
    if kind == Kind.GROUP_DUTIES:
        return _("What are the duties of %(group)s?") % {"group": about.get("group", "")}
    return str(kind)


def option_text(question: dict[str, Any], option: Any) -> str:
    if question.get("kind") == Kind.LIMIT:
        return _("%(n)s minutes") % {"n": option}
    return str(option)


@dataclass(frozen=True)
class Shown:
    """A question as a page or the API shows it: the answer chosen and the right one
    only once ``reveals``."""

    number: int
    text: str
    options: list[str]
    chosen: int | None = None
    right: int | None = None

    @property
    def correct(self) -> bool:
        return self.chosen is not None and self.chosen == self.right


def reveals(check: Check) -> bool:
    """Whether the right answers are shown: once taken and the drill is past its open
    states, so that those who took it early do not pass the answers to the rest."""
    return check.taken_at is not None and check.drill.state not in OPEN_STATES


def shown(check: Check) -> list[Shown]:
    taken = reveals(check)
    answers = list(check.answers or [])
    out = []
    for i, question in enumerate(check.questions):
        out.append(
            Shown(
                number=i + 1,
                text=prompt(question),
                options=[option_text(question, o) for o in question["options"]],
                chosen=answers[i] if taken and i < len(answers) else None,
                right=question["answer"] if taken else None,
            )
        )
    return out


# --- taking the check ----------------------------------------------------------------------


def check_of(drill: Drill, user: User) -> Check | None:
    return Check.objects.filter(drill=drill, user=user).select_related("version__plan").first()


def _refuse_state(drill: Drill) -> None:
    raise ValidationError(
        {
            "state": [
                _("The drill is %(state)s: its plan familiarity check can no longer be taken.")
                % {"state": drill.get_state_display()}
            ]
        }
    )


@transaction.atomic
def start_check(drill: Drill, *, actor: Actor) -> Check:
    """The actor's check of the drill: generated the first time (before or during the
    drill), the same one after. Someone who does not take part is refused (403)."""
    user = actor.user
    if user is None:
        raise PermissionDenied
    current = Drill.objects.select_for_update().get(pk=drill.pk)
    existing = check_of(current, user)
    if existing is not None:
        if existing.taken_at is None and current.state not in ANSWER_STATES:
            _refuse_state(current)
        return existing
    seat = seat_for(current, user)
    if seat is None:
        raise PermissionDenied(_("Only the drill's participants take its plan familiarity check."))
    if current.state not in OPEN_STATES:
        _refuse_state(current)
    questions = questions_for(seat, current)
    if not questions:
        raise ValidationError(
            {"check": [_("The plan version holds too little to ask about: there is no check.")]}
        )
    return Check.objects.create(
        drill=current,
        user=user,
        version=seat.version,
        group=seat.group,
        unit=user.unit,
        questions=questions,
        total=len(questions),
    )


def clean_answers(check: Check, raw: Any) -> list[int]:
    """One chosen option (its index) per question, or a message per question."""
    errors: Errors = {}
    total = len(check.questions)
    if not isinstance(raw, (list, tuple)):
        raise ValidationError({"answers": [_("Send one answer per question, in order.")]})
    if len(raw) > total:
        raise ValidationError(
            {"answers": [_("There are %(n)d questions: send one answer for each.") % {"n": total}]}
        )
    chosen: list[int] = []
    for i, question in enumerate(check.questions):
        value = raw[i] if i < len(raw) else None
        count = len(question["options"])
        path = f"answers[{i}]"
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[path] = [_("Answer question %(n)d.") % {"n": i + 1}]
            continue
        index: int | None
        if isinstance(value, bool):
            index = None
        elif isinstance(value, int):
            index = value
        elif isinstance(value, str):
            index = fields.whole_number(value.strip(), most=count)
        else:
            index = None
        if index is None or not 0 <= index < count:
            errors[path] = [
                _("Question %(n)d: choose one of its %(count)d answers.")
                % {"n": i + 1, "count": count}
            ]
            continue
        chosen.append(index)
    if errors:
        raise ValidationError(errors)
    return chosen


@transaction.atomic
def take_check(drill: Drill, answers: Any, *, actor: Actor) -> Check:
    """Send the answers, once. The score is the right answers; the audit entry and the
    drill's timeline record that the check was taken, the timeline without the score."""
    user = actor.user
    if user is None:
        raise PermissionDenied
    current = Drill.objects.select_for_update().get(pk=drill.pk)
    check = Check.objects.select_for_update().filter(drill=current, user=user).first()
    if check is None:
        raise ValidationError({"check": [_("Open the check first: it has no questions yet.")]})
    if check.taken_at is not None:
        raise ValidationError(
            {
                "check": [
                    _("You took this check at %(when)s; it cannot be taken again.")
                    % {"when": timezone.localtime(check.taken_at).strftime("%Y-%m-%d %H:%M")}
                ]
            }
        )
    if current.state not in ANSWER_STATES:
        _refuse_state(current)
    chosen = clean_answers(check, answers)
    check.answers = chosen
    check.score = sum(1 for q, a in zip(check.questions, chosen, strict=True) if q["answer"] == a)
    check.total = len(check.questions)
    check.taken_at = timezone.now()
    check.save(update_fields=["answers", "score", "total", "taken_at"])
    audit.record(
        actor=actor,
        action="drills.check.take",
        obj=check,
        object_repr=current.title,
        after={"drill": current.pk, "score": check.score, "total": check.total},
    )
    timeline.record(
        current,
        "check.taken",
        _("%(name)s took the plan familiarity check") % {"name": user.display_name},
        actor=actor,
        data={"check": check.pk, "user": user.pk},
        is_drill=True,
    )
    return check


# --- the drill page's part -----------------------------------------------------------------


def context_for(drill: Drill, user: User) -> dict[str, Any]:
    """What ``drills/_detail_checks.html`` shows, as ``familiarity`` in its context: the
    user's own check (to take, or its result) and whether the scores link is theirs."""
    check = check_of(drill, user) if user.is_authenticated else None
    taken = check is not None and check.taken_at is not None
    may_take = False
    if not taken and user.is_authenticated:
        states = ANSWER_STATES if check is not None else OPEN_STATES
        may_take = drill.state in states and (
            check is not None or seat_for(drill, user) is not None
        )
    return {
        "familiarity": {
            "check": check,
            "taken": taken,
            "percent": percent(check.score, check.total) if taken and check else None,
            "may_take": may_take,
            "may_see_scores": user.is_authenticated and may_see_figures(user, drill),
        }
    }


__all__ = [  # the scores are ``scores``' and read from here too
    "Figure",
    "PersonResult",
    "Scores",
    "context_for",
    "may_see_figures",
    "may_see_result",
    "scores_for",
    "scores_visible_to",
    "start_check",
    "take_check",
]
