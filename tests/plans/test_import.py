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
