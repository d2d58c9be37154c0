"""Registration numbers: a pattern per deployment, gap-free per office and year.

A ledger import brings cases under their original numbers. One of the office's own
pattern moves the office's sequence past it (``reserve``), and a new registration
skips any number that exists however it came in, so intake never collides with it.
"""

from __future__ import annotations

import re
import string
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from yingji.org.models import Unit
from yingji.petitions.models import NumberSequence, Petition


def office_code(office: Unit) -> str:
    """The office's own division code, or its nearest region's code and its id."""
    if office.code:
        return office.code
    region = Unit.objects.ancestors_of(office).exclude(code="").order_by("-path").first()
    prefix = region.code if region else "0"
    return f"{prefix}-{office.pk}"


def next_number(office: Unit, moment: datetime) -> str:
    """Take the office's next number for the year of ``moment``; call inside a transaction.

    The sequence row is locked until the caller commits, so concurrent intakes queue
    and a rolled-back intake gives its number back: no gaps, no duplicates.
    """
    year = moment.year
    locked = NumberSequence.objects.select_for_update()
    # The row exists for all but an office's first intake of the year: lock it at once,
    # and only then pay for the savepoint that creating it safely needs.
    sequence = locked.filter(office=office, year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.get_or_create(office=office, year=year)
        except IntegrityError:
            pass  # another intake created the row first; lock it below
        sequence = locked.get(office=office, year=year)
    code = office_code(office)
    sequence.last += 1
    number = _format(code, year, sequence.last, office)
    # Imported numbers in another shape (or ones reserve could not read) are skipped.
    while Petition.objects.filter(number=number).exists():
        sequence.last += 1
        number = _format(code, year, sequence.last, office)
    sequence.save(update_fields=["last"])
    return number


def _format(code: str, year: int, seq: int, office: Unit) -> str:
    return settings.PETITION_NUMBER_PATTERN.format(code=code, year=year, seq=seq, office=office.pk)


def _parser(office: Unit) -> re.Pattern[str]:
    """The deployment's pattern as a regular expression for this office's numbers."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(
        settings.PETITION_NUMBER_PATTERN
    ):
        parts.append(re.escape(literal))
        if field == "code":
            parts.append(re.escape(office_code(office)))
        elif field == "office":
            parts.append(re.escape(str(office.pk)))
        elif field == "year":
            parts.append(r"(?P<year>\d{4})")
        elif field == "seq":
            parts.append(r"(?P<seq>\d{1,12})")
    return re.compile("".join(parts))


def reserve(office: Unit, number: str) -> None:
    """An imported case holds ``number``: if it is one of the office's own numbers, the
    office's sequence for that year moves past it. Call inside the import's transaction."""
    found = _parser(office).fullmatch(number.strip())
    if found is None or "seq" not in found.groupdict() or "year" not in found.groupdict():
        return
    year, seq = int(found["year"]), int(found["seq"])
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(office=office, year=year)
    except IntegrityError:
        pass
    sequence = NumberSequence.objects.select_for_update().get(office=office, year=year)
    if seq > sequence.last:
        sequence.last = seq
        sequence.save(update_fields=["last"])
