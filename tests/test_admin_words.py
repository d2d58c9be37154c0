"""The admin speaks Chinese: every field and model it shows has a Chinese name, and kinds
read as words, not codes (drill.cycle)."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.utils.translation import override

from yingji.clock.admin import DeadlineAdmin
from yingji.clock.models import Deadline

CJK = re.compile(r"[\u4e00-\u9fff]")
# Names that stay as they are in Chinese offices too.
AS_IS = {"Webhook", "URL", "API", "SMS", "ID"}


def test_every_field_the_admin_shows_has_a_chinese_name() -> None:
    english = []
    with override("zh-hans"):
        for model in admin.site._registry:
            if not model.__module__.startswith("yingji"):
                continue
            if str(model._meta.verbose_name) not in AS_IS and not CJK.search(
                str(model._meta.verbose_name)
            ):
                english.append(f"{model._meta.label}: {model._meta.verbose_name}")
            for field in model._meta.get_fields():
                name = str(getattr(field, "verbose_name", "") or "")
                if field.name == "id" or not name or name in AS_IS or not field.concrete:
                    continue
                if not CJK.search(name):
                    english.append(f"{model._meta.label}.{field.name}: {name}")
    assert english == []


@pytest.mark.django_db
def test_a_deadline_kind_reads_as_words() -> None:
    shown = DeadlineAdmin(Deadline, admin.site)
    with override("zh-hans"):
        assert shown.kind_label(Deadline(kind="drill.cycle")) == "应急预案演练"
        assert shown.kind_label(Deadline(kind="retired.kind")) == "retired.kind"


def test_one_english_word_with_two_chinese_meanings_has_a_context_each() -> None:
    """The catalogue's own "Change" (调班) hid Django's (修改) on every admin link; a
    supplies category read as a petition's 问题类别; a delivery channel as 信访形式."""
    from django.utils.translation import gettext, pgettext

    with override("zh-hans"):
        assert gettext("Change") == "修改"
        assert pgettext("duty", "Change") == "调班"
        assert gettext("category") == "问题类别"
        assert pgettext("supplies", "category") == "物资类别"
        assert gettext("Channel") == "信访形式"
        assert pgettext("delivery", "Channel") == "发送渠道"
        assert pgettext("stock", "Received") == "入库"
        assert pgettext("stock move", "what") == "操作"
        assert pgettext("period", "from") == "起始日期"


def test_an_incident_and_a_petition_name_their_level_and_stage_each_their_way() -> None:
    """A response level is 响应级别, a petition's review level 层级; an incident's stage
    is 处置阶段, a petition's 办理阶段; an incident closes (结案), a petition is 办结."""
    from yingji.incidents.models import Incident
    from yingji.petitions.models import Petition, Review
    from yingji.plans.models import Level

    with override("zh-hans"):
        assert str(Incident._meta.get_field("level").verbose_name) == "响应级别"
        assert str(Level._meta.get_field("level").verbose_name) == "响应级别"
        assert str(Review._meta.get_field("level").verbose_name) == "层级"
        assert str(Incident._meta.get_field("stage").verbose_name) == "处置阶段"
        assert str(Petition._meta.get_field("stage").verbose_name) == "办理阶段"
        assert str(Incident._meta.get_field("closed_at").verbose_name) == "结案时间"
        assert str(Petition.Stage.CLOSED.label) == "已办结"
