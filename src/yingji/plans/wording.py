"""Two versions of a plan compared, as sentences in the reader's language.

compare.py finds what changed and stays free of Django; this module says it: 添加工作组
“医疗救护组”, Ⅲ级（较大）启动条件“涉及人数 ≥ 50”改为“涉及人数 ≥ 30”. Each sentence is
one translatable string with named placeholders, so that a language puts the words in
its own order and its own quotation marks. Values read as their labels (a level, a
condition, a phase, a kind of requirement), people by their names, never as codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from yingji.plans import compare
from yingji.plans import structure as structure_texts
from yingji.plans.labels import condition, level_label, part_label, warning_label
from yingji.plans.models import EventType, Requirement, Safeguard, Step

ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# Fields of the plan's own text too long for a sentence: the sentence names the part and
# the page shows the text as it was and as it is.
LONG_TEXTS = (*structure_texts.TEXTS,)
CYCLE_SETTINGS = {
    "drill_cycle_years": "CLOCK_DRILL_CYCLE_YEARS",
    "review_cycle_years": "CLOCK_PLAN_REVIEW_YEARS",
}
SECTIONS = (
    "groups",
    "posts",
    "warnings",
    "levels",
    "steps",
    "safeguards",
    "requirements",
    "contacts",
)


@dataclass(frozen=True)
class Sentence:
    text: str
    change: str  # ADDED, REMOVED or CHANGED: how the page marks it
    tag: str = ""  # a short mark after the sentence ("optional")
    before: str = ""  # a long text as it was and as it is now, shown under the sentence
    after: str = ""


@dataclass(frozen=True)
class Part:
    name: str
    label: str
    sentences: list[Sentence]


@dataclass(frozen=True)
class Names:
    """Names for what the structure keeps as codes: event types and people."""

    types: Mapping[str, str] = field(default_factory=dict)  # event-type code -> name
    people: Mapping[int, str] = field(default_factory=dict)  # person id -> name


def names_for(diff: compare.Diff) -> Names:
    """The names of the event types and of the people the comparison mentions."""
    from yingji.org.models import Person

    people = {
        item["person"]
        for item in _items(diff.sections.get("posts"))
        if isinstance(item.get("person"), int)
    }
    return Names(
        types={t.code: str(t) for t in EventType.objects.all()},
        people=dict(Person.objects.filter(pk__in=people).values_list("pk", "name")),
    )


def parts(diff: compare.Diff, names: Names | None = None) -> list[Part]:
    """The sentences part by part (the plan's text, its working groups …), in the order
    of the plan; a part with no change is left out."""
    names = names or Names()
    found = [Part("text", part_label("text"), list(_text(diff.text, names)))]
    for name in SECTIONS:
        section = diff.sections.get(name)
        if section is not None and not section.empty:
            found.append(Part(name, part_label(name), list(WORDINGS[name](section, names))))
    return [part for part in found if part.sentences]


def sentences(diff: compare.Diff, names: Names | None = None) -> list[Sentence]:
    """Every change as one sentence, in the order of the plan."""
    return [sentence for part in parts(diff, names) for sentence in part.sentences]


def _say(change: str, text: str, **extra: str) -> Sentence:
    return Sentence(capfirst(text), change, **extra)


def _items(section: compare.Section | None) -> Iterator[Mapping[str, Any]]:
    if section is not None:
        yield from section.before.values()
        yield from section.after.values()


def _or_none(value: Any) -> str:
    """A value for “…” in a sentence; an empty one reads as a word, not as “”."""
    if value in (None, ""):
        return pgettext("no value", "none")
    return str(value)


# The plan's text and settings.


def _years(name: str, value: Any) -> str:
    if value is None:
        default = getattr(settings, CYCLE_SETTINGS[name])
        return _("the default, %(years)s") % {"years": _years(name, default)}
    return ngettext("%(n)d year", "%(n)d years", value) % {"n": value}


def _text(changes: Iterable[compare.Change], names: Names) -> Iterator[Sentence]:
    for change in changes:
        name = change.key
        before, after = change.fields[name]
        part = part_label(name)
        if name in LONG_TEXTS:
            yield _say(
                CHANGED,
                _("%(part)s changed") % {"part": part},
                before=before or "",
                after=after or "",
            )
        elif name == "event_types":
            yield from _event_types(before or [], after or [], names)
        else:
            if name in CYCLE_SETTINGS:
                before, after = _years(name, before), _years(name, after)
            yield _say(
                CHANGED,
                _("%(part)s changed from “%(before)s” to “%(after)s”")
                % {"part": part, "before": _or_none(before), "after": _or_none(after)},
            )


def _event_types(before: list[str], after: list[str], names: Names) -> Iterator[Sentence]:
    for code in after:
        if code not in before:
            yield _say(
                ADDED,
                _("Event type “%(type)s” added to those the plan covers")
                % {"type": names.types.get(code, code)},
            )
    for code in before:
        if code not in after:
            yield _say(
                REMOVED,
                _("Event type “%(type)s” removed from those the plan covers")
                % {"type": names.types.get(code, code)},
            )


# Working groups and posts.


def _groups(section: compare.Section, names: Names) -> Iterator[Sentence]:
    for key in section.added:
        yield _say(ADDED, _("Working group “%(group)s” added") % {"group": key})
    for key in section.removed:
        yield _say(REMOVED, _("Working group “%(group)s” removed") % {"group": key})
    for change in section.changed:
        if "duties" in change.fields:
            yield _say(
                CHANGED,
                _("Duties of working group “%(group)s” changed to “%(duties)s”")
                % {"group": change.key, "duties": _or_none(change.fields["duties"][1])},
            )


def _holder(post: Mapping[str, Any], names: Names) -> str:
    """Who holds a post: the person by name, with the position when both are given."""
    person_id = post.get("person")
    person = names.people.get(person_id) if isinstance(person_id, int) else None
    position = post.get("position") or ""
    if person and position:
        return _("%(person)s (%(position)s)") % {"person": person, "position": position}
    return person or position or _or_none(None)


def _post(
    post: Mapping[str, Any],
    names: Names,
    in_group: str,
    in_command: str,
) -> str:
    """A sentence about a post, in the words for a group's post or the command body's."""
    words = {
        "post": post.get("title") or "",
        "group": post.get("group") or "",
        "holder": _holder(post, names),
    }
    return (in_group if post.get("group") else in_command) % words


def _posts(section: compare.Section, names: Names) -> Iterator[Sentence]:
    """A post is known by its group, its title and its holder; a post whose holder
    changed is the one left and the one come on the same group and title."""

    def place(post: Mapping[str, Any]) -> tuple[str, str]:
        return (post.get("group") or "", post.get("title") or "")

    come = Counter(place(section.after[key]) for key in section.added)
    gone = Counter(place(section.before[key]) for key in section.removed)
    held = {spot for spot in come if come[spot] == 1 and gone[spot] == 1}
    pairs = [(section.before[change.key], section.after[change.key]) for change in section.changed]
    for key in section.added:
        post = section.after[key]
        if place(post) in held:
            old = next(
                section.before[k]
                for k in section.removed
                if place(section.before[k]) == place(post)
            )
            pairs.append((old, post))
            continue
        yield _say(
            ADDED,
            _post(
                post,
                names,
                _("Post “%(post)s” added to working group “%(group)s”, held by %(holder)s"),
                _("Post “%(post)s” added to the command body, held by %(holder)s"),
            ),
        )
    for key in section.removed:
        if place(section.before[key]) in held:
            continue
        yield _say(
            REMOVED,
            _post(
                section.before[key],
                names,
                _("Post “%(post)s” of working group “%(group)s” removed (%(holder)s)"),
                _("Post “%(post)s” of the command body removed (%(holder)s)"),
            ),
        )
    for old, post in pairs:
        yield from _post_changes(old, post, names)


def _post_changes(
    old: Mapping[str, Any], post: Mapping[str, Any], names: Names
) -> Iterator[Sentence]:
    former, holder = _holder(old, names), _holder(post, names)
    if former != holder:
        words = {
            "post": post.get("title") or "",
            "group": post.get("group") or "",
            "holder": holder,
        }
        if post.get("group"):
            text = _(
                "Post “%(post)s” of working group “%(group)s” now held by %(holder)s instead "
                "of %(former)s"
            )
        else:
            text = _(
                "Post “%(post)s” of the command body now held by %(holder)s instead of %(former)s"
            )
        yield _say(CHANGED, text % {**words, "former": former})
    if bool(old.get("is_lead")) != bool(post.get("is_lead")) and post.get("group"):
        words = {"post": post.get("title") or "", "holder": holder, "group": post["group"]}
        if post.get("is_lead"):
            text = _("Post “%(post)s” (%(holder)s) now leads working group “%(group)s”")
        else:
            text = _("Post “%(post)s” (%(holder)s) no longer leads working group “%(group)s”")
        yield _say(CHANGED, text % words)


# Warning levels and safeguards: their texts are long, shown as they were and are.


def _warnings(section: compare.Section, names: Names) -> Iterator[Sentence]:
    for key in section.added:
        label = warning_label(section.after[key]["level"])
        yield _say(ADDED, _("%(warning)s added") % {"warning": label})
    for key in section.removed:
        label = warning_label(section.before[key]["level"])
        yield _say(REMOVED, _("%(warning)s removed") % {"warning": label})
    for change in section.changed:
        label = warning_label(section.after[change.key]["level"])
        for name, (before, after) in change.fields.items():
            if name == "criteria":
                text = _("%(warning)s: when it is issued changed") % {"warning": label}
            else:
                text = _("%(warning)s: measures changed") % {"warning": label}
            yield _say(CHANGED, text, before=before or "", after=after or "")


def _safeguard(item: Mapping[str, Any]) -> str:
    return str(item.get("title") or _label(Safeguard.Kind, item.get("kind")))


def _safeguards(section: compare.Section, names: Names) -> Iterator[Sentence]:
    for key in section.added:
        words = {"safeguard": _safeguard(section.after[key])}
        yield _say(ADDED, _("Safeguard “%(safeguard)s” added") % words)
    for key in section.removed:
        words = {"safeguard": _safeguard(section.before[key])}
        yield _say(REMOVED, _("Safeguard “%(safeguard)s” removed") % words)
    for change in section.changed:
        before, after = change.fields.get("text", ("", ""))
        words = {"safeguard": _safeguard(section.after[change.key])}
        text = _("Safeguard “%(safeguard)s” changed") % words
        yield _say(CHANGED, text, before=before or "", after=after or "")


# Levels and their triggers.


def _condition(trigger: Mapping[str, Any], names: Names) -> str:
    return condition(
        str(trigger.get("fact")), str(trigger.get("op")), trigger.get("value"), dict(names.types)
    )


def _judgements(text: Any) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _triggers(
    level: str, before: list[Mapping[str, Any]], after: list[Mapping[str, Any]], names: Names
) -> Iterator[Sentence]:
    """Triggers have no name: those on both sides are the same; of the others, one fact
    left and one come back on the same fact reads as a change, the rest as added or
    removed."""

    def as_key(trigger: Mapping[str, Any]) -> tuple[str, str, str]:
        return (str(trigger.get("fact")), str(trigger.get("op")), repr(trigger.get("value")))

    common = Counter(map(as_key, before)) & Counter(map(as_key, after))
    gone, come = [], []
    kept = Counter(common)
    for trigger in before:
        if kept[as_key(trigger)]:
            kept[as_key(trigger)] -= 1
        else:
            gone.append(trigger)
    kept = Counter(common)
    for trigger in after:
        if kept[as_key(trigger)]:
            kept[as_key(trigger)] -= 1
        else:
            come.append(trigger)
    facts_gone = Counter(str(t.get("fact")) for t in gone)
    facts_come = Counter(str(t.get("fact")) for t in come)
    changed = {fact for fact in facts_gone if facts_gone[fact] == 1 and facts_come[fact] == 1}
    for old in gone:
        if str(old.get("fact")) in changed:
            new = next(t for t in come if str(t.get("fact")) == str(old.get("fact")))
            yield _say(
                CHANGED,
                _("%(level)s: trigger “%(before)s” changed to “%(after)s”")
                % {
                    "level": level,
                    "before": _condition(old, names),
                    "after": _condition(new, names),
                },
            )
    for new in come:
        if str(new.get("fact")) not in changed:
            yield _say(
                ADDED,
                _("%(level)s: trigger “%(condition)s” added")
                % {"level": level, "condition": _condition(new, names)},
            )
    for old in gone:
        if str(old.get("fact")) not in changed:
            yield _say(
                REMOVED,
                _("%(level)s: trigger “%(condition)s” removed")
                % {"level": level, "condition": _condition(old, names)},
            )


def _judgement_changes(level: str, before: Any, after: Any) -> Iterator[Sentence]:
    old, new = _judgements(before), _judgements(after)
    for text in new:
        if text not in old:
            yield _say(
                ADDED,
                _("%(level)s: condition for judgement “%(text)s” added")
                % {"level": level, "text": text},
            )
    for text in old:
        if text not in new:
            yield _say(
                REMOVED,
                _("%(level)s: condition for judgement “%(text)s” removed")
                % {"level": level, "text": text},
            )


def _levels(section: compare.Section, names: Names) -> Iterator[Sentence]:
    for key in section.added:
        item = section.after[key]
        level = level_label(item["level"])
        if item.get("match") == "all":
            text = _("%(level)s added, started when all its triggers hold")
        else:
            text = _("%(level)s added, started when any of its triggers holds")
        yield _say(ADDED, text % {"level": level})
        yield from _triggers(level, [], item.get("triggers") or [], names)
        yield from _judgement_changes(level, "", item.get("judgements"))
    for key in section.removed:
        level = level_label(section.before[key]["level"])
        yield _say(REMOVED, _("%(level)s removed") % {"level": level})
    for change in section.changed:
        level = level_label(section.after[change.key]["level"])
        if "match" in change.fields:
            if change.fields["match"][1] == "all":
                text = _("%(level)s now starts when all its triggers hold")
            else:
                text = _("%(level)s now starts when any of its triggers holds")
            yield _say(CHANGED, text % {"level": level})
        if "triggers" in change.fields:
            before, after = change.fields["triggers"]
            yield from _triggers(level, before or [], after or [], names)
        if "judgements" in change.fields:
            yield from _judgement_changes(level, *change.fields["judgements"])


# Steps.


def _minutes(value: Any) -> str:
    if value is None:
        return _("no time limit")
    return ngettext("%(n)d minute", "%(n)d minutes", value) % {"n": value}


def _label(choices: Any, value: Any) -> str:
    """A choice's label; a value since retired reads as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _step_words(step: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "level": level_label(step["level"]),
        "phase": _label(Step.Phase, step.get("phase")),
        "action": step.get("action") or "",
        "group": step.get("group") or "",
    }


