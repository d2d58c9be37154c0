"""Warnings as CAP 1.2 (OASIS Common Alerting Protocol, the form GB/T 35965.1 follows).

The identifier of an issued message follows GB/T 35965.1's pattern: the issuing unit's
division code, the unit, the moment of issue in Beijing time, and the message::

    {6-digit division code}{unit pk, 6 digits}_{YYYYMMDDhhmmss}_{message pk}

e.g. ``371402000012_20261204203000_57``: only digits and ``_``, so never a space, a
comma, ``<`` or ``&`` (CAP 1.2, 3.2.1).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.utils import timezone

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
