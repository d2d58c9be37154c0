"""Petition use cases. Each is one transaction with its audit entry and timeline event."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import crypto
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.org import lines
from yingji.org.models import Unit
from yingji.petitions import attachments as filetypes
from yingji.petitions import letters, validation
from yingji.petitions.models import (
    Assignment,
    Attachment,
    Category,
    FollowUp,
    Petition,
    Reply,
    Representative,
    Review,
    Supervision,
)
from yingji.petitions.numbers import next_number
from yingji.search import services as search
from yingji.search import text
from yingji.timeline import services as timeline

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud safely
RECEIPT_LENGTH = 12
UNCLEAR = "identity_unclear"


@dataclass
class Intake:
    """What a clerk (or the public form) hands in. Validated whole by :func:`register`."""

    channel: str
    petitioner_kind: str
    name: str
    request: str
    facts: str
    category: Category | None
    received_at: datetime | None = None
    phone: str = ""
    id_number: str = ""
    address: str = ""
    is_oral: bool = False
    region_code: str = ""
    place: str = ""
    accused_unit: Unit | None = None
    accused_person: str = ""
    people_count: int = 1
    is_collective: bool = False
    representatives: list[tuple[str, str]] = field(default_factory=list)
    transferred_from: str = ""


def unknown_unit_message() -> str:
    return _("No such unit.")


def consent_message() -> str:
    return _("Consent to processing is needed to accept an online petition.")


def no_reply_message() -> str:
    return _("No written reply has been issued.")


def unknown_category_message() -> str:
    return _("No such category.")


def _matter(intake: Intake) -> dict[str, Any]:
    """The petitioner (encrypted, masked, hashed) and the matter, as Petition fields."""
    phone = crypto.normal_phone(intake.phone)
    id_number = crypto.normal_id_number(intake.id_number)
    return {
        "petitioner_kind": intake.petitioner_kind,
        "name_enc": crypto.encrypt(intake.name.strip()),
        "name_masked": crypto.mask_name(intake.name),
        "phone_enc": crypto.encrypt(phone),
        "phone_masked": crypto.mask_phone(phone),
        "phone_hash": crypto.lookup_hash("phone", phone),
        "id_number_enc": crypto.encrypt(id_number),
        "id_number_masked": crypto.mask_id_number(id_number),
        "id_number_hash": crypto.lookup_hash("id", id_number),
        "address_enc": crypto.encrypt(intake.address.strip()),
        "address_masked": crypto.mask_address(intake.address),
        "request": intake.request.strip(),
        "facts": intake.facts.strip(),
        "category": intake.category,
        "region_code": intake.region_code,
        "place": intake.place.strip(),
        "people_count": intake.people_count,
    }


def receipt_hash(code: str) -> str:
    normal = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normal.encode("ascii", "ignore")).hexdigest()


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def intake_errors(intake: Intake, office: Unit) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if intake.channel not in Petition.Channel.values:
        add("channel", _("Choose a channel."))
    if intake.petitioner_kind not in Petition.PetitionerKind.values:
        add("petitioner_kind", _("Choose person or organisation."))
    if len(intake.name.strip()) > 60:
        add("name", _("Enter at most 60 characters."))
    if not intake.request.strip():
        add("request", _("Write down what the petitioner asks for."))
    if not intake.facts.strip():
        add("facts", _("Write down the facts and reasons."))
    if intake.category is None or not intake.category.is_active:
        add("category", _("Choose a category."))
    phone = crypto.normal_phone(intake.phone)
    if intake.phone.strip() and not validation.phone_ok(phone):
        add("phone", _("Enter a phone number of 7 to 15 digits."))
    id_number = crypto.normal_id_number(intake.id_number)
    if id_number:
        if intake.petitioner_kind == Petition.PetitionerKind.ORGANISATION:
            if not validation.credit_code_ok(id_number):
                add("id_number", _("Enter the 18-character unified social credit code."))
        elif not validation.id_number_ok(id_number):
            add("id_number", _("This is not a valid 18-character ID number."))
    if intake.region_code and not validation.region_code_ok(intake.region_code):
        add("region_code", _("A division code has 6, 9 or 12 digits."))
    if intake.people_count < 1:
        add("people_count", _("At least one person."))
    if intake.is_collective and intake.people_count < 2:
        add("people_count", _("A collective visit is two or more people with the same matter."))
    if len(intake.representatives) > validation.MAX_REPRESENTATIVES:
        add(
            "representatives",
            _(
                "A collective visit chooses at most 5 representatives "
                "(信访工作条例 第二十条); %(n)d were given."
            )
            % {"n": len(intake.representatives)},
        )
    for index, (name, rep_phone) in enumerate(intake.representatives, start=1):
        if not name.strip():
            add("representatives", _("Representative %(n)d has no name.") % {"n": index})
        if rep_phone.strip() and not validation.phone_ok(crypto.normal_phone(rep_phone)):
            add(
                "representatives",
                _("Representative %(n)d: enter a phone number of 7 to 15 digits.") % {"n": index},
            )
    now = timezone.now()
    if intake.received_at is not None and intake.received_at > now + timedelta(minutes=5):
        add("received_at", _("The time received cannot be in the future."))
    accused = intake.accused_unit
    accusation = intake.category is not None and intake.category.is_accusation
    if accused is not None and accusation and office.is_within(accused):
        add(
            "accused_unit",
            _(
                "An accusation cannot be registered by the unit it accuses or a unit under "
                "it (信访工作条例 第三十条); register it with the body above."
            ),
        )
    return errors


@dataclass(frozen=True)
class Registered:
    petition: Petition
    receipt_code: str  # shown once to the petitioner; only its hash is stored


@transaction.atomic
def register(intake: Intake, *, office: Unit, actor: Actor) -> Registered:
    """Register a petition: number, receipt code, and the 15-day notice clock."""
    errors = intake_errors(intake, office)
    if errors:
        raise ValidationError(errors)
    assert intake.category is not None
    received_at = intake.received_at or timezone.now()
    unclear = not intake.name.strip() or not intake.address.strip()
    code = new_receipt_code()
    petition = Petition(
        number=next_number(office, timezone.localtime(received_at)),
        receipt_hash=receipt_hash(code),
        office=office,
        unit=office,
        channel=intake.channel,
        is_oral=intake.is_oral,
        transferred_from=intake.transferred_from.strip()[:120],
        received_at=received_at,
        registered_by=actor.user,
        identity_unclear=unclear,
        accused_unit=intake.accused_unit,
        accused_person=intake.accused_person.strip(),
        **_matter(intake),
        is_collective=intake.is_collective,
        stage=Petition.Stage.REGISTERED,
    )
    petition.repeat_of = finished_repeat_of(petition)
    petition.save(force_insert=True)
    Representative.objects.bulk_create(
        Representative(
            petition=petition,
            name_enc=crypto.encrypt(name.strip()),
            name_masked=crypto.mask_name(name),
            phone_enc=crypto.encrypt(crypto.normal_phone(rep_phone)),
            phone_masked=crypto.mask_phone(rep_phone),
        )
        for name, rep_phone in intake.representatives
    )
    audit.record(
        actor=actor,
        action="petitions.petition.register",
        obj=petition,
        after=audit.snapshot(petition),
    )
    index_text(petition)
    timeline.record(
        petition,
        "petition.registered",
        "",
        actor=actor,
        happened_at=received_at,
        data={"channel": intake.channel, "number": petition.number},
    )
    notice = clock.start(
        petition,
        "petition.acceptance_notice",
        actor=actor,
        unit=office,
        started_at=received_at,
    )
    if unclear:
        clock.pause(notice, actor=actor, reason=_("Name or address unclear (第二十三条)"))
    if petition.transferred_from:
        clock.start(
            petition, "petition.objection", actor=actor, unit=office, started_at=received_at
        )
    if petition.repeat_of is not None:
        timeline.record(
            petition,
            "petition.repeat_after_recheck",
            petition.repeat_of.number,
            actor=actor,
            data={"of": petition.repeat_of.pk},
        )
    return Registered(petition, code)


REPEAT_THRESHOLD = 0.5
SIMILAR_THRESHOLD = 0.3


def finished_repeat_of(petition: Petition) -> Petition | None:
    """A case of the same petitioner, through 复核 already, about the same matter."""
    same_petitioner = Q(phone_hash=petition.phone_hash) if petition.phone_hash else Q(pk__in=[])
    if petition.id_number_hash:
        same_petitioner |= Q(id_number_hash=petition.id_number_hash)
    finished = Petition.objects.filter(same_petitioner, stage=Petition.Stage.FINAL).only(
        "pk", "number", "request", "facts"
    )[:200]
    matches = text.best_matches(
        f"{petition.request}\n{petition.facts}",
        ((p, f"{p.request}\n{p.facts}") for p in finished),
        threshold=REPEAT_THRESHOLD,
        limit=1,
    )
    if not matches:
        return None
    match = matches[0][0]
    assert isinstance(match, Petition)
    return match


@dataclass(frozen=True)
class Similar:
    petition: Petition
    score: float
    same_petitioner: bool


SIMILAR_WINDOW = timedelta(days=730)
SIMILAR_BEFORE, SIMILAR_AFTER = 150, 40  # the place's nearest cases before / after the case
SIMILAR_BY_WORDS = 150  # and more of the place's cases that share its rarest words
SIMILAR_RARE_WORDS = 4
SIMILAR_WORDS_WINDOW = timedelta(days=120)


def similar_cases(
    petition: Petition, within: models.QuerySet[Petition], limit: int = 5
) -> list[Similar]:
    """Existing cases like this one: same petitioner (by keyed hash) or same place and topic.

    Candidates come from indexed lookups: the same petitioner's cases, and the cases of
    the same category and place nearest in time to this one, before it (where its
    earlier rounds are) and after it (where its repeats are). In a busy place those
    nearest cases cover a few weeks, so the place's cases further away that share the
    case's rarest words among them (the names of a company, an estate, a person) are
    looked up too, through the word index. All are compared by the words their search
    entries already hold, weighted by how rare each word is among them, so no text is
    segmented again and no table is decrypted or scanned whole. The nearest lookups are
    one subquery of the statement that reads their words, and the rare-word lookup one
    of a second; only the best few are then loaded.
    """
    hashes = Q(pk__in=[])
    if petition.phone_hash:
        hashes |= Q(phone_hash=petition.phone_hash)
    if petition.id_number_hash:
        hashes |= Q(id_number_hash=petition.id_number_hash)
    place = Q(category=petition.category_id)
    if petition.region_code:
        place &= Q(region_code=petition.region_code)
    at = petition.received_at
    others = within.exclude(pk=petition.pk)
    ids = others.values_list("pk", flat=True)
    lookups = [
        ids.filter(hashes).order_by("-received_at")[:SIMILAR_BEFORE],
        ids.filter(place, received_at__lte=at, received_at__gte=at - SIMILAR_WINDOW).order_by(
            "-received_at"
        )[:SIMILAR_BEFORE],
        ids.filter(place, received_at__gt=at, received_at__lte=at + SIMILAR_WINDOW).order_by(
            "received_at"
        )[:SIMILAR_AFTER],
    ]
    # One subquery: the case itself and each lookup (wrapped: a compound statement may
    # not hold a LIMIT on SQLite). Put together from the ORM's own SQL, whose values stay
    # parameters; the ORM's union would look every row up again by its primary key.
    parts, params = ["SELECT %s"], [petition.pk]
    for number, lookup in enumerate(lookups):
        try:
            sql, lookup_params = lookup.query.sql_with_params()
        except EmptyResultSet:  # nothing to look up (no phone or id number, no scope)
            continue
        parts.append(f"SELECT * FROM ({sql}) AS lookup{number}")  # noqa: S608
        params.extend(lookup_params)
    pool = RawSQL(" UNION ".join(parts), params)  # noqa: S611
    entries = search.words_of(Petition, pool)
    own_entry = entries.pop(petition.pk, None)
    if own_entry is not None:
        mine = own_entry[1]
    else:  # not indexed (yet): its words as the index would hold them
        mine = text.index_tokens(f"{petition.request}\n{petition.facts}")
    words = {found_pk: found for found_pk, (_key, found) in entries.items()}
    unread = _unread_range(at, [key for key, _found in entries.values()])
    if unread is not None:
        own = set(text.index_tokens(petition.number))  # no other case holds its number
        rare = text.rarest(
            [word for word in mine if word not in own], words.values(), limit=SIMILAR_RARE_WORDS
        )
        if rare:
            further = ids.filter(
                place,
                received_at__gte=unread[0],
                received_at__lte=unread[1],
                pk__in=search.with_any_word(Petition, rare, between=unread),
            ).order_by("-received_at")[:SIMILAR_BY_WORDS]
            for found_pk, (_key, more) in search.words_of(Petition, further).items():
                words.setdefault(found_pk, more)
    scored = text.weighted_matches(
        mine,
        sorted(words.items(), reverse=True),  # newest first, so that ties go to the newer
        threshold=SIMILAR_THRESHOLD,
        limit=limit,
    )
    fields = ("pk", "number", "phone_hash", "id_number_hash", "stage", "received_at")
    loaded = others.only(*fields).in_bulk([pk for pk, _score in scored])
    result = []
    for pk, score in scored:
        candidate = loaded.get(pk)
        if candidate is None:  # gone since
            continue
        same = bool(
            (petition.phone_hash and candidate.phone_hash == petition.phone_hash)
            or (petition.id_number_hash and candidate.id_number_hash == petition.id_number_hash)
        )
        result.append(Similar(candidate, round(score, 2), same))
    return result


def _unread_range(at: datetime, keys: list[int | None]) -> tuple[datetime, datetime] | None:
    """The part of the rare-word window around ``at`` that the nearest lookups may not
    have read whole, given the candidates' sort keys; None when they read it all.

    A side (before the case, after it) was read whole when fewer candidates fall in it
    than its lookup takes: a lookup cut short inside the side would have left that many
    there. The same petitioner's cases only add to the count, and the case's own second
    counts on both sides, so a side is never taken as read when it was not.
    """
    start, end = at - SIMILAR_WORDS_WINDOW, at + SIMILAR_WORDS_WINDOW
    second = timedelta(seconds=1)
    low, middle = search.time_key(start), search.time_key(at)
    next_second, high = search.time_key(at + second), search.time_key(end + second)
    before = sum(1 for key in keys if key is None or low <= key < next_second)
    after = sum(1 for key in keys if key is None or middle <= key < high)
    if before >= SIMILAR_BEFORE:
        return start, (end if after >= SIMILAR_AFTER else at)
    if after >= SIMILAR_AFTER:
        return at, end
    return None


def index_text(petition: Petition) -> None:
    """What search finds a petition by: its number, place, request, facts and reasons."""
    search.index(
        petition,
        "\n".join([petition.number, petition.place, petition.request, petition.facts]),
        at=petition.received_at,
    )


def search_petitions(petitions: models.QuerySet[Petition], query: str) -> models.QuerySet[Petition]:
    return petitions.filter(pk__in=search.matching_ids(Petition, query))


def open_deadline(petition: Petition, kind: str) -> Deadline | None:
    return clock.open_deadline(petition, kind)


def deadlines_of(petition: Petition) -> list[Deadline]:
    return clock.deadlines_for(petition)


@transaction.atomic
def clarify_identity(
    petition: Petition, *, actor: Actor, name: str = "", address: str = ""
) -> Petition:
    """Complete an unclear name or address; the 15-day notice clock runs again."""
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    errors: dict[str, list[str]] = {}
    if not current.identity_unclear:
        errors["identity_unclear"] = [_("The name and address are already clear.")]
    if not (name.strip() or crypto.decrypt(current.name_enc)):
        errors.setdefault("name", []).append(_("Enter the name."))
    if not (address.strip() or crypto.decrypt(current.address_enc)):
        errors.setdefault("address", []).append(_("Enter the address."))
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    if name.strip():
        current.name_enc = crypto.encrypt(name.strip())
        current.name_masked = crypto.mask_name(name)
    if address.strip():
        current.address_enc = crypto.encrypt(address.strip())
        current.address_masked = crypto.mask_address(address)
    current.identity_unclear = False
    current.save()
    audit.record_update(
        actor=actor, action="petitions.petition.clarify", obj=current, before=before
    )
    timeline.record(current, "petition.identity_clarified", "", actor=actor)
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None and notice.state == Deadline.State.PAUSED:
        clock.resume(notice, actor=actor)
    return current


def repeat_reason(petition: Petition) -> str:
    assert petition.repeat_of is not None
    return _(
        "The same matter, with the same facts and reasons, has been through re-review in case "
        "%(number)s; under 信访工作条例 第三十六条 it is not accepted again."
    ) % {"number": petition.repeat_of.number}


@transaction.atomic
def decide(
    petition: Petition,
    *,
    actor: Actor,
    decision: str,
    reason: str = "",
    referred_to: str = "",
    at: datetime | None = None,
) -> Petition:
    """受理, 不予受理 (with the reason) or 告知 (which body to approach)."""
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    errors: dict[str, list[str]] = {}
    if current.stage != Petition.Stage.REGISTERED:
        errors["stage"] = [_("This petition has already been decided.")]
    if decision not in Petition.Decision.values:
        errors["decision"] = [_("Choose accept, do not accept, or refer.")]
    if current.repeat_of_id and decision == Petition.Decision.ACCEPT:
        errors["decision"] = [repeat_reason(current)]
    if decision == Petition.Decision.REJECT and not reason.strip():
        if current.repeat_of_id:
            reason = repeat_reason(current)
        else:
            errors["reason"] = [_("Give the reason for not accepting.")]
    if decision == Petition.Decision.REFER and not referred_to.strip():
        errors["referred_to"] = [_("Name the body the petitioner should approach.")]
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    before = audit.snapshot(current)
    current.decision = decision
    current.decision_reason = reason.strip()
    current.referred_to = referred_to.strip()
    current.decided_at = at
    current.stage = {
        Petition.Decision.ACCEPT: Petition.Stage.ACCEPTED,
        Petition.Decision.REJECT: Petition.Stage.NOT_ACCEPTED,
        Petition.Decision.REFER: Petition.Stage.REFERRED,
    }[Petition.Decision(decision)]
    current.save()
    audit.record_update(actor=actor, action="petitions.petition.decide", obj=current, before=before)
    timeline.record(
        current,
        f"petition.{decision}",
        reason.strip() or referred_to.strip(),
        actor=actor,
        happened_at=at,
    )
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None:
        clock.meet(notice, actor=actor, at=at)
    objection = open_deadline(current, "petition.objection")
    if objection is not None:
        # Accepting (or answering otherwise) is the answer to the body above.
        clock.meet(objection, actor=actor, at=at)
    if decision == Petition.Decision.ACCEPT:
        # 第三十四条: the 60 days run from acceptance.
        clock.start(current, "petition.handling", actor=actor, unit=current.unit, started_at=at)
    letters.decision_notice(current, actor=actor)
    return current


REVEALABLE = ("name", "phone", "id_number", "address")


@transaction.atomic
def reveal(petition: Petition, *, actor: Actor, reason: str) -> dict[str, Any]:
    """Decrypt the petitioner's details for one deliberate look, audited with its reason."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need to see the petitioner's details.")]})
    values = {
        "name": crypto.decrypt(petition.name_enc),
        "phone": crypto.decrypt(petition.phone_enc),
        "id_number": crypto.decrypt(petition.id_number_enc),
        "address": crypto.decrypt(petition.address_enc),
        "representatives": [
            {"name": crypto.decrypt(r.name_enc), "phone": crypto.decrypt(r.phone_enc)}
            for r in petition.representatives.all()
        ],
    }
    audit.record(
        actor=actor,
        action="petitions.petition.reveal",
        obj=petition,
        object_repr=petition.number,
        fields=REVEALABLE,
        note=reason.strip(),
    )
    return values