def _steps(section: compare.Section, names: Names) -> Iterator[Sentence]:
    for key in section.added:
        step = section.after[key]
        words = _step_words(step)
        minutes = step.get("within_minutes")
        if minutes is None:
            text = _("%(level)s, %(phase)s: step “%(action)s” added (%(group)s)") % words
        else:
            text = ngettext(
                "%(level)s, %(phase)s: step “%(action)s” added (within %(minutes)d minute, "
                "%(group)s)",
                "%(level)s, %(phase)s: step “%(action)s” added (within %(minutes)d minutes, "
                "%(group)s)",
                minutes,
            ) % {**words, "minutes": minutes}
        tag = "" if step.get("required", True) else _("optional")
        yield _say(ADDED, text, tag=tag)
    for key in section.removed:
        words = _step_words(section.before[key])
        yield _say(REMOVED, _("%(level)s, %(phase)s: step “%(action)s” removed") % words)
    for change in section.changed:
        words = _step_words(section.after[change.key])
        if "within_minutes" in change.fields:
            before, after = change.fields["within_minutes"]
            yield _say(
                CHANGED,
                _(
                    "%(level)s, %(phase)s: time limit of step “%(action)s” changed from "
                    "“%(before)s” to “%(after)s”"
                )
                % {**words, "before": _minutes(before), "after": _minutes(after)},
            )
        if "group" in change.fields:
            before, after = change.fields["group"]
            yield _say(
                CHANGED,
                _(
                    "%(level)s, %(phase)s: working group responsible for step “%(action)s” "
                    "changed from “%(before)s” to “%(after)s”"
                )
                % {**words, "before": _or_none(before), "after": _or_none(after)},
            )
        if "required" in change.fields:
            if change.fields["required"][1]:
                text = _("%(level)s, %(phase)s: step “%(action)s” is now required")
            else:
                text = _("%(level)s, %(phase)s: step “%(action)s” is now optional")
            yield _say(CHANGED, text % words)


