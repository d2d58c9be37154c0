"""Registration numbers: a pattern per deployment, gap-free per office and year."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from yingji.org.models import Unit
from yingji.petitions.models import NumberSequence


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
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return settings.PETITION_NUMBER_PATTERN.format(
        code=office_code(office), year=year, seq=sequence.last, office=office.pk
    )
