"""Attachments: accepted by content, size-limited, encrypted, audited, hidden with the case."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import personas
from tests.petitions.conftest import intake
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.petitions import services
from yingji.petitions.models import Attachment, Category

pytestmark = pytest.mark.django_db
PDF = "%PDF-1.4\n% a scan of the petition letter 张三丰\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_files_are_checked_by_content_and_stored_encrypted(
    registered: services.Registered, township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    url = f"/petitions/{registered.petition.pk}/attachments/"
    fake = client.post(url, {"uploads": [SimpleUploadedFile("letter.pdf", b"MZ not a pdf")]})
    assert fake.status_code == 400 and not Attachment.objects.exists()
    mixed = client.post(
        url,
        {
            "uploads": [
                SimpleUploadedFile("letter.pdf", PDF),
                SimpleUploadedFile("virus.exe", b"MZ"),
            ]
        },
    )
    assert mixed.status_code == 400 and not Attachment.objects.exists()  # all or nothing
    ok = client.post(
        url,
        {"uploads": [SimpleUploadedFile("letter.pdf", PDF), SimpleUploadedFile("photo.png", PNG)]},
    )
    assert ok.status_code == 302
    scan = Attachment.objects.get(name="letter.pdf")
    with scan.file.open("rb") as handle:
        assert "张三丰".encode() not in handle.read()
    download = client.post(
        f"/petitions/{registered.petition.pk}/attachments/{scan.pk}/", {"reason": "核对材料"}
    )
    assert download.content == PDF
    assert AuditEntry.objects.filter(action="petitions.attachment.read").count() == 1


def test_an_accusations_attachments_are_hidden_from_the_accused(
    city: personas.City, client_for
) -> None:
    county_clerk = personas.make_user("county_clerk", city.baishi, Role.INTAKE_CLERK)
    petition = services.register(
        intake(category=Category.objects.get(code="discipline"), accused_unit=city.baishizhen),
        office=city.baishi,
        actor=Actor(user=county_clerk),
    ).petition
    (attachment,) = services.attach(
        petition, [SimpleUploadedFile("evidence.pdf", PDF)], actor=Actor(user=county_clerk)
    )
    from yingji.petitions.models import Petition

    Petition.objects.filter(pk=petition.pk).update(unit=city.baishicun)
    accused = personas.make_user("accused", city.baishizhen, Role.SUPERVISOR)
    response = client_for(accused).get(f"/petitions/{petition.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 404


def test_a_docx_that_unpacks_to_hundreds_of_megabytes_is_refused(
    registered: services.Registered, township_clerk: User, client_for
) -> None:
    """Uploads are capped by their unpacked size: a small .docx whose parts inflate past
    the attachments' limit is refused from its ZIP directory, nothing kept."""
    from tests.documents.test_uploads import bomb

    url = f"/petitions/{registered.petition.pk}/attachments/"
    small = bomb({"[Content_Types].xml": b"<Types/>"})
    assert len(small) < 2 * 1024 * 1024
    answer = client_for(township_clerk).post(
        url, {"uploads": [SimpleUploadedFile("材料.docx", small)]}
    )
    assert answer.status_code == 400 and not Attachment.objects.exists()
    assert "MB" in answer.content.decode()