# Resources required and contacts.


def _quantity(item: Mapping[str, Any]) -> str:
    """4 个, 1, 2.5 吨: the number without trailing zeros, then its unit of measure."""
    try:
        number = format(Decimal(str(item.get("quantity"))).normalize(), "f")
    except InvalidOperation:
        number = str(item.get("quantity"))
    return f"{number} {item.get('measure') or ''}".strip()


def _requirement_words(item: Mapping[str, Any]) -> dict[str, str]:
    return {"kind": _label(Requirement.Kind, item.get("kind")), "name": item.get("name") or ""}


def _requirements(section: compare.Section, names: Names) -> Iterator[Sentence]:
    for key in section.added:
        item = section.after[key]
        yield _say(
            ADDED,
            _("%(kind)s “%(name)s” added to the resources required: %(quantity)s")
            % {**_requirement_words(item), "quantity": _quantity(item)},
        )
    for key in section.removed:
        yield _say(
            REMOVED,
            _("%(kind)s “%(name)s” removed from the resources required")
            % _requirement_words(section.before[key]),
        )
    for change in section.changed:
        old, new = section.before[change.key], section.after[change.key]
        yield _say(
            CHANGED,
            _("Quantity required of “%(name)s” (%(kind)s) changed from “%(before)s” to “%(after)s”")
            % {**_requirement_words(new), "before": _quantity(old), "after": _quantity(new)},
        )


