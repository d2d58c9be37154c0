"""Stock and readiness workbooks keep text as text (issue 19): a lot code, a location, a
plan's title or a requirement that begins like a formula is exported behind an
apostrophe as a text cell, and a stock export imported back keeps it exactly."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests import personas
from tests.resources.conftest import Store
from yingji.audit.services import Actor
from yingji.plans import demo as plan_demo
from yingji.plans.models import Plan, PlanVersion, Requirement
from yingji.resources import services
from yingji.resources.models import Lot

pytestmark = pytest.mark.django_db

# Codes hold at most 40 characters; receiving strips a leading tab or line break.
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]
WHITESPACE = ["\t=1+1", "\r=1+1"]


def sheet_of(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return sheet


def texts(sheet: Worksheet) -> dict[str, str]:
    """Every text cell's value and its data type."""
    return {
        cell.value: cell.data_type
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def test_the_stock_export_writes_formula_like_text_as_text_and_imports_it_back_unchanged(
    store: Store, client_for
) -> None:
    later = timezone.localdate() + timedelta(days=300)
    for text in HOSTILE:
        services.receive(
            store.main, store.kit, "3", actor=store.actor, code=text, location=text + " 架"
        )
    lot = services.receive(store.main, store.water, "5", actor=store.actor, expires_on=later)
    # A location stored before intake stripped it, or written by another path.
    Lot.objects.filter(pk=lot.pk).update(code=WHITESPACE[0], location=WHITESPACE[1])
    client = client_for(store.keeper)

    exported = client.get("/resources/stock.xlsx", {"warehouse": store.main.pk})
    assert exported.status_code == 200
    cells = texts(sheet_of(exported.content))
    for text in [*HOSTILE, *(t + " 架" for t in HOSTILE), *WHITESPACE]:
        assert cells["'" + text] == "s" and text not in cells

    upload = SimpleUploadedFile("stock.xlsx", exported.content)
    response = client.post("/resources/stock/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()
    lots = Lot.objects.filter(warehouse=store.main).order_by("pk")
    before, after = list(lots[: len(HOSTILE) + 1]), list(lots[len(HOSTILE) + 1 :])
    assert len(after) == len(before)
    # Receiving strips white space around a code or location, as it does for any.
    assert sorted((lot.code, lot.location) for lot in after) == sorted(
        (lot.code.strip(), lot.location.strip()) for lot in before
    )
    assert {services.balance(lot) for lot in after} == {Decimal(3), Decimal(5)}


def test_the_readiness_export_writes_formula_like_text_as_text(
    city: personas.City, store: Store, client_for
) -> None:
    plan_demo.load(
        {"city": city.city, "baishi": city.baishi, "baishizhen": city.baishizhen},
        Actor.system("tests"),
    )
    version = PlanVersion.objects.get(plan__owner=city.baishizhen, status="in_force")
    # Titles and requirement names come from plan documents that anyone may have typed.
    Plan.objects.filter(pk=version.plan_id).update(title=HOSTILE[0])
    for sort, text in enumerate([*HOSTILE[1:], *WHITESPACE], start=100):
        Requirement.objects.create(version=version, kind="supply", name=text, sort=sort)

    response = client_for(store.keeper).get(f"/resources/readiness/{version.pk}.xlsx")
    assert response.status_code == 200
    sheet = sheet_of(response.content)
    title = sheet["A1"]
    assert title.data_type == "s" and title.value.startswith("'" + HOSTILE[0])
    cells = texts(sheet)
    for text in [*HOSTILE[1:], *WHITESPACE]:
        assert cells["'" + text] == "s" and text not in cells
