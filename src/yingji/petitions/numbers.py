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
from django.db import IntegrityError, connection, transaction

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
    # The row exists for all but an office's first intake of the year: take the number
    # with one statement, and only then pay for the savepoint that creating it needs.
    last = _take(office, year)
    if last is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.get_or_create(office=office, year=year)
        except IntegrityError:
            pass  # another intake created the row first
        last = _take(office, year)
        assert last is not None
    code = office_code(office)
    number = _format(code, year, last, office)
    # Imported numbers in another shape (or ones reserve could not read) are skipped.
    while Petition.objects.filter(number=number).exists():
        last = _take(office, year)
        assert last is not None
        number = _format(code, year, last, office)
    return number


# NumberSequence's table, in SQL both databases read (RETURNING: SQLite 3.35 and later).
TAKE = (
    'UPDATE "petitions_numbersequence" SET "last" = "last" + 1 '
    'WHERE "office_id" = %s AND "year" = %s RETURNING "last"'
)


def _take(office: Unit, year: int) -> int | None:
    """Move the office's sequence for ``year`` on by one and return it (the update locks
    the row until the transaction ends); None when the row does not exist yet."""
    with connection.cursor() as cursor:
        cursor.execute(TAKE, [office.pk, year])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


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
