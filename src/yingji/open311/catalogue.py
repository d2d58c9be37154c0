"""The services an Open311 client can file: the petition categories, each with the
attributes a petition needs beyond the specification's own fields."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from yingji.petitions.models import Petition
from yingji.petitions.services import online


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, text or singlevaluelist
    required: bool
    description: str
    most: int = 0  # the longest text accepted
    values: tuple[tuple[str, str], ...] = ()


def _label(node: online.CategoryNode) -> str:
    if (get_language() or "").startswith("en") and node.name_en:
        return node.name_en
    return node.name


def attributes(node: online.CategoryNode) -> list[Attribute]:
    """What a petition of this category needs beyond the specification's fields:
    the petitioner's address, the request as against the facts (the description), and
    consent; for an accusation, the unit accused."""
    found = [
        Attribute(
            "petitioner_address",
            "string",
            True,
            _("The petitioner's address (信访人住址), needed to send the written reply."),
            most=200,
        ),
        Attribute(
            "request",
            "text",
            True,
            _("What the petitioner asks for (信访请求); the description holds the facts."),
            most=5000,
        ),
        Attribute(
            "consent",
            "singlevaluelist",
            True,
            _(
                "The petitioner agrees that their personal data is processed to handle the "
                "petition."
            ),
            values=(("true", _("I agree")),),
        ),
        Attribute(
            "petitioner_kind",
            "singlevaluelist",
            False,
            _("Who files: a person (default) or an organisation."),
            values=tuple((str(k), str(v)) for k, v in Petition.PetitionerKind.choices),
        ),
        Attribute(
            "id_number",
            "string",
            False,
            _("ID number, or an organisation's unified social credit code (optional)."),
            most=30,
        ),
    ]
    if node.is_accusation:
        found += [
            Attribute(
                "accused_unit_code",
                "string",
                True,
                _(
                    "The division code of the unit accused (see jurisdictions): the case "
                    "goes to the body above it, never to that unit."
                ),
                most=12,
            ),
            Attribute(
                "accused_person",
                "string",
                False,
                _("The person accused (optional)."),
                most=60,
            ),
        ]
    return found


def nodes() -> dict[str, tuple[online.CategoryNode, online.CategoryNode | None]]:
    """Every active category by code, with its top-level group."""
    found: dict[str, tuple[online.CategoryNode, online.CategoryNode | None]] = {}
    for root in online.categories():
        found[root.code] = (root, None)
        for node in online.flatten(root.children):
            found[node.code] = (node, root)
    return found


def service_rows() -> list[dict[str, Any]]:
    rows = []
    for node, group in nodes().values():
        words = [node.name, node.name_en, *((group.name, group.name_en) if group else ())]
        rows.append(
            {
                "service_code": node.code,
                "service_name": _label(node),
                "description": f"{_label(group)} / {_label(node)}" if group else _label(node),
                "metadata": True,
                "type": "realtime",
                "keywords": ", ".join(word for word in words if word),
                "group": _label(group or node),
            }
        )
    return rows


def definition(code: str) -> dict[str, Any] | None:
    found = nodes().get(code)
    if found is None:
        return None
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": (
                    _("At most %(n)d characters.") % {"n": attribute.most}
                    if attribute.most
                    else None
                ),
                "order": order,
                "description": attribute.description,
                "values": [{"key": key, "name": name} for key, name in attribute.values],
            }
            for order, attribute in enumerate(attributes(found[0]), start=1)
        ],
    }


def changeset(rows: list[dict[str, Any]]) -> str:
    """When the service list last changed, as far as this site has seen: the first time a
    list with this content was served (kept in the shared cache)."""
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode("utf-8")).hexdigest()
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return str(cache.get_or_set(f"open311-changeset:{digest}", stamp, timeout=None))