# --- routing ------------------------------------------------------------------------------

ROUTABLE = (Petition.Stage.REGISTERED, Petition.Stage.ACCEPTED, Petition.Stage.HANDLING)


def _within_accused(petition: Petition, unit: Unit) -> bool:
    accused = petition.accused_unit
    return bool(petition.category.is_accusation and accused and unit.is_within(accused))


def _routing_problem(actor: Actor, unit: Unit, kind: str) -> str:
    """交办 goes only downwards, within the router's jurisdiction; 转送 may go to another
    area's competent body and is recorded as such (信访工作条例 第二十一条)."""
    if actor.user is None or kind != Assignment.Kind.ASSIGN:
        return ""
    if Unit.objects.visible_to(actor.user, lines.PETITIONS).filter(pk=unit.pk).exists():
        return ""
    return _(
        "%(unit)s is outside your jurisdiction: 交办 goes only to units under you. "
        "Send it to another area's competent body by 转送."
    ) % {"unit": unit.name}


@transaction.atomic
def assign(
    petition: Petition,
    *,
    actor: Actor,
    lead: Unit,
    cooperating: list[Unit] | None = None,
    kind: str = Assignment.Kind.ASSIGN,
    note: str = "",
) -> Petition:
    """交办/转送 to one lead unit and any cooperating units; earlier routing is withdrawn."""
    current = Petition.objects.select_for_update().select_related("category").get(pk=petition.pk)
    cooperating = [u for u in (cooperating or []) if u.pk != lead.pk]
    errors: dict[str, list[str]] = {}
    if current.stage not in ROUTABLE:
        errors["stage"] = [_("A petition at this stage cannot be routed.")]
    if kind not in Assignment.Kind.values:
        errors["kind"] = [_("Choose assign or transfer.")]
    if lead.pk == current.unit_id:
        errors["lead"] = [_("The petition is already with this unit.")]
    for unit in [lead, *cooperating]:
        problem = _routing_problem(actor, unit, kind)
        if problem:
            errors.setdefault("lead" if unit == lead else "cooperating", []).append(problem)
        if _within_accused(current, unit):
            errors.setdefault("lead" if unit == lead else "cooperating", []).append(
                _(
                    "An accusation may not go to the unit it accuses or a unit under it "
                    "(信访工作条例 第三十条): %(unit)s."
                )
                % {"unit": unit.name}
            )
    if errors:
        raise ValidationError(errors)
    at = timezone.now()
    before = audit.snapshot(current)
    from_unit = current.unit
    Assignment.objects.filter(
        petition=current, state__in=[Assignment.State.PENDING, Assignment.State.ACCEPTED]
    ).update(state=Assignment.State.WITHDRAWN)
    Assignment.objects.bulk_create(
        Assignment(
            petition=current,
            from_unit=from_unit,
            unit=unit,
            kind=kind,
            role=role,
            state=Assignment.State.PENDING,
            note=note.strip()[:500],
            assigned_at=at,
            assigned_by=actor.user,
        )
        for unit, role in [(lead, Assignment.Role.LEAD)]
        + [(u, Assignment.Role.COOPERATING) for u in cooperating]
    )
    current.unit = lead
    if current.stage == Petition.Stage.ACCEPTED:
        current.stage = Petition.Stage.HANDLING
    current.save()
    audit.record_update(actor=actor, action="petitions.petition.assign", obj=current, before=before)
    timeline.record(
        current,
        f"petition.{kind}",
        note.strip(),
        actor=actor,
        data={"lead": lead.pk, "cooperating": [u.pk for u in cooperating], "from": from_unit.pk},
    )
    # The sender's duty to route is done; the receiving unit may object within 5 working days.
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None and current.stage == Petition.Stage.REGISTERED:
        clock.meet(notice, actor=actor, at=at)
        clock.start(current, "petition.acceptance_notice", actor=actor, unit=lead, started_at=at)
    handling = open_deadline(current, "petition.handling")
    if handling is not None:
        clock.reassign(handling, actor=actor, unit=lead)
    for old in clock.open_deadlines(current, "petition.objection"):
        clock.cancel(old, actor=actor, reason=_("Routed again."))
    clock.start(current, "petition.objection", actor=actor, unit=lead, started_at=at)
    return current


