"""A petition handed in from outside without a clerk: the public form's API and the
integrations that file for the public (Open311, a hotline, a mini-program). One place reads
the codes such a client sends (the office, the category, the accused unit), applies the
online rules (consent, a name and an address, an accusation never goes to the accused) and
registers the case through :func:`register`; each channel only maps its own parameter names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.petitions.models import Category, Petition
from yingji.petitions.services.intake import (
    Intake,
    Registered,
    accusation_office,
    accused_missing_message,
    consent_message,
    register,
    unknown_category_message,
    unknown_unit_message,
)


@dataclass
class Submission:
    """What an online client sends, by code. Field names are the public API's."""

    office_code: str
    category: str
    name: str
    address: str
    request: str
    facts: str
    consent: bool
    petitioner_kind: str = Petition.PetitionerKind.PERSON
    phone: str = ""
    id_number: str = ""
    place: str = ""
    accused_unit_code: str = ""
    accused_person: str = ""


def offices() -> list[Unit]:
    """The offices that take petitions online: active administrative regions, by tree."""
    return list(Unit.objects.filter(kind=Unit.Kind.REGION, is_active=True).order_by("path"))


def office_by_code(code: str) -> Unit | None:
    code = code.strip()
    if not code:
        return None
    return Unit.objects.filter(code=code, kind=Unit.Kind.REGION, is_active=True).first()


# Read by every registration from outside (API, public form, Open311): a plain
# statement; the code is unique.
ACTIVE_CATEGORY = 'SELECT * FROM "petitions_category" WHERE "code" = %s AND "is_active"'


def category_by_code(code: str) -> Category | None:
    code = code.strip()
    if not code:
        return None
    return next(iter(Category.objects.raw(ACTIVE_CATEGORY, [code])), None)


def read(submission: Submission) -> tuple[Intake, Unit]:
    """The intake and the office that receives it, or every problem at once, keyed by the
    submission's field names."""
    errors: dict[str, list[str]] = {}
    if not submission.consent:
        errors["consent"] = [consent_message()]
    if not submission.name.strip():
        errors["name"] = [_("Enter the name of the person or organisation.")]
    if not submission.address.strip():
        errors["address"] = [_("Enter the petitioner's address.")]
    office = office_by_code(submission.office_code)
    if office is None:
        errors["office_code"] = [unknown_unit_message()]
    category = category_by_code(submission.category)
    if category is None:
        errors["category"] = [unknown_category_message()]
    accused = None
    if category is not None and category.is_accusation:
        accused = Unit.objects.filter(
            code=submission.accused_unit_code.strip() or None, is_active=True
        ).first()
        if accused is None:
            errors["accused_unit_code"] = [accused_missing_message()]
    if errors:
        raise ValidationError(errors)
    assert office is not None and category is not None
    intake = Intake(
        channel=Petition.Channel.ONLINE,
        petitioner_kind=submission.petitioner_kind,
        name=submission.name,
        request=submission.request,
        facts=submission.facts,
        category=category,
        phone=submission.phone,
        id_number=submission.id_number,
        address=submission.address,
        region_code=office.code,
        place=submission.place,
        accused_unit=accused,
        accused_person=submission.accused_person if accused else "",
    )
    return intake, accusation_office(office, accused)


def submit(submission: Submission, *, actor: Actor) -> Registered:
    """Register an online petition (one transaction, audited, with its notice clock)."""
    intake, office = read(submission)
    return register(intake, office=office, actor=actor)


@dataclass(frozen=True)
class CategoryNode:
    code: str
    name: str
    name_en: str
    is_accusation: bool
    parent_code: str | None
    children: tuple[CategoryNode, ...]


def categories() -> list[CategoryNode]:
    """The active category tree, roots first in their order; a child under an inactive
    parent is not offered (the public form does not offer it either)."""
    rows = list(Category.objects.filter(is_active=True).order_by("sort", "code"))
    by_parent: dict[int | None, list[Category]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)

    def node(row: Category, parent_code: str | None, depth: int) -> CategoryNode:
        below = by_parent.get(row.pk, []) if depth < 20 else []
        return CategoryNode(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            is_accusation=row.is_accusation,
            parent_code=parent_code,
            children=tuple(node(child, row.code, depth + 1) for child in below),
        )

    return [node(row, None, 0) for row in by_parent.get(None, [])]


def flatten(nodes: list[CategoryNode] | tuple[CategoryNode, ...]) -> list[CategoryNode]:
    """Every node of the tree, each parent before its children."""
    out: list[CategoryNode] = []
    for item in nodes:
        out.append(item)
        out.extend(flatten(item.children))
    return out
