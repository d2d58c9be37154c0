"""Warnings as CAP 1.2 (OASIS Common Alerting Protocol, the form GB/T 35965.1 follows).

The identifier of an issued message follows GB/T 35965.1's pattern: the issuing unit's
division code, the unit, the moment of issue in Beijing time, and the message::

    {6-digit division code}{unit pk, 6 digits}_{YYYYMMDDhhmmss}_{message pk}

e.g. ``371402000012_20261204203000_57``: only digits and ``_``, so never a space, a
comma, ``<`` or ``&`` (CAP 1.2, 3.2.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from yingji.org.models import Unit
from yingji.warnings.models import WarningMessage

# CAP wants every time with its offset; the warnings are China's, in Beijing time.
BEIJING = dt_timezone(timedelta(hours=8), "CST")

# Level (1 red … 4 blue) → CAP severity, urgency, certainty. CAP 1.2 (3.2.2):
#   severity  Extreme "extraordinary threat to life or property", Severe "significant
#             threat", Moderate "possible threat", Minor "minimal to no known threat";
#   urgency   Immediate "responsive action should be taken immediately", Expected
#             "within the next hour", Future "in the near future";
#   certainty Likely "p > ~50%", Possible "p <= ~50%".
# Red (Ⅰ级, 特别严重) calls for action now and the event is likely; orange and yellow expect
# it soon and likely (Severe / Moderate by gravity); blue (Ⅳ级, 一般) is a notice that it may
# come: Minor, Future, Possible.
SEVERITY: dict[int, tuple[str, str, str]] = {
    1: ("Extreme", "Immediate", "Likely"),
    2: ("Severe", "Expected", "Likely"),
    3: ("Moderate", "Expected", "Likely"),
    4: ("Minor", "Future", "Possible"),
}


def region_code_of(unit: Unit) -> str:
    """The 6-digit division code of the region the unit belongs to (its own code for a
    region; the nearest region above it for a department); six zeros when none."""
    if unit.kind == Unit.Kind.REGION and unit.code:
        return unit.code[:6]
    above = (
        Unit.objects.ancestors_of(unit)
        .filter(kind=Unit.Kind.REGION)
        .exclude(code="")
        .order_by("-path")
        .values_list("code", flat=True)
        .first()
    )
    return (above or "000000")[:6]


def cap_time(moment: datetime) -> str:
    """A CAP dateTime: Beijing time with its offset, to the second (2026-12-04T20:30:00+08:00)."""
    return moment.astimezone(BEIJING).replace(microsecond=0).isoformat()


def identifier_for(message: WarningMessage) -> str:
    """The CAP identifier given on issue (stored in ``message.identifier``); see above."""
    moment = (message.issued_at or timezone.now()).astimezone(BEIJING)
    return f"{region_code_of(message.unit)}{message.unit_id:06d}_{moment:%Y%m%d%H%M%S}_{message.pk}"


# --- CAP 1.2 XML ----------------------------------------------------------------------

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MIME = "application/cap+xml"

# The event type's code (the plans' tree after GB/T 35561) → CAP category, the longest
# matching prefix winning. CAP 1.2 (3.2.2): Geo geophysical (landslide), Met
# meteorological (incl. flood), Safety general emergency and public safety, Security law
# enforcement, military, homeland and local/private security, Rescue, Fire (incl.
# wildfire), Health medical and public health, Env pollution and other environmental,
# Transport, Infra utility and telecommunication, CBRNE chemical, biological,
# radiological, nuclear or high-yield explosive, Other.
CATEGORIES: dict[str, str] = {
    "natural": "Met",  # most natural-disaster warnings are weather and water
    "natural.flood": "Met",
    "natural.weather": "Met",
    "natural.marine": "Met",  # storm surges, waves, sea ice: marine meteorology
    "natural.earthquake": "Geo",
    "natural.geological": "Geo",
    "natural.biological": "Env",  # pests and invasive species
    "natural.forest_fire": "Fire",
    "accident": "Safety",
    "accident.work_safety": "Safety",
    "accident.traffic": "Transport",
    "accident.utilities": "Infra",
    "accident.fire": "Fire",
    "accident.nuclear": "CBRNE",
    "accident.environment": "Env",
    "health": "Health",
    "social": "Security",
}

# The Chinese names of the levels (预警颜色 and 预警级别, as the public knows them) and
# the English ones for the en-US info.
COLOURS = {1: ("红色", "Red"), 2: ("橙色", "Orange"), 3: ("黄色", "Yellow"), 4: ("蓝色", "Blue")}
GRADES = {1: ("Ⅰ级", "I"), 2: ("Ⅱ级", "II"), 3: ("Ⅲ级", "III"), 4: ("Ⅳ级", "IV")}


def category_for(code: str) -> str:
    """The CAP category of an event type's code: its longest prefix in CATEGORIES."""
    parts = code.split(".")
    for n in range(len(parts), 0, -1):
        found = CATEGORIES.get(".".join(parts[:n]))
        if found:
            return found
    return "Other"