@transaction.atomic
def respond(
    assignment: Assignment, *, actor: Actor, accept: bool, objection: str = ""
) -> Assignment:
    """The receiving unit takes the petition on, or objects with its reasons."""
    current = Assignment.objects.select_for_update().get(pk=assignment.pk)
    errors: dict[str, list[str]] = {}
    if current.state != Assignment.State.PENDING:
        errors["state"] = [_("This routing has already been answered.")]
    if not accept and not objection.strip():
        errors["objection"] = [_("Give the reasons for objecting.")]
    if errors:
        raise ValidationError(errors)
    petition = Petition.objects.select_for_update().get(pk=current.petition_id)
    before = audit.snapshot(current)
    at = timezone.now()
    current.state = Assignment.State.ACCEPTED if accept else Assignment.State.OBJECTED
    current.responded_at = at
    current.objection = objection.strip()
    current.save()
    audit.record_update(
        actor=actor, action="petitions.assignment.respond", obj=current, before=before
    )
    timeline.record(
        petition,
        "petition.assignment_accepted" if accept else "petition.assignment_objected",
        objection.strip(),
        actor=actor,
        data={"unit": current.unit_id, "role": current.role},
    )
    if current.role != Assignment.Role.LEAD:
        return current
    objection_clock = open_deadline(petition, "petition.objection")
    if objection_clock is not None:
        clock.meet(objection_clock, actor=actor, at=at)
    if not accept:
        # Back to the sender, who routes it again or handles it itself.
        petition_before = audit.snapshot(petition)
        petition.unit = current.from_unit
        petition.save(update_fields=["unit", "updated_at"])
        audit.record_update(
            actor=actor, action="petitions.petition.returned", obj=petition, before=petition_before
        )
        for kind in ("petition.acceptance_notice", "petition.handling"):
            running = open_deadline(petition, kind)
            if running is not None and running.unit_id == current.unit_id:
                clock.reassign(running, actor=actor, unit=current.from_unit)
    return current


