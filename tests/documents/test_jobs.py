"""Imports run as background jobs (issue 19, fault 3): the request keeps the file and
queues it; the job's page shows its progress to the one who uploaded it, and its end."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.documents import jobs
from yingji.documents.models import Document, ImportJob
from yingji.petitions import ledger
from yingji.petitions.models import Petition

pytestmark = pytest.mark.django_db

ROW = ["BS-2023-0001", "2023-03-01 09:00", "来访", "王大", "要求补发工资", "欠薪", "拖欠工资"]


def ledger_file(*rows: list[object]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(ledger.REQUIRED)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def test_a_ledger_is_imported_in_the_background_and_its_file_kept_encrypted(
    township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    response = client.post("/petitions/import/", {"file": ledger_file(ROW)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert job.state == ImportJob.State.DONE and job.total == job.done == 1
    assert Petition.objects.get().number == "BS-2023-0001"
    kept = Document.objects.get(kind=jobs.UPLOAD_KIND)
    assert kept.encrypted  # a ledger names petitioners
    with kept.file.open("rb") as stored:
        assert "王大".encode() not in stored.read()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"documents.import.start", "documents.import.finish"} <= actions

    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "已导入 1 件信访事项。" in page and 'href="/petitions/"' in page
    progress = client.get(f"/imports/{job.pk}/progress/").json()
    assert progress == {
        "state": "done",
        "phase": "writing",
        "done": 1,
        "total": 1,
        "finished": True,
    }
    assert "台账.xlsx" in client.get("/petitions/import/").content.decode()  # recent imports


def test_only_the_uploader_sees_an_import(
    city: personas.City, township_clerk: User, client_for
) -> None:
    client_for(township_clerk).post("/petitions/import/", {"file": ledger_file(ROW)})
    job = ImportJob.objects.get()
    colleague = personas.make_user("colleague", city.baishizhen, Role.INTAKE_CLERK)
    other = client_for(colleague)
    assert other.get(f"/imports/{job.pk}/").status_code == 404
    assert other.get(f"/imports/{job.pk}/progress/").status_code == 404
    assert other.get(f"/imports/{2**63}/").status_code == 404
    assert "台账.xlsx" not in other.get("/petitions/import/").content.decode()


def test_a_queued_job_shows_its_page_polling_and_a_stalled_one_says_it_was_cut_off(
    township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    # Another import is running: this one waits its turn, queued.
    other = ImportJob.objects.create(
        kind=ledger.JOB_KIND, title="x.xlsx", created_by=township_clerk, state="running"
    )
    client.post("/petitions/import/", {"file": ledger_file(ROW)})
    job = ImportJob.objects.exclude(pk=other.pk).get()
    assert job.state == ImportJob.State.QUEUED and not Petition.objects.exists()
    assert jobs.run(job.pk) is False
    # Once the other has not moved for a while its worker is taken for dead.
    ImportJob.objects.filter(pk=other.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert f'data-progress="/imports/{job.pk}/progress/"' in page and "jobs.js" in page

    assert jobs.run(job.pk) is True
    assert Petition.objects.count() == 1
    assert jobs.run(job.pk) is True  # a repeated delivery does nothing
    assert Petition.objects.count() == 1

    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "已中断" in page and "jobs.js" not in page
    assert client.get(f"/imports/{job.pk}/progress/").json()["finished"] is True


def test_an_unexpected_error_fails_the_job_without_its_text_in_the_log(
    township_clerk: User, client_for, monkeypatch, caplog
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("王大 13800000000")

    monkeypatch.setattr(ledger, "import_ledger", explode)
    client = client_for(township_clerk)
    page = client.post("/petitions/import/", {"file": ledger_file(ROW)}, follow=True)
    assert "导入因意外错误中止" in page.content.decode()
    assert ImportJob.objects.get().state == ImportJob.State.FAILED
    assert "RuntimeError" in caplog.text and "王大" not in caplog.text


def test_progress_is_written_as_rows_are_checked(township_clerk: User, monkeypatch) -> None:
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    seen: list[tuple[str, int, int]] = []
    real = jobs.Progress._update

    def spy(self: jobs.Progress, phase: str, done: int, total: int) -> None:
        real(self, phase, done, total)
        job = ImportJob.objects.get(pk=self.job.pk)  # type: ignore[union-attr]
        seen.append((job.phase, job.done, job.total))

    monkeypatch.setattr(jobs.Progress, "_update", spy)
    rows = [[f"BS-2023-{n:04d}", *ROW[1:]] for n in range(1, 4)]
    jobs.start(
        ledger.JOB_KIND,
        actor=Actor(user=township_clerk),
        unit=township_clerk.unit,
        name="台账.xlsx",
        content=ledger_file(*rows).read(),
        options={},
    )
    assert seen == [
        ("checking", 1, 3),
        ("checking", 2, 3),
        ("checking", 3, 3),
        ("writing", 0, 3),
        ("writing", 3, 3),
    ]