def sender() -> str:
    """The CAP sender: the site's address, as an e-mail-like name (yingji@host)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"yingji@{host}"


def public_url(message: WarningMessage) -> str:
    """The message's public page (real, issued messages only have one)."""
    key = message.identifier or str(message.pk)
    return f"{settings.SITE_URL}{reverse('warnings_public:detail', args=[key])}"


def cap_url(message: WarningMessage) -> str:
    """Where the message's CAP XML is served (GET /api/v1/warnings/{id}/cap)."""
    return f"{settings.SITE_URL}{cap_path(message)}"


def cap_path(message: WarningMessage) -> str:
    """The CAP endpoint's path, fixed by the API's contract for integrators (the route
    is ``api:warning_cap``, yingji.warnings.cap_api)."""
    return f"/api/v1/warnings/{message.pk}/cap"


def earlier_messages(message: WarningMessage) -> list[WarningMessage]:
    """The chain's issued messages before ``message``, oldest first."""
    if message.msg_type == WarningMessage.MsgType.ALERT and message.references_id is None:
        return []
    chain = message.chain_id or message.references_id
    moment = message.issued_at or timezone.now()
    earlier = (
        WarningMessage.objects.filter(
            Q(chain_id=chain) | Q(pk=chain),
            state=WarningMessage.State.ISSUED,
            issued_at__lte=moment,
        )
        .exclude(pk=message.pk)
        .order_by("issued_at", "pk")
    )
    return list(earlier)


def references_text(message: WarningMessage) -> str:
    """CAP references: each earlier message of the chain as ``sender,identifier,sent``,
    separated by spaces (CAP 1.2, 3.2.1)."""
    me = sender()
    return " ".join(
        f"{me},{m.identifier or m.pk},{cap_time(m.issued_at or m.created_at)}"
        for m in earlier_messages(message)
    )


def polygon_text(polygon: object) -> str:
    """A CAP polygon, ``lat,lon lat,lon …`` with the first point repeated last, from the
    stored ring of [latitude, longitude] pairs (or CAP text already); '' for none."""
    if not polygon:
        return ""
    if isinstance(polygon, str):
        points = [p.split(",") for p in polygon.split()]
    elif isinstance(polygon, (list, tuple)):
        points = [list(p) for p in polygon if isinstance(p, (list, tuple)) and len(p) == 2]
    else:
        return ""
    try:
        pairs = [(float(lat), float(lon)) for lat, lon in points]
    except (TypeError, ValueError):
        return ""
    if len(pairs) < 3:
        return ""
    if pairs[0] != pairs[-1]:
        pairs.append(pairs[0])
    return " ".join(f"{_number(lat)},{_number(lon)}" for lat, lon in pairs)


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def area_description(message: WarningMessage, names: dict[str, str] | None = None) -> str:
    """The area in words: the drafter's description, or the names of its divisions
    (``names``: code → name, when the caller has read them for many messages)."""
    if message.area_description.strip():
        return message.area_description.strip()
    codes = [str(c) for c in message.region_codes or []]
    if names is None:
        names = division_names(codes)
    return "、".join(names.get(c, c) for c in codes) or message.unit.name


