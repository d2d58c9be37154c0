"""Uploads are bounded before any parser opens them (issue 19, fault 3): a small Office
file that unpacks to hundreds of MB is refused from its ZIP directory alone, with a
message on the form, and no job starts; sheets are read to a bounded number of rows and
columns whatever they declare."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.documents import excel, uploads
from yingji.documents.models import ImportJob

UNPACKED = 200 * uploads.MB  # more than any import allows


def bomb(parts: dict[str, bytes] | None = None) -> bytes:
    """A package of a few hundred KB whose one part inflates to ``UNPACKED`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in (parts or {}).items():
            package.writestr(name, data)
        with package.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as part:
            block = b" " * uploads.MB
            for _ in range(UNPACKED // uploads.MB):
                part.write(block)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb_bytes() -> bytes:
    return bomb()


def test_the_declared_size_is_read_without_inflating_anything(bomb_bytes: bytes) -> None:
    assert len(bomb_bytes) < uploads.MB
    assert uploads.unpacked_size(bomb_bytes) == UNPACKED
    assert uploads.unpacked_size(b"plain text") is None


def test_a_package_over_its_limit_is_refused_with_its_size(bomb_bytes: bytes) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        uploads.check_package(bomb_bytes, max_bytes=5 * uploads.MB, max_unpacked=30 * uploads.MB)
    [message] = refused.value.message_dict["file"]
    assert "200 MB" in message and "30 MB" in message


def test_a_package_of_too_many_parts_is_refused() -> None:
    from django.core.exceptions import ValidationError

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for index in range(uploads.MAX_PARTS + 1):
            package.writestr(f"p{index}", b"")
    with pytest.raises(ValidationError):
        uploads.unpacked_size(buffer.getvalue())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "page", "name"),
    [
        (Role.INTAKE_CLERK, "/petitions/import/", "ledger.xlsx"),
        (Role.STOREKEEPER, "/resources/stock/import/", "stock.xlsx"),
        (Role.PLAN_MANAGER, "/plans/import/", "plan.docx"),
    ],
)
def test_every_import_page_refuses_a_bomb_at_once(
    city: personas.City, client_for, bomb_bytes: bytes, role: Role, page: str, name: str
) -> None:
    user: User = personas.make_user("uploader", city.baishizhen, role)
    client = client_for(user)
    response = client.post(page, {"file": SimpleUploadedFile(name, bomb_bytes)})
    assert response.status_code == 400
    assert "解压后为 200 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def _sheet(**cells: object) -> bytes:
    book = Workbook()
    sheet = book.active
    for reference, value in cells.items():
        sheet[reference] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_that_jumps_to_row_a_million_stops_at_the_limit() -> None:
    content = _sheet(A1="登记编号", A1000000="x")
    with pytest.raises(excel.TooManyRows) as refused:
        excel.rows(content, max_rows=100)
    assert refused.value.limit == 100


def test_columns_beyond_the_limit_are_not_read_and_padding_is_dropped() -> None:
    content = _sheet(A1="a", C1="c", XFD1="far", A2="b")
    assert excel.rows(content) == [(1, ("a", None, "c")), (2, ("b",))]


@pytest.mark.django_db
def test_a_ledger_over_its_rows_is_refused_by_the_job(
    township_clerk: User, client_for, monkeypatch
) -> None:
    from yingji.petitions import ledger

    monkeypatch.setattr(ledger, "MAX_ROWS", 3)
    book = Workbook()
    sheet = book.active
    sheet.append(ledger.REQUIRED)
    for index in range(5):
        sheet.append([f"N-{index}"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(township_clerk)
    page = client.post(
        "/petitions/import/",
        {"file": SimpleUploadedFile("big.xlsx", buffer.getvalue())},
        follow=True,
    ).content.decode()
    assert "台账超过 3 行，请分批导入。" in page
    assert ImportJob.objects.get().state == ImportJob.State.FAILED
