"""The structure of a plan version as one plain dict: reading it, validating a whole
new one (all or nothing, with an error per field path such as
``levels[0].triggers[1].fact``) and writing it into a draft's rows. The lifecycle in
services.py calls these; the editor, the API, comparison and new versions share the dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from yingji import fields
from yingji.org.models import Person, Unit
from yingji.plans import triggers
from yingji.plans.models import (
    Contact,
    EventType,
    Group,
    Level,
    PlanVersion,
    Post,
    Requirement,
    Safeguard,
    Step,
    Trigger,
    WarningLevel,
)
from yingji.plans.shape import CYCLES, NAMES, TEXTS, empty_structure

Errors = dict[str, list[str]]


def structure(version: PlanVersion) -> dict[str, Any]:
    """The whole content of a version as plain data (for the API, comparison, copying)."""
    groups = {g.pk: g.name for g in version.groups.all()}
    data: dict[str, Any] = {name: getattr(version, name) for name in (*TEXTS, *NAMES, *CYCLES)}
    data["event_types"] = sorted(version.event_types.values_list("code", flat=True))
    data["groups"] = [{"name": g.name, "duties": g.duties} for g in version.groups.all()]
    data["posts"] = [
        {
            "group": groups.get(p.group_id) if p.group_id else None,
            "title": p.title,
            "position": p.position,
            "person": p.person_id,
            "is_lead": p.is_lead,
        }
        for p in version.posts.all()
    ]
    data["warnings"] = [
        {"level": w.level, "criteria": w.criteria, "measures": w.measures}
        for w in version.warnings.all()
    ]
    data["levels"] = [
        {
            "level": lv.level,
            "match": lv.match,
            "judgements": lv.judgements,
            "triggers": [_trigger_data(t) for t in lv.triggers.all()],
            "steps": [
                {
                    "phase": s.phase,
                    "action": s.action,
                    "group": groups[s.group_id],
                    "within_minutes": s.within_minutes,
                    "required": s.required,
                }
                for s in lv.steps.all()
            ],
        }
        for lv in version.levels.prefetch_related("triggers", "steps")
    ]
    data["safeguards"] = [
        {"kind": s.kind, "title": s.title, "text": s.text} for s in version.safeguards.all()
    ]
    data["requirements"] = [
        {"kind": r.kind, "name": r.name, "quantity": str(r.quantity), "measure": r.measure}
        for r in version.requirements.all()
    ]
    data["contacts"] = [
        {"name": c.name, "role": c.role, "phone": c.phone} for c in version.contacts.all()
    ]
    return data


def _trigger_data(trigger: Trigger) -> dict[str, Any]:
    data = {"fact": trigger.fact, "op": trigger.op, "value": trigger.value}
    if trigger.clause is not None:
        data["clause"] = trigger.clause
    return data


def clean_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _long_text(value: Any, path: str, errors: Errors) -> str:
    """A text of the plan (a part, a warning's measures, a safeguard), at most TEXT_MAX long."""
    text = clean_text(value)
    if len(text) > fields.TEXT_MAX:
        errors[path] = [_("At most %(limit)d characters.") % {"limit": fields.TEXT_MAX}]
    return text


def _items(data: Mapping[str, Any], key: str, errors: Errors) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        errors[key] = [_("Give a list of entries.")]
        return []
    return value


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= fields.MAX_COUNT:
        return None
    return value


def _control_errors(value: Any, path: str, errors: Errors) -> None:
    """Name every text in the structure that holds a control character: stored, it would
    break the plan's Word export and every page that renders it for ever."""
    if isinstance(value, str):
        if fields.has_control(value):
            errors[path or "structure"] = [fields.control_message()]
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _control_errors(item, f"{path}.{key}" if path else str(key), errors)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _control_errors(item, f"{path}[{i}]", errors)


def people_for(owner: Unit) -> models.QuerySet[Person]:
    """Who may hold a post in a plan of ``owner``: its own staff and those above it."""
    return Person.objects.filter(
        Q(unit__in=Unit.objects.subtree(owner)) | Q(unit__in=Unit.objects.ancestors_of(owner))
    )


def validate(data: Mapping[str, Any], owner: Unit | None = None) -> dict[str, Any]:
    """A clean structure, or ValidationError with a message per field path. With an
    ``owner``, posts may be held only by people of its subtree or the units above."""
    if not isinstance(data, Mapping):
        raise ValidationError({"structure": [_("Give the plan's structure as an object.")]})
    errors: Errors = {}
    _control_errors(data, "", errors)
    clean = empty_structure()
    for name in TEXTS:
        clean[name] = _long_text(data.get(name), name, errors)
    for name, limit in NAMES.items():
        clean[name] = clean_text(data.get(name))
        if len(clean[name]) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
    for name in CYCLES:
        value = data.get(name)
        years = _positive_int(value)
        if value in (None, ""):
            clean[name] = None
        elif years is None or not 1 <= years <= 20:
            errors[name] = [_("Enter a number of years from 1 to 20, or leave it empty.")]
        else:
            clean[name] = years
    codes = data.get("event_types") or []
    known = set(EventType.objects.filter(is_active=True).values_list("code", flat=True))
    if not isinstance(codes, list) or any(c not in known for c in codes):
        errors["event_types"] = [_("Choose event types from the list.")]
    else:
        clean["event_types"] = sorted(set(codes))

    group_names: list[str] = []
    for i, group in enumerate(_items(data, "groups", errors)):
        name = clean_text(group.get("name"))
        if not name:
            errors[f"groups[{i}].name"] = [_("Name the group.")]
        elif len(name) > 60:
            errors[f"groups[{i}].name"] = [_("At most %(limit)d characters.") % {"limit": 60}]
        elif name in group_names:
            errors[f"groups[{i}].name"] = [_("Another group has this name.")]
        group_names.append(name)
        clean["groups"].append({"name": name, "duties": clean_text(group.get("duties"))})

    candidates = people_for(owner) if owner is not None else Person.objects.all()
    people = set(candidates.filter(pk__in=_person_ids(data)).values_list("pk", flat=True))
    for i, raw_post in enumerate(_items(data, "posts", errors)):
        title = clean_text(raw_post.get("title"))
        post_group = raw_post.get("group") or None
        person = raw_post.get("person") or None
        position = clean_text(raw_post.get("position"))
        if not title:
            errors[f"posts[{i}].title"] = [_("Name the post (组长, 副组长, 成员 …).")]
        if post_group is not None and post_group not in group_names:
            errors[f"posts[{i}].group"] = [_("Choose one of the plan's groups.")]
        if person is not None and person not in people:
            errors[f"posts[{i}].person"] = [_("Choose a person from the directory.")]
        if person is None and not position:
            errors[f"posts[{i}].position"] = [_("Give the position or the person who holds it.")]
        clean["posts"].append(
            {
                "group": post_group,
                "title": title,
                "position": position,
                "person": person,
                "is_lead": bool(raw_post.get("is_lead")) and post_group is not None,
            }
        )

    _warnings(data, clean, errors)

    seen_levels: set[int] = set()
    for i, level in enumerate(_items(data, "levels", errors)):
        clean["levels"].append(_level(level, f"levels[{i}]", group_names, known, errors))
        number = clean["levels"][-1]["level"]
        if number in seen_levels:
            errors[f"levels[{i}].level"] = [_("The plan already has this level.")]
        seen_levels.add(number)

    _safeguards(data, clean, errors)

    for i, item in enumerate(_items(data, "requirements", errors)):
        kind = item.get("kind")
        if kind not in Requirement.Kind.values:
            errors[f"requirements[{i}].kind"] = [_("Choose supply, team or expert.")]
        name = clean_text(item.get("name"))
        if not name:
            errors[f"requirements[{i}].name"] = [_("Name what is required.")]
        try:
            quantity = Decimal(str(item.get("quantity", 1)))
            if not quantity.is_finite() or quantity <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors[f"requirements[{i}].quantity"] = [_("Enter a quantity above zero.")]
            quantity = Decimal(1)
        if quantity > fields.QUANTITY_MAX or quantity != quantity.quantize(Decimal("0.01")):
            # The requirement's column is DecimalField(12, 2): a larger quantity saves in
            # the draft and then makes every page of the plan raise when it is read.
            errors[f"requirements[{i}].quantity"] = [
                _("Enter at most two decimals and no more than 12 digits.")
            ]
            quantity = Decimal(1)
        clean["requirements"].append(
            {
                "kind": kind,
                "name": name,
                "quantity": str(quantity),
                "measure": clean_text(item.get("measure")),
            }
        )

    for i, item in enumerate(_items(data, "contacts", errors)):
        name = clean_text(item.get("name"))
        if not name:
            errors[f"contacts[{i}].name"] = [_("Name the contact.")]
        clean["contacts"].append(
            {
                "name": name,
                "role": clean_text(item.get("role")),
                "phone": clean_text(item.get("phone")),
            }
        )
    if errors:
        raise ValidationError(errors)
    return clean


def _warnings(data: Mapping[str, Any], clean: dict[str, Any], errors: Errors) -> None:
    """预警级别: one row per colour at most, each with when it is issued or its measures."""
    seen: set[int] = set()
    for i, item in enumerate(_items(data, "warnings", errors)):
        path = f"warnings[{i}]"
        number = _positive_int(item.get("level"))
        if number is None or not 1 <= number <= 4:
            errors[f"{path}.level"] = [_("Choose red, orange, yellow or blue.")]
            number = 0
        elif number in seen:
            errors[f"{path}.level"] = [_("The plan already has this warning level.")]
        seen.add(number)
        criteria = _long_text(item.get("criteria"), f"{path}.criteria", errors)
        measures = _long_text(item.get("measures"), f"{path}.measures", errors)
        if not criteria and not measures:
            errors[f"{path}.measures"] = [
                _("Say when this warning is issued or what is done once it is.")
            ]
        clean["warnings"].append({"level": number, "criteria": criteria, "measures": measures})


def _safeguards(data: Mapping[str, Any], clean: dict[str, Any], errors: Errors) -> None:
    """保障措施: a kind (an "other" one named by its title) and its text."""
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(_items(data, "safeguards", errors)):
        path = f"safeguards[{i}]"
        kind = item.get("kind")
        title = clean_text(item.get("title"))
        if kind not in Safeguard.Kind.values:
            errors[f"{path}.kind"] = [_("Choose the kind of safeguard from the list.")]
            kind = ""
        if len(title) > 60:
            errors[f"{path}.title"] = [_("At most %(limit)d characters.") % {"limit": 60}]
        elif kind == Safeguard.Kind.OTHER and not title:
            errors[f"{path}.title"] = [_("Name this safeguard (宣传保障 …).")]
        elif kind and (kind, title) in seen:
            errors[f"{path}.kind"] = [_("The plan already has this safeguard.")]
        seen.add((kind, title))
        text = _long_text(item.get("text"), f"{path}.text", errors)
        if not text:
            errors[f"{path}.text"] = [_("Describe the safeguard.")]
        clean["safeguards"].append({"kind": kind, "title": title, "text": text})


def _person_ids(data: Mapping[str, Any]) -> list[int]:
    posts = data.get("posts") if isinstance(data.get("posts"), list) else []
    return [
        p["person"]
        for p in posts  # type: ignore[union-attr]
        if isinstance(p, Mapping) and isinstance(p.get("person"), int)
    ]


def _level(
    level: Mapping[str, Any], path: str, groups: list[str], types: set[str], errors: Errors
) -> dict[str, Any]:
    number = _positive_int(level.get("level"))
    if number is None or not 1 <= number <= 4:
        errors[f"{path}.level"] = [_("Choose a level from I to IV.")]
        number = 0
    match = level.get("match", "any")
    if match not in Level.Match.values:
        errors[f"{path}.match"] = [_("Choose whether any or all conditions must hold.")]
    clean: dict[str, Any] = {
        "level": number,
        "match": match,
        "judgements": clean_text(level.get("judgements")),
        "triggers": [],
        "steps": [],
    }
    conditions = level.get("triggers") or []
    if not isinstance(conditions, list) or not conditions:
        errors[f"{path}.triggers"] = [_("Give at least one trigger condition for this level.")]
        conditions = []
    for j, raw in enumerate(conditions):
        where = f"{path}.triggers[{j}]"
        if not isinstance(raw, Mapping):
            errors[where] = [_("Give the fact, the comparison and the value.")]
            continue
        clause = raw.get("clause")
        condition = triggers.Condition(
            str(raw.get("fact", "")),
            str(raw.get("op", "")),
            raw.get("value"),
            None if clause in (None, "") else clause,
        )
        try:
            condition.check()
        except triggers.TriggerError as error:
            errors[f"{where}.{error.field}"] = [TRIGGER_MESSAGES[error.code]()]
        else:
            if triggers.FACTS[condition.fact] == triggers.TYPE and condition.value not in types:
                errors[f"{where}.value"] = [_("Choose an event type from the list.")]
        trigger = {"fact": condition.fact, "op": condition.op, "value": condition.value}
        if condition.clause is not None:
            trigger["clause"] = condition.clause
        clean["triggers"].append(trigger)
    steps = level.get("steps") or []
    if not isinstance(steps, list):
        errors[f"{path}.steps"] = [_("Give a list of entries.")]
        steps = []
    for j, raw in enumerate(steps):
        where = f"{path}.steps[{j}]"
        if not isinstance(raw, Mapping):
            errors[where] = [_("Give the phase, the action and the responsible group.")]
            continue
        if raw.get("phase") not in Step.Phase.values:
            errors[f"{where}.phase"] = [_("Choose warning, response, handling or recovery.")]
        action = clean_text(raw.get("action"))
        if not action:
            errors[f"{where}.action"] = [_("Describe the action.")]
        group = raw.get("group")
        if not group:
            errors[f"{where}.group"] = [_("Name the group responsible for this step.")]
        elif group not in groups:
            errors[f"{where}.group"] = [_("Choose one of the plan's groups.")]
        within = raw.get("within_minutes")
        if within not in (None, "") and _positive_int(within) is None:
            errors[f"{where}.within_minutes"] = [
                _("Enter the minutes after activation, or leave it empty.")
            ]
        clean["steps"].append(
            {
                "phase": raw.get("phase"),
                "action": action,
                "group": group,
                "within_minutes": within if within not in (None, "") else None,
                "required": raw.get("required", True) is not False,
            }
        )
    return clean


TRIGGER_MESSAGES = {
    "unknown_fact": lambda: _("Choose a fact from the list."),
    "unknown_operator": lambda: _("This comparison does not fit the fact."),
    "not_a_number": lambda: _("Enter a number."),
    "negative": lambda: _("Enter a number of zero or more."),
    "not_a_flag": lambda: _("Choose yes or no."),
    "not_a_type": lambda: _("Choose an event type from the list."),
    "bad_clause": lambda: _("A condition group is a number from 0 to 99."),
}


def write_structure(version: PlanVersion, clean: Mapping[str, Any]) -> None:
    """Replace a version's whole structure with a validated one."""
    for name in (*TEXTS, *NAMES, *CYCLES):
        setattr(version, name, clean[name])
    version.save()
    version.event_types.set(EventType.objects.filter(code__in=clean["event_types"]))
    version.posts.all().delete()
    version.levels.all().delete()  # triggers and steps go with them
    version.groups.all().delete()
    version.warnings.all().delete()
    version.safeguards.all().delete()
    version.requirements.all().delete()
    version.contacts.all().delete()
    groups = {
        g["name"]: Group.objects.create(version=version, sort=i, **g)
        for i, g in enumerate(clean["groups"])
    }
    Post.objects.bulk_create(
        Post(
            version=version,
            group=groups[p["group"]] if p["group"] else None,
            title=p["title"],
            position=p["position"],
            person_id=p["person"],
            is_lead=p["is_lead"],
            sort=i,
        )
        for i, p in enumerate(clean["posts"])
    )
    for lv in clean["levels"]:
        level = Level.objects.create(
            version=version, level=lv["level"], match=lv["match"], judgements=lv["judgements"]
        )
        Trigger.objects.bulk_create(
            Trigger(level=level, sort=i, **t) for i, t in enumerate(lv["triggers"])
        )
        Step.objects.bulk_create(
            Step(
                level=level,
                sort=i,
                phase=s["phase"],
                action=s["action"],
                group=groups[s["group"]],
                within_minutes=s["within_minutes"],
                required=s["required"],
            )
            for i, s in enumerate(lv["steps"])
        )
    WarningLevel.objects.bulk_create(WarningLevel(version=version, **w) for w in clean["warnings"])
    Safeguard.objects.bulk_create(
        Safeguard(version=version, sort=i, **s) for i, s in enumerate(clean["safeguards"])
    )
    Requirement.objects.bulk_create(
        Requirement(version=version, sort=i, **r) for i, r in enumerate(clean["requirements"])
    )
    Contact.objects.bulk_create(
        Contact(version=version, sort=i, **c) for i, c in enumerate(clean["contacts"])
    )