def division_names(codes: Iterable[str]) -> dict[str, str]:
    """Division code → the directory's name for it, in one query."""
    return dict(Unit.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _add(parent: etree._Element, name: str, text: str | None) -> etree._Element | None:
    if text is None or text == "":
        return None
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    element.text = text
    return element


def _pair(parent: etree._Element, name: str, value_name: str, value: str) -> None:
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    _add(element, "valueName", value_name)
    _add(element, "value", value)


def _info(message: WarningMessage, *, english: bool, area: str, polygon: str) -> etree._Element:
    MsgType = WarningMessage.MsgType
    info = etree.Element(f"{{{NS}}}info")
    _add(info, "language", "en-US" if english else "zh-CN")
    _add(info, "category", category_for(message.event_type.code))
    event = message.event_type.name_en if english and message.event_type.name_en else None
    _add(info, "event", event or message.event_type.name)
    lifted = message.msg_type == MsgType.CANCEL
    _add(info, "responseType", "AllClear" if lifted else "Prepare")
    severity, urgency, certainty = SEVERITY[message.level]
    # A lift keeps the gravity that was warned of; no action is needed any more (Past).
    _add(info, "urgency", "Past" if lifted else urgency)
    _add(info, "severity", severity)
    _add(info, "certainty", certainty)
    _add(info, "effective", cap_time(message.effective_at))
    _add(info, "expires", cap_time(message.expires_at))
    _add(info, "senderName", message.unit.signing_name)
    if english:
        _add(info, "headline", message.headline_en)
        # Only the English texts given: a Chinese text is in the zh-CN info already.
        _add(info, "description", message.description_en)
        _add(info, "instruction", message.instruction_en)
    else:
        _add(info, "headline", message.headline)
        _add(info, "description", message.description)
        _add(info, "instruction", message.instruction)
    if not message.is_drill and message.state == WarningMessage.State.ISSUED:
        _add(info, "web", public_url(message))
    _add(info, "contact", message.unit.phone)
    colour, grade = COLOURS[message.level], GRADES[message.level]
    if english:
        _pair(info, "parameter", "warning colour", colour[1])
        _pair(info, "parameter", "warning level", grade[1])
    else:
        _pair(info, "parameter", "预警颜色", colour[0])
        _pair(info, "parameter", "预警级别", grade[0])
    where = etree.SubElement(info, f"{{{NS}}}area")
    _add(where, "areaDesc", area)
    _add(where, "polygon", polygon)
    for code in message.region_codes or []:
        _pair(where, "geocode", "GB/T 2260", str(code))
    return info


def to_element(message: WarningMessage) -> etree._Element:
    """The message as a CAP 1.2 ``alert`` element."""
    alert = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _add(alert, "identifier", message.identifier or identifier_for(message))
    _add(alert, "sender", sender())
    _add(alert, "sent", cap_time(message.issued_at or timezone.now()))
    _add(alert, "status", "Exercise" if message.is_drill else "Actual")
    _add(alert, "msgType", message.msg_type)
    _add(alert, "scope", "Public")
    notes = []
    if message.is_drill:
        notes.append("演练信息，不是真实预警。")
    if message.note.strip():
        notes.append(message.note.strip())
    _add(alert, "note", " ".join(notes))
    if message.msg_type != WarningMessage.MsgType.ALERT:
        _add(alert, "references", references_text(message))
    area = area_description(message)
    polygon = polygon_text(message.polygon)
    alert.append(_info(message, english=False, area=area, polygon=polygon))
    if message.headline_en.strip():
        alert.append(_info(message, english=True, area=area, polygon=polygon))
    return alert


def to_xml(message: WarningMessage) -> bytes:
    """The message as a CAP 1.2 document (UTF-8, with its XML declaration)."""
    return etree.tostring(
        to_element(message), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
