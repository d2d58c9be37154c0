"""The ledger (台账) in Excel: export a filtered list; import an old one, row by row."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Category, Petition

pytestmark = pytest.mark.django_db
# Ledger cells hold naive local times, as Excel does.
# ruff: noqa: DTZ001
HEADER = [
    "登记编号",
    "收到时间",
    "信访形式",
    "信访人姓名",
    "电话",
    "请求",
    "事实和理由",
    "问题类别",
    "办理阶段",
]


def workbook(*rows: list[object]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("ledger.xlsx", buffer.getvalue())


GOOD = [
    "BS-2024-0001",
    datetime(2024, 3, 1, 9),
    "来访",
    "王大",
    "13800000000",
    "要求补发工资",
    "欠薪两个月",
    "拖欠工资",
    "办结",
]
OPEN = [
    "BS-2024-0002",
    datetime(2024, 4, 2, 9),
    "来信",
    "刘二",
    "",
    "请求修路",
    "道路损坏",
    "道路建设",
    "办理中",
]
BAD_DATE = ["BS-2024-0003", "三月五日", "来电", "赵三", "", "请求", "事实", "拖欠工资", "办结"]
BAD_CHANNEL = [
    "BS-2024-0004",
    datetime(2024, 5, 1),
    "托人带话",
    "钱四",
    "",
    "请求",
    "事实",
    "拖欠工资",
    "办结",
]


def test_a_bad_row_is_reported_by_its_number_and_nothing_is_imported(
    township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    response = client.post(
        "/petitions/import/", {"file": workbook(GOOD, BAD_DATE, BAD_CHANNEL)}, follow=True
    )
    # The upload is taken at once and checked in the background; its page tells the end.
    assert response.redirect_chain[0][0].startswith("/imports/")
    page = response.content.decode()
    assert "第 3 行" in page and "收到时间" in page
    assert "第 4 行" in page and "信访形式" in page
    assert "未导入任何数据" in page
    assert not Petition.objects.exists()


def test_the_good_rows_only_when_asked(township_clerk: User, client_for) -> None:
    client = client_for(township_clerk)
    response = client.post(
        "/petitions/import/",
        {"file": workbook(GOOD, OPEN, BAD_DATE), "good_rows_only": "on"},
        follow=True,
    )
    assert response.status_code == 200
    assert "第 4 行" in response.content.decode()  # the row left out, named
    assert set(Petition.objects.values_list("number", "stage")) == {
        ("BS-2024-0001", "closed"),
        ("BS-2024-0002", "handling"),
    }
    open_case = Petition.objects.get(number="BS-2024-0002")
    assert services.open_deadline(open_case, "petition.handling") is not None
    assert "王大" not in "".join(Petition.objects.values_list("name_enc", flat=True))
    again = client.post("/petitions/import/", {"file": workbook(GOOD)}, follow=True)
    assert "already exists" in again.content.decode() or "已存在" in again.content.decode()


def test_the_export_follows_the_filters_and_shows_masked_names(
    city: personas.City, township_clerk: User, client_for
) -> None:
    actor = Actor(user=township_clerk)
    services.register(intake(), office=city.baishizhen, actor=actor)
    services.register(intake(channel="letter", name="李四"), office=city.baishizhen, actor=actor)
    response = client_for(township_clerk).get("/petitions/ledger.xlsx", {"channel": "letter"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "登记编号" and len(rows) == 2
    assert rows[1][2] == "来信" and rows[1][3] == "李*"


def test_an_imported_number_moves_the_offices_sequence_and_intake_never_collides(
    township_clerk: User, city: personas.City, client_for
) -> None:
    """An import holding the office's next number used to stop registration there: every
    later registration answered 500 on the unique number."""
    actor = Actor(user=township_clerk)
    first = services.register(intake(), office=city.baishizhen, actor=actor).petition
    assert first.number == "980121100-2026-000001"
    client = client_for(township_clerk)
    ahead = ["980121100-2026-000002", *GOOD[1:]]
    far = ["980121100-2026-000007", *OPEN[1:]]
    response = client.post("/petitions/import/", {"file": workbook(ahead, far)})
    assert response.status_code in (200, 302)
    assert Petition.objects.filter(number__in=[ahead[0], far[0]]).count() == 2
    made = client.post(
        "/api/v1/petitions",
        {
            "channel": "visit",
            "petitioner_kind": "person",
            "name": "新来访人",
            "request": "请求核实",
            "facts": "事实",
            "category": "labour.wages",
            "received_at": "2026-09-21T10:00:00+08:00",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert Petition.objects.get(pk=made.json()["id"]).number == "980121100-2026-000008"


def test_intake_skips_a_number_that_exists_even_when_its_shape_was_not_recognised(
    township_clerk: User, city: personas.City
) -> None:
    from django.test import override_settings

    actor = Actor(user=township_clerk)
    services.register(intake(), office=city.baishizhen, actor=actor)  # takes 000001
    # Imported while the deployment numbered otherwise: the sequence cannot read it.
    with override_settings(PETITION_NUMBER_PATTERN="{code}/{year}/{seq}"):
        services.register_historical(
            intake(),
            office=city.baishizhen,
            actor=actor,
            number="980121100-2026-000002",
            stage=Petition.Stage.CLOSED,
        )
    fresh = services.register(intake(), office=city.baishizhen, actor=actor).petition
    assert fresh.number == "980121100-2026-000003"


def test_a_case_the_ledger_says_was_answered_waits_for_its_follow_up(
    township_clerk: User, client_for
) -> None:
    """An imported 已答复 case is followed up from its import on (yingji does not know
    when the reply went out); an imported closed case waits for nothing."""
    answered = [*GOOD[:8], "已答复"]
    answered[0] = "BS-2024-0009"
    response = client_for(township_clerk).post(
        "/petitions/import/", {"file": workbook(GOOD, answered)}, follow=True
    )
    assert response.status_code == 200
    waiting = Petition.objects.get(number="BS-2024-0009")
    assert waiting.stage == "replied" and waiting.awaiting_rating_since is not None
    assert Petition.objects.get(number="BS-2024-0001").awaiting_rating_since is None
    listed = client_for(township_clerk).get("/petitions/?mine=1&unrated=1").content.decode()
    assert "BS-2024-0009" in listed and "BS-2024-0001" not in listed


def _import(client: Any, *rows: list[object], header: list[str] | None = None) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("ledger.xlsx", buffer.getvalue())
    return client.post("/petitions/import/", {"file": upload}, follow=True).content.decode()


def test_the_exported_ledger_imports_again_with_every_column_it_needs(
    city: personas.City, township_clerk: User, client_for
) -> None:
    """Export → import round-trips: the export holds 事实和理由, the category as its path
    (民政 / 养老服务, a child's name alone may be ambiguous), masked personal data that the
    import leaves out rather than storing a mask, and the due and finishing dates."""
    actor = Actor(user=township_clerk)
    elderly = Category.objects.filter(parent__isnull=False).exclude(code="labour.wages").first()
    assert elderly is not None
    collective = intake(people_count=12, is_collective=True)
    first = services.register(collective, office=city.baishizhen, actor=actor).petition
    first = services.decide(first, actor=actor, decision="accept")  # its handling period runs
    services.register(
        intake(channel="letter", name="李四", category=elderly, place="白石镇敬老院"),
        office=city.baishizhen,
        actor=actor,
    )
    client = client_for(township_clerk)
    exported = client.get("/petitions/ledger.xlsx").content
    sheet = load_workbook(io.BytesIO(exported)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    for column in ("事实和理由", "交办单位", "办理期限", "办结日期", "信访人姓名", "电话"):
        assert column in header, column
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_number[first.number]["办理期限"] is not None  # the running handling period
    assert " / " in by_number[first.number]["问题类别"]

    # Into another office's register (new numbers, the rest as exported).
    for row in sheet.iter_rows(min_row=2):
        row[0].value = f"X-{row[0].value}"
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    upload = SimpleUploadedFile("ledger.xlsx", buffer.getvalue())
    page = client.post("/petitions/import/", {"file": upload}, follow=True).content.decode()
    assert "第 " not in page, page[:2000]
    again = Petition.objects.get(number=f"X-{first.number}")
    assert again.facts == first.facts and again.request == first.request
    assert again.category_id == first.category_id and again.people_count == 12
    assert again.is_collective and again.phone_masked == ""  # a mask is not a number
    moved = Petition.objects.get(number__startswith="X-", channel="letter")
    assert moved.category_id == elderly.pk and moved.place.endswith("白石镇敬老院")


@pytest.mark.parametrize(
    "written",
    [
        "2025/05/06 14:00",
        "2025年5月6日14时",
        "2025-5-6 14:00:00",
        "２０２５－０５－０６　１４：００",
    ],
)
def test_common_ways_of_writing_a_date_are_read(
    township_clerk: User, client_for, written: str
) -> None:
    row = [*GOOD]
    row[1] = written
    _import(client_for(township_clerk), row)
    received = Petition.objects.get(number=GOOD[0]).received_at
    assert timezone.localtime(received).replace(tzinfo=None) == datetime(2025, 5, 6, 14)


def test_a_date_alone_and_an_excel_serial_are_read(township_clerk: User, client_for) -> None:
    day_only, serial = [*GOOD], [*OPEN]
    day_only[1] = "2024年8月4日"
    serial[1] = 45383  # 2024-04-01 as a number in a General cell
    _import(client_for(township_clerk), day_only, serial)
    assert timezone.localtime(Petition.objects.get(number=GOOD[0]).received_at).date() == date(
        2024, 8, 4
    )
    assert timezone.localtime(Petition.objects.get(number=OPEN[0]).received_at).date() == date(
        2024, 4, 1
    )


def test_row_messages_name_the_ledger_columns_not_the_fields(
    township_clerk: User, client_for
) -> None:
    """A refused row names the column in Chinese (请求, 收到时间), never request: or
    received_at:; a future date, a bad date and a stage a ledger cannot bring are each
    said so, and nothing is imported."""
    empty_request = [*GOOD]
    empty_request[5] = ""
    future = [*OPEN]
    future[1] = datetime(2099, 1, 1, 9)
    bad_day = ["BS-2024-0005", "2024-02-30", "来访", "赵五", "", "请求", "事实", "拖欠工资", "办结"]
    review = [
        "BS-2024-0006",
        datetime(2024, 6, 1),
        "来访",
        "孙六",
        "",
        "请求",
        "事实",
        "拖欠工资",
        "复查中",
    ]
    with translation.override("zh-hans"):
        page = _import(client_for(township_clerk), empty_request, future, bad_day, review)
    assert Petition.objects.count() == 0
    assert "request:" not in page and "received_at:" not in page
    assert "请求：" in page
    assert "收到时间" in page and "2025年5月6日" in page
    assert "复查中" in page


def test_a_category_is_found_by_its_path_code_or_unique_name(
    township_clerk: User, client_for
) -> None:
    wages = Category.objects.get(code="labour.wages")
    by_path, by_code, by_spaces = [*GOOD], [*OPEN], [*GOOD]
    by_path[7] = str(wages)  # 劳动和社会保障 / 拖欠工资
    by_code[7] = "labour.wages"
    by_spaces[0], by_spaces[7] = "BS-2024-0007", str(wages).replace(" / ", "／")
    _import(client_for(township_clerk), by_path, by_code, by_spaces)
    assert set(Petition.objects.values_list("category_id", flat=True)) == {wages.pk}
    assert Petition.objects.count() == 3


def test_a_formula_without_its_value_is_named_cell_by_cell(
    township_clerk: User, client_for
) -> None:
    """The ledger names a formula the file holds no value for, as the stock import does,
    instead of calling the file no workbook."""
    formula = [*GOOD]
    formula[5] = "=A1&B1"  # openpyxl writes it as a formula, with no cached value
    with translation.override("zh-hans"):
        page = _import(client_for(township_clerk), formula)
    assert "列F 是公式" in page or "列 F" in page or "F 是公式" in page, page[:3000]
    assert Petition.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_run_as_a_worker_runs_it_is_audited_to_its_end(
    reference_data: None, township_clerk: User, client_for
) -> None:
    """A worker runs the job outside any request's transaction: the end of the job and
    its audit entry are written together (the entry was lost before, with a traceback)."""
    from yingji.audit.models import AuditEntry
    from yingji.documents.models import ImportJob

    _import(client_for(township_clerk), GOOD)
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.DONE
    assert AuditEntry.objects.filter(action="documents.import.finish").count() == 1
    assert Petition.objects.filter(number=GOOD[0]).exists()
