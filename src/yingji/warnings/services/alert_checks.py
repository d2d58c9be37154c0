"""The checks of a warning's content, all before anything is written: each bad field is
named with its message (``region_codes``, ``polygon``, ``expires_at`` …).

``clean(data, unit=…)`` reads a form's or payload's values into the model's fields. The
area is the issuing unit's jurisdiction in emergency work: every division code must lie
in it, and a drawn polygon must lie inside the outline of its region.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji import fields, maps
from yingji.clock import moments
from yingji.org import jurisdiction, lines
from yingji.org.models import Unit
from yingji.plans.models import EventType
from yingji.warnings.models import WarningMessage

Errors = dict[str, list[str]]

MAX_CODES = 50
MAX_POINTS = 500
MIN_POINTS = 4
LONGEST = timedelta(days=365)  # a warning lasts at most a year
PAST = timedelta(hours=24)  # an effective time at most a day back
AHEAD = timedelta(days=365)
TEXTS = (
    # name, most, required
    ("area_description", 200, False),
    ("headline", 120, True),
    ("description", 5000, True),
    ("instruction", 5000, False),
    ("headline_en", 160, False),
    ("description_en", 5000, False),
    ("instruction_en", 5000, False),
)
SEPARATORS = re.compile(r"[\s,，、;；]+")


def _level(raw: Any, errors: Errors) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors["level"] = [_("Choose the warning level.")]
        return None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    else:
        value = fields.whole_number(raw, most=9)
    if value is None or not 1 <= value <= 4:
        errors["level"] = [_("Choose a level from 1 (red) to 4 (blue).")]
        return None
    return value


def _event_type(raw: Any, errors: Errors) -> EventType | None:
    if raw is None or raw == "":
        errors["event_type"] = [_("Choose the event type.")]
        return None
    if isinstance(raw, EventType):
        found: EventType | None = raw if raw.is_active else None
    else:
        pk = None if isinstance(raw, bool) else fields.id_of(raw)
        found = EventType.objects.filter(pk=pk, is_active=True).first() if pk else None
    if found is None:
        errors["event_type"] = [_("Choose an event type from the list.")]
    return found


def _codes(raw: Any, unit: Unit, errors: Errors) -> list[str]:
    if isinstance(raw, str):
        items: list[Any] = [c for c in SEPARATORS.split(raw) if c]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    elif raw is None:
        items = []
    else:
        errors["region_codes"] = [_("Enter division codes separated by commas or spaces.")]
        return []
    if not items:
        errors["region_codes"] = [_("Name the area: at least one division code.")]
        return []
    if not all(isinstance(c, str) for c in items):
        errors["region_codes"] = [_("Enter division codes separated by commas or spaces.")]
        return []
    codes = list(dict.fromkeys(c.strip() for c in items if c.strip()))
    if not codes:
        errors["region_codes"] = [_("Name the area: at least one division code.")]
        return []
    if len(codes) > MAX_CODES:
        errors["region_codes"] = [
            _("A warning names at most %(n)d division codes.") % {"n": MAX_CODES}
        ]
        return []
    problems = []
    for code in codes:
        problem = jurisdiction.place_error(code, unit, lines.EMERGENCY)
        if problem is not None:
            problems.append(f"{code[:12]}: {problem}")
    if problems:
        errors["region_codes"] = problems[:5]
    return codes


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str) and len(raw) <= 30:
        try:
            value = float(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def _pairs(raw: Any) -> list[list[float]] | None:
    """[[lat, lon], …] from CAP text or a list of pairs; None when it is neither."""
    if isinstance(raw, str):
        if len(raw) > MAX_POINTS * 50:
            return None
        items: list[Any] = [p.split(",") for p in raw.split()]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    else:
        return None
    found = []
    for item in items[: MAX_POINTS + 1]:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            return None
        lat, lon = _number(item[0]), _number(item[1])
        if lat is None or lon is None:
            return None
        found.append([lat, lon])
    if len(items) > MAX_POINTS:
        found.append(found[0])  # counted as too many below
    return found


def outline_region(unit: Unit) -> Unit | None:
    """The region whose outline bounds the unit's warnings: its area in emergency work."""
    return Unit.objects.filter(path=jurisdiction.area_root_of(unit, lines.EMERGENCY)).first()


