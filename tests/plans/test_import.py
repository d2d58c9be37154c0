"""Importing plans: the command, the wizard, and files that are not plans."""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document as Docx

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.documents.models import Document, ImportJob
from yingji.plans.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"


def test_the_command_prints_the_recognised_structure_as_json(city: personas.City) -> None:
    out = StringIO()
    call_command(
        "plan", "import", str(SAMPLES / "township_petition.txt"), "--dry-run", "--json", stdout=out
    )
    found = json.loads(out.getvalue())
    assert found["file"] == "township_petition.txt" and found["saved"] == []
    (report,) = found["parts"]
    assert set(report) >= {"title", "sections", "groups", "levels", "unrecognised", "counts"}
    assert report["part"] == 1 and report["is_plan"] and report["importable"]
    assert report["counts"]["groups"] == 7 and report["counts"]["levels"] == 3
    assert all(g["duties"] for g in report["groups"])
    assert not Plan.objects.exists()


def test_the_command_saves_a_valid_import_with_its_original(city: personas.City) -> None:
    out = StringIO()
    call_command(
        "plan", "import", str(SAMPLES / "county_overall.txt"), "--owner", "980121", stdout=out
    )
    plan = Plan.objects.get()
    assert plan.kind == Plan.Kind.OVERALL and plan.owner == city.baishi
    version = plan.versions.get()
    assert version.status == PlanVersion.Status.DRAFT and version.groups.count() == 6
    original = Document.objects.get(kind="plan.source", subject_id=str(plan.pk))
    assert original.title == "county_overall.txt"
    assert original.size == (SAMPLES / "county_overall.txt").stat().st_size
    assert "saved as a draft" in out.getvalue()


def test_files_that_are_not_plans_are_refused_and_nothing_saved(
    city: personas.City, tmp_path: Path
) -> None:
    news = tmp_path / "news.txt"
    news.write_text("今天天气晴朗，市民纷纷外出踏青。公园里游人如织，春意盎然。", encoding="utf-8")
    with pytest.raises(CommandError, match="没有识别出预案"):
        call_command("plan", "import", str(news), "--owner", "980121", stdout=StringIO())
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a word file")
    with pytest.raises(CommandError, match="无法打开"):
        call_command("plan", "import", str(broken), "--dry-run", stdout=StringIO())
    picture = tmp_path / "plan.pdf"
    picture.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="无法打开这个 PDF"):
        call_command("plan", "import", str(picture), "--dry-run", stdout=StringIO())
    assert not Plan.objects.exists() and not Document.objects.exists()