@transaction.atomic
def set_owner(petition: Petition, *, actor: Actor, leader: User) -> Petition:
    """包案: one leader owns the case."""
    if not leader.is_active or not leader.has_role(Role.DUTY_LEADER):
        raise ValidationError({"owner": [_("Choose an active leader.")]})
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    before = audit.snapshot(current)
    current.owner = leader
    current.save(update_fields=["owner", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.owner", obj=current, before=before)
    timeline.record(current, "petition.owner", leader.display_name, actor=actor)
    return current


# --- handling and the written reply -------------------------------------------------------


@transaction.atomic
def extend_handling(petition: Petition, *, actor: Actor, days: int, reason: str) -> Deadline:
    """Extend the 60 days (at most 30 more, a leader approving) and notify the petitioner."""
    handling = open_deadline(petition, "petition.handling")
    if handling is None:
        raise ValidationError({"stage": [_("This petition has no handling period running.")]})
    extended = clock.extend(handling, actor=actor, by=days, reason=reason)
    due = timezone.localtime(extended.due_at)
    letters.extension_notice(
        petition,
        days=days,
        reason=reason.strip(),
        due=f"{due.year}年{due.month}月{due.day}日",
        actor=actor,
    )
    timeline.record(petition, "petition.extended", reason.strip(), actor=actor, data={"days": days})
    return extended


@transaction.atomic
def reply(
    petition: Petition,
    *,
    actor: Actor,
    outcome: str,
    findings: str,
    opinion: str,
    legal_basis: str,
) -> Reply:
    """Issue the 信访处理意见书 (第三十二条) and close the handling period."""
    current = Petition.objects.select_for_update().select_related("unit").get(pk=petition.pk)
    errors: dict[str, list[str]] = {}
    if current.stage not in (Petition.Stage.ACCEPTED, Petition.Stage.HANDLING):
        errors["stage"] = [_("Only an accepted petition can be answered.")]
    if outcome not in Reply.Outcome.values:
        errors["outcome"] = [_("Choose support, explain, or not support.")]
    for name, value in (("findings", findings), ("opinion", opinion), ("legal_basis", legal_basis)):
        if not value.strip():
            errors[name] = [_("This part of the written reply is required.")]
    if errors:
        raise ValidationError(errors)
    at = timezone.now()
    written = Reply.objects.create(
        petition=current,
        outcome=outcome,
        findings=findings.strip(),
        opinion=opinion.strip(),
        legal_basis=legal_basis.strip(),
        issued_at=at,
        issued_by=actor.user,
    )
    written.document = letters.written_reply(written, actor=actor)
    written.save(update_fields=["document"])
    before = audit.snapshot(current)
    current.stage = Petition.Stage.REPLIED
    current.save(update_fields=["stage", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.reply", obj=current, before=before)
    timeline.record(current, "petition.replied", outcome, actor=actor, happened_at=at)
    handling = open_deadline(current, "petition.handling")
    if handling is not None:
        clock.meet(handling, actor=actor, at=at)
    return written


@transaction.atomic
def deliver(written: Reply, *, actor: Actor, delivered_at: datetime, method: str) -> Reply:
    """Record when the reply reached the petitioner: the 30-day window for 复查 opens."""
    current = Reply.objects.select_for_update().select_related("petition").get(pk=written.pk)
    errors: dict[str, list[str]] = {}
    if current.delivered_at is not None:
        errors["delivered_at"] = [_("The delivery is already recorded.")]
    if delivered_at > timezone.now() + timedelta(minutes=5):
        errors["delivered_at"] = [_("The delivery cannot be in the future.")]
    if delivered_at < current.issued_at:
        errors["delivered_at"] = [_("The reply cannot arrive before it was issued.")]
    if not method.strip():
        errors["method"] = [_("Say how it was delivered.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.delivered_at = delivered_at
    current.delivery_method = method.strip()[:40]
    current.save(update_fields=["delivered_at", "delivery_method"])
    audit.record_update(actor=actor, action="petitions.reply.deliver", obj=current, before=before)
    petition = current.petition
    timeline.record(
        petition, "petition.reply_delivered", method.strip(), actor=actor, happened_at=delivered_at
    )
    clock.start(
        petition,
        "petition.review_request",
        actor=actor,
        unit=petition.unit,
        started_at=delivered_at,
    )
    return current


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
    if current.stage != Petition.Stage.REPLIED or window is None:
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
        Review.objects.select_for_update().select_related("petition", "unit").get(pk=review.pk)
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
    if not final:
        clock.start(
            petition, "petition.recheck_request", actor=actor, unit=current.unit, started_at=at
        )
    return current


@transaction.atomic
def request_recheck(
    petition: Petition, *, actor: Actor, reasons: str, by_petitioner: bool = True
) -> Review:
    """复核: within 30 days of the review opinion, to the body above the reviewing body."""
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    window = open_deadline(current, "petition.recheck_request")
    last = current.reviews.filter(level=Review.Level.REVIEW).select_related("unit__parent").last()
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not reasons.strip():
        errors["reasons"] = [_("Say why the review opinion should be re-reviewed.")]
    if current.stage != Petition.Stage.REVIEWED or window is None or last is None:
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


# --- linking repeats and duplicates; reminders and supervision ----------------------------


def with_overdue(petitions: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
    """The petitions that have a missed deadline."""
    return clock.with_missed_deadline(petitions)


OPEN_STAGES = (
    Petition.Stage.REGISTERED,
    Petition.Stage.ACCEPTED,
    Petition.Stage.HANDLING,
)


@transaction.atomic
def link(petition: Petition, *, actor: Actor, into: Petition, reason: str = "") -> Petition:
    """Handle a repeat or duplicate together with an open case instead of opening it again.

    Both cases keep their own timelines; each records the link. The petitioner of the
    linked petition is answered through the case it joins.
    """
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    target = Petition.objects.select_for_update().get(pk=into.pk)
    errors: dict[str, list[str]] = {}
    if current.pk == target.pk:
        errors["into"] = [_("A case cannot be linked to itself.")]
    elif current.stage != Petition.Stage.REGISTERED:
        errors["stage"] = [_("Only a newly registered petition can be linked to another case.")]
    elif target.stage not in OPEN_STAGES or target.linked_to_id:
        errors["into"] = [_("Link to a case that is still open.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(current)
    current.linked_to = target
    current.stage = Petition.Stage.LINKED
    current.save(update_fields=["linked_to", "stage", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.link", obj=current, before=before)
    timeline.record(
        current, "petition.linked", target.number, actor=actor, data={"into": target.pk}
    )
    timeline.record(
        target,
        "petition.joined",
        current.number,
        actor=actor,
        data={"from": current.pk, "reason": reason},
    )
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None:
        clock.cancel(
            notice,
            actor=actor,
            reason=_("Handled with case %(number)s.") % {"number": target.number},
        )
    return current


@transaction.atomic
def supervise(petition: Petition, *, actor: Actor, kind: str, note: str) -> Supervision:
    """催办 or 督办: a note to the unit handling the case, on its timeline."""
    errors: dict[str, list[str]] = {}
    if kind not in Supervision.Kind.values:
        errors["kind"] = [_("Choose reminder or supervision.")]
    if not note.strip():
        errors["note"] = [_("Write what is asked of the unit.")]
    if errors:
        raise ValidationError(errors)
    entry = Supervision.objects.create(
        petition=petition,
        kind=kind,
        note=note.strip(),
        unit=petition.unit,
        at=timezone.now(),
        by=actor.user,
    )
    audit.record(
        actor=actor, action=f"petitions.petition.{kind}", obj=petition, note=note.strip()[:300]
    )
    timeline.record(
        petition, f"petition.{kind}", note.strip(), actor=actor, data={"unit": petition.unit_id}
    )
    return entry


# --- attachments ---------------------------------------------------------------------------


@transaction.atomic
def attach(petition: Petition, files: list[Any], *, actor: Actor) -> list[Attachment]:
    """Keep scans, photos, recordings and documents with a case; all of them or none."""
    from django.conf import settings
    from django.core.files.base import ContentFile

    errors: list[str] = []
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        errors.append(_("At most %(n)d files at a time.") % {"n": settings.ATTACHMENT_MAX_FILES})
    accepted: list[tuple[str, filetypes.FileType, bytes]] = []
    for upload in files:
        name = (upload.name or "")[-200:]
        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            errors.append(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": name, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            )
            continue
        content = upload.read()
        file_type = filetypes.identify(name, content[:16])
        if file_type is None:
            errors.append(
                _(
                    "%(name)s is not an accepted file: PDF scans, JPEG or PNG photos, MP3, M4A, "
                    "WAV or AMR recordings, or DOCX documents."
                )
                % {"name": name}
            )
            continue
        accepted.append((name, file_type, content))
    if errors:
        raise ValidationError({"uploads": errors})
    kept = []
    for name, file_type, content in accepted:
        attachment = Attachment(
            petition=petition,
            kind=file_type.kind,
            name=name,
            content_type=file_type.content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor.user,
        )
        # Scans and recordings carry personal data: encrypted like the petitioner's fields.
        attachment.file.save(
            f"{secrets.token_hex(16)}.enc", ContentFile(crypto.encrypt_bytes(content)), save=False
        )
        attachment.save(force_insert=True)
        audit.record(actor=actor, action="petitions.attachment.add", obj=attachment, object_repr="")
        kept.append(attachment)
    timeline.record(petition, "petition.attached", "", actor=actor, data={"count": len(kept)})
    return kept


def read_attachment(attachment: Attachment, *, actor: Actor) -> bytes:
    """The attachment's bytes; every opening is an audited view of personal data."""
    with attachment.file.open("rb") as handle:
        content = crypto.decrypt_bytes(handle.read())
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="petitions.attachment.read",
            obj=attachment,
            object_repr="",
            note="personal data: attachment",
        )
    return content


@transaction.atomic
def register_historical(
    intake: Intake, *, office: Unit, actor: Actor, number: str, stage: str
) -> Petition:
    """A case from an old ledger, under its original number and stage.

    Closed cases get no clocks; open ones run from their receipt like new ones, so an
    imported backlog shows up as overdue where it is.
    """
    errors = intake_errors(intake, office)
    if errors:
        raise ValidationError(errors)
    assert intake.category is not None and intake.received_at is not None
    petition = Petition.objects.create(
        number=number,
        receipt_hash=receipt_hash(new_receipt_code()),
        office=office,
        unit=office,
        channel=intake.channel,
        received_at=intake.received_at,
        registered_by=actor.user,
        **_matter(intake),
        stage=stage,
    )
    audit.record(
        actor=actor,
        action="petitions.petition.import",
        obj=petition,
        after=audit.snapshot(petition),
    )
    index_text(petition)
    timeline.record(petition, "petition.imported", "", actor=actor, happened_at=intake.received_at)
    if stage == Petition.Stage.REGISTERED:
        clock.start(
            petition,
            "petition.acceptance_notice",
            actor=actor,
            unit=office,
            started_at=intake.received_at,
        )
    elif stage in (Petition.Stage.ACCEPTED, Petition.Stage.HANDLING):
        clock.start(
            petition, "petition.handling", actor=actor, unit=office, started_at=intake.received_at
        )
    return petition


@transaction.atomic
def object_to_transfer(petition: Petition, *, actor: Actor, reasons: str) -> Petition:
    """Object to an item transferred or assigned from above: not ours, with reasons.

    第二十三条: within 5 working days of receipt; the materials go back once the body
    above agrees. Late objections are still recorded, marked late by the clock.
    """
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    errors: dict[str, list[str]] = {}
    if not current.transferred_from:
        errors["transferred_from"] = [_("Only an item transferred from above can be objected to.")]
    if current.stage != Petition.Stage.REGISTERED:
        errors["stage"] = [_("This petition has already been decided.")]
    if not reasons.strip():
        errors["reasons"] = [_("Give the reasons for objecting.")]
    if errors:
        raise ValidationError(errors)
    at = timezone.now()
    before = audit.snapshot(current)
    current.stage = Petition.Stage.RETURNED
    current.decision_reason = reasons.strip()
    current.decided_at = at
    current.save(update_fields=["stage", "decision_reason", "decided_at", "updated_at"])
    audit.record_update(actor=actor, action="petitions.petition.object", obj=current, before=before)
    timeline.record(
        current,
        "petition.objected",
        reasons.strip(),
        actor=actor,
        data={"to": current.transferred_from},
    )
    objection = open_deadline(current, "petition.objection")
    if objection is not None:
        clock.meet(objection, actor=actor, at=at)
    notice = open_deadline(current, "petition.acceptance_notice")
    if notice is not None:
        clock.cancel(notice, actor=actor, reason=_("Objected to and returned to the body above."))
    return current
