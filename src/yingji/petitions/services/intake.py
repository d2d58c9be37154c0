"""Intake: a petition's first days, from registering it (or taking it over from an old
ledger) and clarifying who filed it to the decision to accept, refuse or refer it, with the
one deliberate look at the petitioner's decrypted details. They belong together because only
they write the petitioner's encrypted and hashed details and the receipt code, and because
the decision rests on what registration found: a matter already through 复核 is not accepted
again (信访工作条例 第三十六条). Keeping them in one place keeps the rules for that data in one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import crypto
from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.org.models import Unit
from yingji.petitions import letters, validation
from yingji.petitions.models import (
    Category,
    Petition,
    Representative,
)
from yingji.petitions.numbers import next_number
from yingji.petitions.numbers import reserve as reserve_number
from yingji.petitions.services.handling import open_deadline
from yingji.petitions.services.similar import index_text
from yingji.search import indexing, text
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


def online_petitioner(address: str | None = None) -> Actor:
    """A petitioner acting on the public pages or through the public API: not a user,
    named in the office's language on the timeline and in the audit log."""
    return Actor(user=None, address=address, label=_("online petitioner"))


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
        "name_hash": crypto.lookup_hash("name", crypto.normal_name(intake.name)),
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


def accusation_office(office: Unit, accused: Unit | None) -> Unit:
    """Where an accusation goes: never to the accused unit or a unit under it, but to the
    nearest government above the accused (信访工作条例 第三十条). Other cases keep
    ``office``."""
    if accused is None or not office.is_within(accused):
        return office
    above = (
        Unit.objects.ancestors_of(accused)
        .filter(kind=Unit.Kind.REGION, is_active=True)
        .order_by("-path")
        .first()
    )
    return above or office


def accused_missing_message() -> str:
    return _(
        "An accusation (检举控告) must say which unit is accused, so that it never goes to "
        "that unit."
    )


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
        search_pending=True,
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
    # Found by search a moment later: a job writes its entry after the commit.
    indexing.soon(petition)
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


# A ledger's 不予受理 and 已告知 are decisions, shown as such on the case.
HISTORICAL_DECISIONS: dict[str, str] = {
    Petition.Stage.NOT_ACCEPTED: Petition.Decision.REJECT,
    Petition.Stage.REFERRED: Petition.Decision.REFER,
}


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
    reserve_number(office, number)
    petition = Petition.objects.create(
        number=number,
        receipt_hash=receipt_hash(new_receipt_code()),
        office=office,
        unit=office,
        channel=intake.channel,
        received_at=intake.received_at,
        registered_by=actor.user,
        **_matter(intake),
        is_collective=intake.is_collective,
        transferred_from=intake.transferred_from.strip()[:120],
        stage=stage,
        decision=HISTORICAL_DECISIONS.get(stage, ""),
        # A case the old ledger says was answered is followed up from its import on:
        # yingji does not know when the reply was issued.
        awaiting_rating_since=timezone.now() if stage == Petition.Stage.REPLIED else None,
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


REPEAT_THRESHOLD = 0.5
FINISHED_OF_PETITIONER = (
    'SELECT "id", "number", "request", "facts" FROM "petitions_petition" '
    'WHERE ("phone_hash" = %s OR "id_number_hash" = %s) AND "stage" = %s LIMIT 200'
)


def finished_repeat_of(petition: Petition) -> Petition | None:
    """A case of the same petitioner, through 复核 already, about the same matter."""
    if not (petition.phone_hash or petition.id_number_hash):
        return None
    # Run on every registration: a plain statement, not a compiled query. An empty hash
    # is passed as NULL, which matches nothing.
    finished = Petition.objects.raw(
        FINISHED_OF_PETITIONER,
        [petition.phone_hash or None, petition.id_number_hash or None, Petition.Stage.FINAL],
    )
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
        current.name_hash = crypto.lookup_hash("name", crypto.normal_name(name))
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


def new_matter_message(petition: Petition) -> str:
    assert petition.repeat_of is not None
    return _(
        "Case %(number)s looks like the same matter and has been through re-review. To "
        "accept this one, say what is new in its facts or reasons; otherwise do not accept "
        "it (第三十六条)."
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
    # The match with a case through 复核 is a finding for the clerk, who decides: not
    # accepted again (第三十六条), or accepted as a new matter with what is new in it.
    if current.repeat_of_id and decision == Petition.Decision.ACCEPT and not reason.strip():
        errors["reason"] = [new_matter_message(current)]
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