def _polygon(raw: Any, unit: Unit, errors: Errors) -> list[list[float]] | None:
    if raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip()):
        return None
    pairs = _pairs(raw)
    if pairs is None:
        errors["polygon"] = [
            _("Enter the polygon as latitude,longitude pairs separated by spaces.")
        ]
        return None
    if len(pairs) < MIN_POINTS:
        errors["polygon"] = [
            _("A polygon needs at least four points, the first repeated at the end.")
        ]
        return None
    if len(pairs) > MAX_POINTS:
        errors["polygon"] = [_("A polygon has at most %(n)d points.") % {"n": MAX_POINTS}]
        return None
    for lat, lon in pairs:
        if not -90 <= lat <= 90 or not -180 <= lon <= 180:
            errors["polygon"] = [
                _("Latitude must be from -90 to 90 and longitude from -180 to 180.")
            ]
            return None
    if pairs[0] != pairs[-1]:
        errors["polygon"] = [_("The polygon does not close: its last point must be its first.")]
        return None
    region = outline_region(unit)
    if region is None or not region.outline:
        errors["polygon"] = [
            _(
                "%(unit)s has no outline on record, so a polygon cannot be checked: "
                "name the area by its division codes."
            )
            % {"unit": region.name if region is not None else unit.name}
        ]
        return None
    for number, (lat, lon) in enumerate(pairs, start=1):
        if not maps.contains(region.outline, lon, lat):
            errors["polygon"] = [
                _("Point %(n)d (%(lat)s, %(lon)s) lies outside %(area)s.")
                % {"n": number, "lat": lat, "lon": lon, "area": region.name}
            ]
            return None
    return pairs


def _times(
    data: Mapping[str, Any], errors: Errors, now: datetime
) -> tuple[datetime | None, datetime | None]:
    effective = moments.read(data.get("effective_at"), "effective_at", errors)
    if effective is None and "effective_at" not in errors:
        effective = now
    if effective is not None:
        if effective < now - PAST:
            errors["effective_at"] = [_("The effective time may be at most a day in the past.")]
        elif effective > now + AHEAD:
            errors["effective_at"] = [_("The effective time may be at most a year ahead.")]
    expires = moments.read(data.get("expires_at"), "expires_at", errors)
    if expires is None and "expires_at" not in errors:
        errors["expires_at"] = [_("Enter when the warning expires.")]
    elif expires is not None and effective is not None:
        if expires <= effective:
            errors["expires_at"] = [_("The expiry must be after the effective time.")]
        elif expires > effective + LONGEST:
            errors["expires_at"] = [
                _("A warning lasts at most a year: set the expiry within a year.")
            ]
    return effective, expires


def clean(data: Mapping[str, Any], *, unit: Unit, errors: Errors | None = None) -> dict[str, Any]:
    """The warning's fields from ``data``; the problems go into ``errors`` (the caller
    raises). Keys not in ``data`` are read as empty."""
    errors = errors if errors is not None else {}
    now = timezone.now()
    clean: dict[str, Any] = {
        "event_type": _event_type(data.get("event_type"), errors),
        "level": _level(data.get("level"), errors),
        "region_codes": _codes(data.get("region_codes"), unit, errors),
        "polygon": _polygon(data.get("polygon"), unit, errors),
    }
    for name, most, required in TEXTS:
        clean[name] = fields.read_text(data, name, errors, most=most, required=required)
    english = any(clean[n] for n in ("headline_en", "description_en", "instruction_en"))
    if english and not clean["headline_en"] and "headline_en" not in errors:
        errors["headline_en"] = [_("Give the English headline with the English text.")]
    clean["effective_at"], clean["expires_at"] = _times(data, errors, now)
    return clean


def form_data(message: WarningMessage) -> dict[str, Any]:
    """A message's values as data for a form or as the defaults of its follower."""
    return {
        "event_type": message.event_type_id,
        "level": message.level,
        "region_codes": list(message.region_codes or []),
        "polygon": message.polygon,
        "area_description": message.area_description,
        "headline": message.headline,
        "description": message.description,
        "instruction": message.instruction,
        "headline_en": message.headline_en,
        "description_en": message.description_en,
        "instruction_en": message.instruction_en,
        "effective_at": message.effective_at,
        "expires_at": message.expires_at,
    }


def polygon_text(polygon: Any) -> str:
    """A polygon as CAP writes it: "lat,lon lat,lon …"."""
    if not polygon:
        return ""
    return " ".join(f"{lat},{lon}" for lat, lon in polygon)