def _docx_of(path: Path) -> bytes:
    document = Docx()
    for line in path.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_wizard_reads_a_word_file_shows_it_and_saves_the_corrected_draft(
    city: personas.City, planner: User, client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.plans.test_editor import form_fields

    client = client_for(planner)
    upload = SimpleUploadedFile("青石镇预案.docx", _docx_of(SAMPLES / "township_petition.txt"))
    uploaded = client.post("/plans/import/", {"file": upload}, follow=True)
    # Read in the background; the page of the job leads on to the review.
    assert "个工作组" in uploaded.content.decode()
    job = ImportJob.objects.get()
    review = client.get(f"/plans/import/{job.pk}/")
    assert review.status_code == 200
    page = review.content.decode()
    assert "7 个工作组" in page and "3 个响应级别" in page
    fields = form_fields(page)
    assert fields["title"] == "青石镇群体性上访事件应急预案" and fields["kind"] == "local"
    fields["groups-0-duties"] = "改正后的职责。"
    saved = client.post("/plans/import/save/", fields)
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    version = PlanVersion.objects.get()
    assert version.groups.first().duties == "改正后的职责。"
    assert version.plan.owner == city.baishizhen
    original = Document.objects.get(kind="plan.source")
    assert original.title == "青石镇预案.docx" and original.file.name.endswith(".docx")


def test_the_wizard_refuses_what_it_cannot_read_in_chinese(
    city: personas.City, planner: User, client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(planner)
    upload = SimpleUploadedFile("notes.txt", "会议纪要：讨论了明年的预算。".encode())
    refused = client.post("/plans/import/", {"file": upload}, follow=True)
    assert "没有识别出预案" in refused.content.decode()
    assert not Plan.objects.exists()
    job = ImportJob.objects.get()
    assert client.get(f"/plans/import/{job.pk}/").status_code == 404  # nothing to review


def test_a_draft_is_saved_only_from_the_users_own_read_file(
    city: personas.City, planner: User, client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.plans.test_editor import form_fields

    owner = client_for(planner)
    upload = SimpleUploadedFile("青石镇预案.docx", _docx_of(SAMPLES / "township_petition.txt"))
    owner.post("/plans/import/", {"file": upload})
    job = ImportJob.objects.get()
    fields = form_fields(owner.get(f"/plans/import/{job.pk}/").content.decode())
    colleague = personas.make_user("planner2", city.baishizhen, Role.PLAN_MANAGER)
    other = client_for(colleague)
    assert other.get(f"/plans/import/{job.pk}/").status_code == 404
    assert other.post("/plans/import/save/", fields).status_code == 404
    for bad in ("0", "-1", "abc", str(2**64)):
        refused = owner.post("/plans/import/save/", {**fields, "job": bad})
        assert refused.status_code == 400
    assert not Plan.objects.exists()
    assert owner.post("/plans/import/save/", fields).status_code == 302


BUNDLE = SAMPLES / "run_in_bundle.txt"


def test_the_command_lists_each_document_of_a_run_in_bundle_and_saves_the_one_chosen(
    city: personas.City,
) -> None:
    out = StringIO()
    call_command("plan", "import", str(BUNDLE), "--dry-run", "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert [(p["part"], p["title"], p["importable"]) for p in found["parts"]] == [
        (1, "白石镇群体性上访事件应急预案", True),
        (2, "白石镇信访接待工作制度", False),
        (3, "白石镇防汛应急预案", True),
    ]
    assert found["parts"][1]["problem"].startswith("不是预案")
    first = found["parts"][0]
    assert [g["name"] for g in first["groups"]] == ["协调小组", "信息管理组", "现场处置组"]
    levels = {lv["level"]: lv["triggers"] for lv in first["levels"]}
    assert set(levels) == {1, 2, 3, 4}
    assert {"fact": "people_involved", "op": ">=", "value": 100, "clause": 0} in levels[2]
    assert {"fact": "people_involved", "op": "<", "value": 300, "clause": 0} in levels[2]
    assert {"fact": "blocks_traffic", "op": "is", "value": True} in levels[1]
    # Two plans: saving needs a choice, and nothing is saved without one.
    with pytest.raises(CommandError, match="--part N"):
        call_command("plan", "import", str(BUNDLE), "--owner", "980121", stdout=StringIO())
    with pytest.raises(CommandError, match="--part 2"):
        call_command(
            "plan", "import", str(BUNDLE), "--owner", "980121", "--part", "2", stdout=StringIO()
        )
    assert not Plan.objects.exists()
    out = StringIO()
    call_command(
        "plan", "import", str(BUNDLE), "--owner", "980121", "--part", "3", "--json", stdout=out
    )
    (saved,) = json.loads(out.getvalue())["saved"]
    plan = Plan.objects.get()
    assert saved == {
        "part": 3,
        "title": "白石镇防汛应急预案",
        "plan": plan.pk,
        "version": saved["version"],
    }
    assert sorted(plan.versions.get().groups.values_list("name", flat=True)) == [
        "后勤保障组",
        "抢险突击队",
        "转移安置组",
    ]
    assert Document.objects.get(kind="plan.source").title == "run_in_bundle.txt"


def test_the_wizard_lists_a_bundles_documents_and_imports_the_plan_picked(
    city: personas.City, planner: User, client_for
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.plans.test_editor import form_fields

    client = client_for(planner)
    upload = SimpleUploadedFile("合集.txt", BUNDLE.read_bytes())
    client.post("/plans/import/", {"file": upload})
    job = ImportJob.objects.get()
    listing = client.get(f"/plans/import/{job.pk}/").content.decode()
    assert "文件中有 3 个文档，其中 2 个可作为预案导入" in listing
    assert "白石镇信访接待工作制度" in listing and "不是预案" in listing
    assert f"/plans/import/{job.pk}/1/" not in listing  # the working rule is not offered
    assert client.get(f"/plans/import/{job.pk}/1/").status_code == 404
    assert client.get(f"/plans/import/{job.pk}/9/").status_code == 404
    page = client.get(f"/plans/import/{job.pk}/0/").content.decode()
    # The text read is beside the form, each element linked to the lines it came from.
    assert 'id="src-1"' in page and "从文件中读取的原文" in page
    assert "现场处置组" in page and 'href="#src-' in page
    fields = form_fields(page)
    assert fields["title"] == "白石镇群体性上访事件应急预案" and fields["part"] == "0"
    saved = client.post("/plans/import/save/", fields)
    assert saved.status_code == 302 and saved["Location"] == f"/plans/import/{job.pk}/"
    version = PlanVersion.objects.get()
    assert version.plan.title == "白石镇群体性上访事件应急预案"
    listing = client.get(f"/plans/import/{job.pk}/").content.decode()
    assert f"/plans/versions/{version.pk}/" in listing and "已导入为草稿" in listing
    for bad in ("-1", "1", "abc", "1000"):  # not a plan, or not a number in range
        refused = client.post("/plans/import/save/", {**fields, "part": bad})
        assert refused.status_code in (400, 404)
    assert PlanVersion.objects.count() == 1


def test_the_original_file_is_downloaded_from_the_plan_by_who_sees_it(
    city: personas.City, planner: User, client_for
) -> None:
    call_command(
        "plan", "import", str(BUNDLE), "--owner", "980121", "--part", "1", stdout=StringIO()
    )
    plan = Plan.objects.get()
    original = Document.objects.get(kind="plan.source")
    viewer = personas.make_user("viewer", city.baishi, Role.PLAN_MANAGER)
    client = client_for(viewer)
    page = client.get(f"/plans/versions/{plan.versions.get().pk}/").content.decode()
    link = f"/plans/{plan.pk}/sources/{original.pk}/"
    assert link in page and "run_in_bundle.txt" in page
    download = client.get(link)
    assert download.status_code == 200 and download.content == BUNDLE.read_bytes()
    assert "run_in_bundle.txt" in download["Content-Disposition"]
    assert client.get(f"/plans/{plan.pk}/sources/{original.pk + 1}/").status_code == 404
    outsider = personas.make_user("outsider", city.qingxi, Role.PLAN_MANAGER)
    assert client_for(outsider).get(link).status_code == 404


@pytest.mark.parametrize(
    "text",
    ["组\n" * 30_000, "一、总则为" * 100_000],  # lines, or headings run into one line
    ids=["lines", "run-in"],
)
def test_a_file_longer_than_any_plan_is_refused(city: personas.City, text: str) -> None:
    from django.core.exceptions import ValidationError

    from yingji.plans import imports

    with pytest.raises(ValidationError, match="超过 20,000 行"):
        imports.parse("long.txt", text.encode())


def test_a_part_with_nothing_readable_is_named_and_the_others_still_import(
    city: personas.City, tmp_path: Path
) -> None:
    bundle = tmp_path / "合集.txt"
    bundle.write_text(
        "甲镇防汛应急预案\n一、总则\n本预案适用于甲镇防汛工作。\n二、组织机构及职责\n"
        "镇政府成立防汛指挥部，下设抢险组、转移组。\n三、应急响应\n（一）Ⅰ级响应：死亡3人以上的。\n"
        "乙镇森林防火应急预案\n一、□□□□\n■■■■■■■■■■■■。\n二、▲▲▲\n◆◆◆◆◆◆◆◆。\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("plan", "import", str(bundle), "--owner", "980121", "--json", stdout=out)
    found = json.loads(out.getvalue())
    first, second = found["parts"]
    assert first["importable"] and first["title"] == "甲镇防汛应急预案"
    assert second["title"] == "乙镇森林防火应急预案" and not second["importable"]
    assert "没有识别出预案内容" in second["problem"]
    assert [s["part"] for s in found["saved"]] == [1]  # the one plan, saved without --part
    assert Plan.objects.get().title == "甲镇防汛应急预案"