def _contacts(section: compare.Section, names: Names) -> Iterator[Sentence]:
    for key in section.added:
        item = section.after[key]
        details = " ".join(v for v in (item.get("role"), item.get("phone")) if v)
        if details:
            text = _("Contact “%(name)s” added (%(details)s)") % {"name": key, "details": details}
        else:
            text = _("Contact “%(name)s” added") % {"name": key}
        yield _say(ADDED, text)
    for key in section.removed:
        yield _say(REMOVED, _("Contact “%(name)s” removed") % {"name": key})
    for change in section.changed:
        for name, (before, after) in change.fields.items():
            words = {"name": change.key, "before": _or_none(before), "after": _or_none(after)}
            if name == "role":
                text = _("Role of contact “%(name)s” changed from “%(before)s” to “%(after)s”")
                yield _say(CHANGED, text % words)
            elif name == "phone":
                text = _("Phone of contact “%(name)s” changed from “%(before)s” to “%(after)s”")
                yield _say(CHANGED, text % words)


WORDINGS: dict[str, Callable[[compare.Section, Names], Iterator[Sentence]]] = {
    "groups": _groups,
    "posts": _posts,
    "warnings": _warnings,
    "levels": _levels,
    "steps": _steps,
    "safeguards": _safeguards,
    "requirements": _requirements,
    "contacts": _contacts,
}
