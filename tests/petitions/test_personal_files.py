"""A petitioner's files follow the reveal rule (issue 19): attachments (ID scans among them)
and the letters that name the petitioner open only for roles that may reveal personal
data, each time with a reason kept in the audit log; other roles that see the case see the
file names and get 403."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import personas
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.audit.models import AuditEntry
from yingji.audit.services import Actor
from yingji.documents import services as documents
from yingji.petitions import services
from yingji.petitions.models import Attachment

pytestmark = pytest.mark.django_db
SCAN = "%PDF-1.4\n% 身份证复印件 张三丰 11010519491231002X\n".encode()
NO_REVEAL = "您的角色不能查看个人信息，因此不能打开信访人的文件。"


@pytest.fixture
def scan(registered: services.Registered, township_clerk: User) -> Attachment:
    (attachment,) = services.attach(
        registered.petition,
        [SimpleUploadedFile("身份证.pdf", SCAN)],
        actor=Actor(user=township_clerk),
    )
    return attachment


@pytest.fixture
def township_leader(city: personas.City) -> User:
    """The leader on duty in 白石镇: sees the township's cases, may not reveal."""
    return personas.make_user("town_leader", city.baishizhen, Role.DUTY_LEADER, name="钱镇长")


def reads() -> int:
    return AuditEntry.objects.filter(
        action__in=["petitions.attachment.read", "documents.document.read"]
    ).count()


def test_a_handler_opens_an_attachment_with_a_reason_that_is_audited(
    scan: Attachment, township_clerk: User, client_for
) -> None:
    client = client_for(township_clerk)
    url = f"/petitions/{scan.petition_id}/attachments/{scan.pk}/"
    page = client.get(f"/petitions/{scan.petition_id}/").content.decode()
    assert f'href="{url}"' in page

    form = client.get(url)
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert "身份证.pdf" in form.content.decode() and reads() == 0

    blank = client.post(url, {"reason": "   "})
    assert blank.status_code == 400 and 'class="error"' in blank.content.decode()
    assert SCAN not in blank.content and reads() == 0

    opened = client.post(url, {"reason": "核对信访人身份"})
    assert opened.status_code == 200 and opened.content == SCAN
    assert "no-store" in opened["Cache-Control"]
    entry = AuditEntry.objects.get(action="petitions.attachment.read")
    assert entry.note == "核对信访人身份" and entry.actor == township_clerk
    assert entry.object_id == str(scan.pk)


def test_a_role_that_sees_the_case_but_may_not_reveal_gets_403_and_nothing_is_read(
    scan: Attachment, township_leader: User, client_for
) -> None:
    client = client_for(township_leader)
    url = f"/petitions/{scan.petition_id}/attachments/{scan.pk}/"
    page = client.get(f"/petitions/{scan.petition_id}/")
    assert page.status_code == 200
    assert "身份证.pdf" in page.content.decode() and f'href="{url}"' not in page.content.decode()
    for response in (client.get(url), client.post(url, {"reason": "看看"})):
        assert response.status_code == 403 and NO_REVEAL in response.content.decode()
        assert SCAN not in response.content
    assert reads() == 0
    # The service holds the rule too, for any caller.
    with pytest.raises(PermissionDenied):
        services.read_attachment(scan, actor=Actor(user=township_leader), reason="看看")
    assert reads() == 0


def test_a_letter_naming_the_petitioner_follows_the_same_rule(
    registered: services.Registered, township_clerk: User, township_leader: User, client_for
) -> None:
    petition = services.decide(
        registered.petition, actor=Actor(user=township_clerk), decision="accept"
    )
    (notice,) = documents.documents_of(petition)
    assert notice.encrypted
    url = f"/petitions/{petition.pk}/documents/{notice.pk}/"

    leader = client_for(township_leader)
    assert f'href="{url}"' not in leader.get(f"/petitions/{petition.pk}/").content.decode()
    for response in (leader.get(url), leader.post(url, {"reason": "看看"})):
        assert response.status_code == 403 and NO_REVEAL in response.content.decode()
    assert reads() == 0

    clerk = client_for(township_clerk)
    assert clerk.get(url).status_code == 200 and reads() == 0
    assert clerk.post(url, {"reason": ""}).status_code == 400 and reads() == 0
    opened = clerk.post(url, {"reason": "打印送达"})
    assert opened.status_code == 200 and opened.content[:2] == b"PK"
    entry = AuditEntry.objects.get(action="documents.document.read")
    assert entry.note == "打印送达" and entry.actor == township_clerk
