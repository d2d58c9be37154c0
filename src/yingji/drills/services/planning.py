"""Planning a drill: its plan versions, people, scenario, objectives and inject schedule,
validated all or nothing with an error per field path (``injects[1].offset_minutes``).

The page's form and the API hand over one plain dict (``clean_plan`` reads it); a drill
is changed only while it is planned, and the whole plan is replaced at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields
from yingji.accounts.models import User
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import moments
from yingji.drills import clauses
from yingji.drills.models import Clause, Drill, Inject, Objective
from yingji.org import jurisdiction, lines, tree
from yingji.org.models import Unit
from yingji.plans.models import EventType, Group, PlanVersion
from yingji.timeline import services as timeline

Errors = dict[str, list[str]]

MAX_OBJECTIVES = 30
MAX_INJECTS = 200
MAX_PEOPLE = 500
MAX_OFFSET = 7 * 24 * 60  # a drill's schedule spans at most a week
MAX_LIMIT = 24 * 60
MAX_DURATION = 7 * 24 * 60
FACTS = ("people_involved", "injuries", "deaths", "missing")
# An inject row holding any of these is an inject (and checked in full); the form's
# blank rows hold none of them.
FILLED = ("content", "expected_action", "offset_minutes", "after", "limit_minutes")
LIVE_VERSIONS = (
    PlanVersion.Status.APPROVED,
    PlanVersion.Status.FILED,
    PlanVersion.Status.IN_FORCE,
)


def _text(
    data: Mapping[str, Any],
    name: str,
    errors: Errors,
    *,
    path: str,
    most: int,
    required: bool = True,
) -> str:
    return fields.read_text(data, name, errors, path=path, most=most, required=required)


def _number(
    data: Mapping[str, Any],
    name: str,
    errors: Errors,
    *,
    path: str,
    low: int,
    high: int,
    required: bool = True,
) -> int | None:
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors[path] = [_("This field is required.")]
        return None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    else:
        value = fields.whole_number(raw, most=10**9)
    if value is None or not low <= value <= high:
        errors[path] = [
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        ]
        return None
    return value


def _ids(data: Mapping[str, Any], name: str) -> list[int] | None:
    raw = data.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, (str, int)):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        return None
    found = [fields.id_of(value) for value in raw]
    if any(value is None for value in found) or len(found) > MAX_PEOPLE:
        return None
    return list(dict.fromkeys(v for v in found if v is not None))


def _choice(
    data: Mapping[str, Any],
    name: str,
    choices: Any,
    errors: Errors,
    *,
    path: str,
    required: bool = True,
) -> str:
    value = data.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if not text and not required:
        return ""
    if text not in choices.values:
        errors[path] = [_("Choose one from the list.")]
    return text


def _people(data: Mapping[str, Any], name: str, errors: Errors, area: Any) -> list[User]:
    ids = _ids(data, name)
    if ids is None:
        errors[name] = [_("Choose people from the list.")]
        return []
    # Staff of the jurisdiction, or of the units above (a city bureau evaluates a county's
    # drill).
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True, unit__in=area)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        errors[name] = [_("Some of the people chosen are not staff in this jurisdiction.")]
    return [found[pk] for pk in ids if pk in found]


def _area(unit: Unit) -> Any:
    """The units a drill of ``unit`` may involve: its jurisdiction."""
    root = jurisdiction.area_root_of(unit, lines.EMERGENCY)
    return Unit.objects.filter(path__gte=root, path__lt=tree.successor(root))


def staff_area(unit: Unit) -> Any:
    """Whose staff a drill of ``unit`` may name: its jurisdiction's, and those of the
    units above it and of the offices acting for them in emergency work (the city's
    emergency bureau evaluates a county's drill)."""
    root = jurisdiction.area_root_of(unit, lines.EMERGENCY)
    above: list[int] = []
    for ancestor in Unit.objects.ancestors_of(unit).exclude(pk=unit.pk):
        above += jurisdiction.offices_acting_as(ancestor, lines.EMERGENCY)
    return Unit.objects.filter(Q(path__gte=root, path__lt=tree.successor(root)) | Q(pk__in=above))


def clean_plan(
    data: Mapping[str, Any], *, actor: Actor, drill: Drill | None = None
) -> dict[str, Any]:
    """Validate a whole drill plan before anything is written."""
    errors: Errors = {}
    clean: dict[str, Any] = {}
    user = actor.user
    clean["title"] = _text(data, "title", errors, path="title", most=120)
    clean["kind"] = _choice(data, "kind", Drill.Kind, errors, path="kind")
    clean["scope"] = _choice(data, "scope", Drill.Scope, errors, path="scope")
    clean["place"] = _text(data, "place", errors, path="place", most=200)
    clean["scenario"] = _text(data, "scenario", errors, path="scenario", most=fields.TEXT_MAX)
    clean["duration_minutes"] = (
        _number(
            data,
            "duration_minutes",
            errors,
            path="duration_minutes",
            low=10,
            high=MAX_DURATION,
            required=False,
        )
        or 120
    )
    starts = data.get("starts_at")
    if starts in (None, ""):
        errors["starts_at"] = [_("This field is required.")]
        clean["starts_at"] = None
    else:
        clean["starts_at"] = moments.read(starts, "starts_at", errors)

    unit: Unit | None = drill.unit if drill is not None else None
    if unit is None:
        unit_id = fields.id_of(data.get("unit")) if data.get("unit") not in (None, "") else None
        if unit_id is None and user is not None and data.get("unit") in (None, ""):
            unit = user.unit
        elif unit_id is not None and user is not None:
            unit = Unit.objects.acting_for(user, lines.EMERGENCY).filter(pk=unit_id).first()
        if unit is None:
            errors["unit"] = [_("Choose a unit you plan drills for.")]
    clean["unit"] = unit
    area = _area(unit) if unit is not None else Unit.objects.none()

    version_ids = _ids(data, "plan_versions")
    versions: list[PlanVersion] = []
    if not version_ids:
        errors["plan_versions"] = [_("Choose the plan versions the drill exercises.")]
    else:
        from yingji.plans.access import plans_visible_to

        found = (
            {
                v.pk: v
                for v in PlanVersion.objects.filter(
                    pk__in=version_ids, plan__in=plans_visible_to(user)
                ).select_related("plan")
            }
            if user is not None
            else {}
        )
        if len(found) != len(version_ids):
            errors["plan_versions"] = [_("Choose plan versions from the list.")]
        else:
            versions = [found[pk] for pk in version_ids]
            stale = [v for v in versions if v.status not in LIVE_VERSIONS]
            if stale:
                errors["plan_versions"] = [
                    _("%(plan)s version %(number)d is %(status)s: drill a version in force.")
                    % {
                        "plan": stale[0].plan.title,
                        "number": stale[0].number,
                        "status": stale[0].get_status_display(),
                    }
                ]
    clean["plan_versions"] = versions

    event_type = data.get("event_type")
    found_type = None
    if event_type not in (None, ""):
        if isinstance(event_type, EventType):
            found_type = event_type
        else:
            found_type = EventType.objects.filter(code=str(event_type), is_active=True).first()
            if found_type is None and (type_id := fields.id_of(event_type)) is not None:
                found_type = EventType.objects.filter(pk=type_id, is_active=True).first()
    if found_type is None:
        errors["event_type"] = [_("Choose an event type from the list.")]
    clean["event_type"] = found_type
    region = _text(data, "region_code", errors, path="region_code", most=12, required=False)
    if region and unit is not None:
        refused = jurisdiction.place_error(region, unit, lines.EMERGENCY)
        if refused:
            errors["region_code"] = [refused]
    clean["region_code"] = region
    facts = data.get("facts") or {}
    clean["facts"] = {}
    if not isinstance(facts, Mapping):
        errors["facts"] = [_("Give the scenario's figures as numbers.")]
    else:
        for name in FACTS:
            if facts.get(name) not in (None, ""):
                value = _number(facts, name, errors, path=f"facts.{name}", low=0, high=10**6)
                if value is not None:
                    clean["facts"][name] = value

    unit_ids = _ids(data, "units")
    if unit_ids is None:
        errors["units"] = [_("Choose units from the list.")]
        unit_ids = []
    units = list(area.filter(pk__in=unit_ids))
    if len(units) != len(unit_ids):
        errors["units"] = [_("Some of the units chosen are outside this jurisdiction.")]
    clean["units"] = units
    group_ids = _ids(data, "groups")
    if group_ids is None:
        errors["groups"] = [_("Choose groups from the list.")]
        group_ids = []
    groups = list(
        Group.objects.filter(pk__in=group_ids, version__in=versions).select_related(
            "version__plan__owner"
        )
    )
    if len(groups) != len(group_ids) and "plan_versions" not in errors:
        errors["groups"] = [_("Choose groups of the plan versions exercised.")]
    clean["groups"] = groups
    staff = staff_area(unit) if unit is not None else Unit.objects.none()
    clean["controllers"] = _people(data, "controllers", errors, staff)
    clean["evaluators"] = _people(data, "evaluators", errors, staff)
    if not clean["controllers"] and "controllers" not in errors:
        errors["controllers"] = [_("Name at least one controller (导调).")]
    if not clean["evaluators"] and "evaluators" not in errors:
        errors["evaluators"] = [_("Name at least one evaluator (评估).")]
    clean["participants"] = _people(data, "participants", errors, staff)

    clean["objectives"] = _objectives(data, versions, errors)
    clean["injects"] = _injects(data, versions, area, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _objectives(
    data: Mapping[str, Any], versions: list[PlanVersion], errors: Errors
) -> list[dict[str, Any]]:
    raw = data.get("objectives") or []
    if not isinstance(raw, (list, tuple)) or len(raw) > MAX_OBJECTIVES:
        errors["objectives"] = [_("Give at most %(n)d objectives.") % {"n": MAX_OBJECTIVES}]
        return []
    items = [
        item
        for item in raw
        if isinstance(item, Mapping)
        and any(str(item.get(k) or "").strip() for k in ("text", "part"))
    ]
    if not items:
        errors["objectives"] = [_("A drill needs at least one objective.")]
        return []
    by_pk = {v.pk: v for v in versions}
    out = []
    for i, item in enumerate(items):
        path = f"objectives[{i}]"
        text = _text(item, "text", errors, path=f"{path}.text", most=1000)
        clause, pk, version = _part(item, by_pk, errors, path)
        out.append(
            {"text": text, "version": version, "clause": clause, "clause_id": pk, "label": ""}
        )
        if version is not None and clause and pk is not None:
            part = clauses.find(version, clause, pk)
            if part is None:
                errors[f"{path}.part"] = [
                    _("%(plan)s version %(number)d has no such part.")
                    % {"plan": version.plan.title, "number": version.number}
                ]
            else:
                out[-1]["label"] = part.label
    return out


def _part(
    item: Mapping[str, Any], by_pk: dict[int, PlanVersion], errors: Errors, path: str
) -> tuple[str, int | None, PlanVersion | None]:
    """The plan part an objective or action names: ``part`` as ``step:12`` (a form's
    choice) or ``clause`` and ``clause_id``, in ``version`` (or the only version)."""
    part = item.get("part")
    clause = item.get("clause")
    pk_raw = item.get("clause_id")
    if isinstance(part, str) and ":" in part:
        clause, __, pk_raw = part.partition(":")
    if clause not in Clause.values:
        errors[f"{path}.part"] = [_("Choose the part of the plan it concerns.")]
        return "", None, None
    pk = fields.id_of(pk_raw)
    if pk is None:
        errors[f"{path}.part"] = [_("Choose the part of the plan it concerns.")]
        return str(clause), None, None
    version_id = (
        fields.id_of(item.get("version")) if item.get("version") not in (None, "") else None
    )
    if version_id is None:
        if len(by_pk) == 1:
            return str(clause), pk, next(iter(by_pk.values()))
        # Find the version holding the part among those exercised.
        for version in by_pk.values():
            if clauses.find(version, str(clause), pk) is not None:
                return str(clause), pk, version
        if by_pk:
            errors[f"{path}.part"] = [_("No plan version exercised has this part.")]
        return str(clause), None, None
    if version_id not in by_pk:
        errors[f"{path}.version"] = [_("Choose one of the plan versions exercised.")]
        return str(clause), None, None
    return str(clause), pk, by_pk[version_id]


def _injects(
    data: Mapping[str, Any], versions: list[PlanVersion], area: Any, errors: Errors
) -> list[dict[str, Any]]:
    raw = data.get("injects") or []
    if not isinstance(raw, (list, tuple)) or len(raw) > MAX_INJECTS:
        errors["injects"] = [_("Give at most %(n)d injects.") % {"n": MAX_INJECTS}]
        return []
    items = [
        item
        for item in raw
        if isinstance(item, Mapping)
        and any(str(item.get(k) if item.get(k) is not None else "").strip() for k in FILLED)
    ]
    out: list[dict[str, Any]] = []
    last_offset = -1
    for i, item in enumerate(items):
        path = f"injects[{i}]"
        one: dict[str, Any] = {"number": i + 1}
        after = _number(
            item, "after", errors, path=f"{path}.after", low=1, high=MAX_INJECTS, required=False
        )
        offset = _number(
            item,
            "offset_minutes",
            errors,
            path=f"{path}.offset_minutes",
            low=0,
            high=MAX_OFFSET,
            required=False,
        )
        if after is not None and offset is not None:
            errors[f"{path}.after"] = [
                _("Give either minutes after the start or an inject it follows, not both.")
            ]
        elif (
            after is None
            and offset is None
            and f"{path}.offset_minutes" not in errors
            and f"{path}.after" not in errors
        ):
            errors[f"{path}.offset_minutes"] = [
                _("Give the minutes after the start, or the inject it follows.")
            ]
        elif after is not None and after >= i + 1:
            errors[f"{path}.after"] = [_("An inject can only follow an earlier one.")]
        elif offset is not None:
            if offset < last_offset:
                errors[f"{path}.offset_minutes"] = [
                    _("Injects go in time order: this one comes before inject %(n)d.") % {"n": i}
                ]
            last_offset = max(last_offset, offset)
        one["after"], one["offset_minutes"] = after, offset
        one["recipient"] = _choice(
            item, "recipient", Inject.Recipient, errors, path=f"{path}.recipient"
        )
        one["group"] = one["unit"] = None
        one["role"] = ""
        if one["recipient"] == Inject.Recipient.GROUP:
            gid = fields.id_of(item.get("group"))
            one["group"] = (
                Group.objects.filter(pk=gid, version__in=versions).first() if gid else None
            )
            if one["group"] is None:
                errors[f"{path}.group"] = [_("Choose a group of the plan versions exercised.")]
        elif one["recipient"] == Inject.Recipient.UNIT:
            uid = fields.id_of(item.get("unit"))
            one["unit"] = area.filter(pk=uid).first() if uid else None
            if one["unit"] is None:
                errors[f"{path}.unit"] = [_("Choose a unit in this jurisdiction.")]
        elif one["recipient"] == Inject.Recipient.ROLE:
            one["role"] = _choice(item, "role", Inject.Role, errors, path=f"{path}.role")
        one["channel"] = _choice(item, "channel", Inject.Channel, errors, path=f"{path}.channel")
        one["content"] = _text(item, "content", errors, path=f"{path}.content", most=5000)
        one["expected_action"] = _text(
            item, "expected_action", errors, path=f"{path}.expected_action", most=2000
        )
        one["limit_minutes"] = _number(
            item, "limit_minutes", errors, path=f"{path}.limit_minutes", low=1, high=MAX_LIMIT
        )
        out.append(one)
    return out


def _write_parts(drill: Drill, clean: Mapping[str, Any]) -> None:
    drill.plan_versions.set(clean["plan_versions"])
    drill.units.set(clean["units"])
    drill.groups.set(clean["groups"])
    drill.controllers.set(clean["controllers"])
    drill.evaluators.set(clean["evaluators"])
    drill.participants.set(clean["participants"] or people_of_groups(clean["groups"]))
    drill.objectives.all().delete()
    Objective.objects.bulk_create(
        Objective(
            drill=drill,
            text=o["text"],
            version=o["version"],
            clause=o["clause"],
            clause_id=o["clause_id"],
            clause_label=o["label"][:300],
            sort=i,
        )
        for i, o in enumerate(clean["objectives"])
    )
    # Followers first: an inject is protected while another follows it.
    for old in drill.injects.order_by("-number"):
        old.delete()
    made: dict[int, Inject] = {}
    for one in clean["injects"]:
        after = made.get(one["after"]) if one["after"] else None
        made[one["number"]] = write_inject(drill, one, number=one["number"], after=after)


def write_inject(
    drill: Drill, one: Mapping[str, Any], *, number: int, after: Inject | None, live: bool = False
) -> Inject:
    """An inject as ``_injects`` cleaned it, numbered and placed in the schedule."""
    return Inject.objects.create(
        drill=drill,
        number=number,
        offset_minutes=None if after is not None else one["offset_minutes"],
        after=after,
        recipient=one["recipient"],
        group=one["group"],
        unit=one["unit"],
        role=one["role"],
        channel=one["channel"],
        content=one["content"],
        expected_action=one["expected_action"],
        limit_minutes=one["limit_minutes"],
        added_live=live,
    )


def people_of_groups(groups: list[Group]) -> list[User]:
    """The staff holding the posts of the groups, by the rule the response uses."""
    from yingji.incidents.services.response import holder_of

    found: dict[int, User] = {}
    for group in groups:
        owner = group.version.plan.owner
        for post in group.posts.select_related("person"):
            user = holder_of(post, owner)
            if user is not None:
                found.setdefault(user.pk, user)
    return list(found.values())


SCALARS = (
    "title",
    "kind",
    "scope",
    "place",
    "scenario",
    "duration_minutes",
    "starts_at",
    "event_type",
    "region_code",
    "facts",
)


@transaction.atomic
def plan_drill(data: Mapping[str, Any], *, actor: Actor) -> Drill:
    """A new drill, planned in full."""
    clean = clean_plan(data, actor=actor)
    from yingji.drills.access import may_plan

    if actor.user is None or not may_plan(actor.user, unit=clean["unit"]):
        raise ValidationError(
            {"unit": [_("Only a plan manager or leader of the unit may plan its drills.")]}
        )
    drill = Drill.objects.create(
        unit=clean["unit"], created_by=actor.user, **{k: clean[k] for k in SCALARS}
    )
    _write_parts(drill, clean)
    audit.record(
        actor=actor,
        action="drills.drill.plan",
        obj=drill,
        object_repr=drill.title,
        after={"title": drill.title, "starts_at": drill.starts_at.isoformat()},
    )
    timeline.record(
        drill,
        "drill.planned",
        _("Drill planned: %(title)s") % {"title": drill.title},
        actor=actor,
        is_drill=True,
    )
    return drill


@transaction.atomic
def change_plan(drill: Drill, data: Mapping[str, Any], *, actor: Actor) -> Drill:
    """Replace a planned drill's whole plan."""
    current = Drill.objects.select_for_update().get(pk=drill.pk)
    if current.state != Drill.State.PLANNED:
        raise ValidationError({"state": [_("Only a drill not yet started can be changed.")]})
    clean = clean_plan(data, actor=actor, drill=current)
    before = audit.snapshot(current, SCALARS)
    for name in SCALARS:
        setattr(current, name, clean[name])
    current.save()
    _write_parts(current, clean)
    audit.record_update(actor=actor, action="drills.drill.change", obj=current, before=before)
    timeline.record(current, "drill.changed", _("Drill plan changed"), actor=actor, is_drill=True)
    return current


@transaction.atomic
def cancel(drill: Drill, *, actor: Actor, reason: str) -> Drill:
    current = Drill.objects.select_for_update().get(pk=drill.pk)
    if current.state != Drill.State.PLANNED:
        raise ValidationError({"state": [_("Only a drill not yet started can be cancelled.")]})
    reason = reason.strip()
    if not reason or len(reason) > 500 or fields.has_control(reason):
        raise ValidationError({"reason": [_("Give the reason, within 500 characters.")]})
    current.state = Drill.State.CANCELLED
    current.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action="drills.drill.cancel",
        obj=current,
        object_repr=current.title,
        after={"reason": reason},
    )
    timeline.record(
        current,
        "drill.cancelled",
        _("Drill cancelled: %(reason)s") % {"reason": reason},
        actor=actor,
        is_drill=True,
    )
    return current


def form_data(drill: Drill) -> dict[str, Any]:
    """A drill's plan as the dict ``clean_plan`` reads: for the form and for copies."""
    local = timezone.localtime(drill.starts_at)
    return {
        "title": drill.title,
        "kind": drill.kind,
        "scope": drill.scope,
        "unit": drill.unit_id,
        "plan_versions": [v.pk for v in drill.plan_versions.all()],
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": drill.duration_minutes,
        "place": drill.place,
        "units": [u.pk for u in drill.units.all()],
        "groups": [g.pk for g in drill.groups.all()],
        "controllers": [u.pk for u in drill.controllers.all()],
        "evaluators": [u.pk for u in drill.evaluators.all()],
        "participants": [u.pk for u in drill.participants.all()],
        "scenario": drill.scenario,
        "event_type": drill.event_type.code,
        "region_code": drill.region_code,
        "facts": dict(drill.facts),
        "objectives": [
            {"text": o.text, "version": o.version_id, "part": f"{o.clause}:{o.clause_id}"}
            for o in drill.objectives.all()
        ],
        "injects": [
            {
                "offset_minutes": i.offset_minutes,
                "after": i.after.number if i.after is not None else None,
                "recipient": i.recipient,
                "group": i.group_id,
                "unit": i.unit_id,
                "role": i.role,
                "channel": i.channel,
                "content": i.content,
                "expected_action": i.expected_action,
                "limit_minutes": i.limit_minutes,
            }
            for i in drill.injects.select_related("after")
        ],
    }
