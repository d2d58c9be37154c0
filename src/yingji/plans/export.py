"""A whole plan version as an official document (DOCX, GB/T 9704 headings)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yingji.documents import layout, pdf
from yingji.documents import services as documents
from yingji.plans import labels
from yingji.plans.models import EventType, PlanVersion

CHINESE = "一二三四五六七八九十"


def _first(n: int) -> str:
    """一、 二、 … for n from 1; past ten, 十一、."""
    if n <= 10:
        return CHINESE[n - 1] + "、"
    return "十" + CHINESE[n - 11] + "、"


def _second(n: int) -> str:
    return "（" + _first(n)[:-1] + "）"


def outline(version: PlanVersion) -> layout.Outline:
    names = {t.code: str(t) for t in EventType.objects.all()}
    blocks: list[tuple[int, str]] = []
    chapter = 0

    def heading(text: str) -> None:
        nonlocal chapter
        chapter += 1
        blocks.append((1, _first(chapter) + text))

    def paragraphs(text: str) -> None:
        blocks.extend((0, line.strip()) for line in text.splitlines() if line.strip())

    heading(_("General provisions"))
    general = [
        (_("Purpose"), version.purpose),
        (_("Legal basis"), version.legal_basis),
        (_("Scope"), version.scope),
        (_("Working principles"), version.principles),
    ]
    for index, (title, text) in enumerate((t for t in general if t[1]), start=1):
        blocks.append((2, _second(index) + title))
        paragraphs(text)

    heading(_("Organisation and duties"))
    part = 0
    if version.command_name:
        part += 1
        blocks.append((2, _second(part) + version.command_name))
        for post in version.posts.filter(group__isnull=True).select_related("person"):
            holder = post.person.name if post.person else post.position
            blocks.append((0, f"{post.title}：{holder}"))
    if version.office_name:
        part += 1
        blocks.append((2, _second(part) + version.office_name))
        paragraphs(version.office_duties)
    groups = list(version.groups.prefetch_related("posts__person"))
    if groups:
        part += 1
        blocks.append((2, _second(part) + _("Working groups")))
        for index, group in enumerate(groups, start=1):
            blocks.append((3, f"{index}. {group.name}"))
            for post in group.posts.all():
                holder = post.person.name if post.person else post.position
                blocks.append((0, f"{post.title}：{holder}"))
            paragraphs(group.duties)

    heading(_("Response levels and procedures"))
    for index, level in enumerate(version.levels.prefetch_related("triggers", "steps__group"), 1):
        blocks.append((2, _second(index) + labels.level_label(level.level)))
        lead = (
            _("All of these conditions:") if level.match == "all" else _("Any of these conditions:")
        )
        blocks.append((0, lead))
        conditions = [
            labels.condition(t.fact, t.op, t.value, names) for t in level.triggers.all()
        ] + [line.strip() for line in level.judgements.splitlines() if line.strip()]
        blocks.extend((4, f"（{n}）{text}") for n, text in enumerate(conditions, start=1))
        for number, step in enumerate(level.steps.all(), start=1):
            limit = (
                _("within %(n)s min of activation") % {"n": step.within_minutes}
                if step.within_minutes is not None
                else ""
            )
            text = f"{number}. 【{step.get_phase_display()}】{step.action}（{step.group.name}"
            blocks.append((0, text + (f"，{limit}" if limit else "") + "）"))

    requirements = list(version.requirements.all())
    if requirements:
        heading(_("Resources required"))
        for r in requirements:
            blocks.append(
                (0, f"{r.get_kind_display()}：{r.name} {r.quantity.normalize()}{r.measure}")
            )
    contacts = list(version.contacts.all())
    if contacts:
        heading(_("Contacts"))
        blocks.extend((0, f"{c.name} {c.role} {c.phone}".strip()) for c in contacts)
    if version.event_types.exists():
        heading(_("Event types covered"))
        blocks.append((0, "、".join(names.get(t.code, t.code) for t in version.event_types.all())))

    subtitle = " ".join(
        part
        for part in (
            version.document_number,
            _("version %(n)d") % {"n": version.number},
            version.get_status_display(),
        )
        if part
    )
    return layout.Outline(title=version.plan.title, subtitle=subtitle, blocks=blocks)


def docx(version: PlanVersion) -> bytes:
    return layout.render_outline(outline(version), documents.fonts())


def plan_pdf(version: PlanVersion) -> bytes:
    return pdf.render([outline(version)], author=version.plan.owner.name)


def cards(version: PlanVersion) -> list[dict[str, Any]]:
    """岗位职责卡: the command body's (its posts and every step by level, for the
    leaders) and then one per working group (its posts, duties and steps by level)."""
    levels = list(version.levels.prefetch_related("steps__group"))
    command_posts = list(version.posts.filter(group__isnull=True).select_related("person"))
    result = []
    if version.command_name or command_posts:
        result.append(
            {
                "title": version.command_name or _("Command body"),
                "duties": "",
                "posts": command_posts,
                "whole": True,
                "steps": [
                    {"label": labels.level_label(level.level), "steps": list(level.steps.all())}
                    for level in levels
                ],
            }
        )
    result.extend(
        {
            "title": group.name,
            "duties": group.duties,
            "posts": list(group.posts.all()),
            "whole": False,
            "steps": [
                {
                    "label": labels.level_label(level.level),
                    "steps": [s for s in level.steps.all() if s.group_id == group.pk],
                }
                for level in levels
            ],
        }
        for group in version.groups.prefetch_related("posts__person")
    )
    return result


def cards_pdf(version: PlanVersion) -> bytes:
    """One page per working group, to print or to open on a phone."""
    contacts = [f"{c.name} {c.role} {c.phone}".strip() for c in version.contacts.all()]
    pages = []
    for card in cards(version):
        blocks: list[tuple[int, str]] = [
            (0, f"{p.title}：{p.person.name if p.person else p.position}") for p in card["posts"]
        ]
        if card["duties"]:
            blocks.append((1, _("Duties")))
            blocks.extend((0, line.strip()) for line in card["duties"].splitlines() if line.strip())
        for level in card["steps"]:
            if not level["steps"]:
                continue
            blocks.append((1, level["label"]))
            for number, step in enumerate(level["steps"], start=1):
                limit = (
                    "（" + _("within %(n)s min of activation") % {"n": step.within_minutes} + "）"
                    if step.within_minutes is not None
                    else ""
                )
                optional = "（" + _("optional") + "）" if not step.required else ""
                who = f"【{step.group.name}】" if card["whole"] else ""
                blocks.append(
                    (
                        0,
                        f"{number}. {step.get_phase_display()}：{who}{step.action}"
                        f"{limit}{optional}",
                    )
                )
        if contacts:
            blocks.append((1, _("Contacts")))
            blocks.extend((0, line) for line in contacts)
        pages.append(
            layout.Outline(
                title=card["title"],
                subtitle=f"{version.plan.title} · " + _("Role cards"),
                blocks=blocks,
            )
        )
    return pdf.render(pages, author=version.plan.owner.name)
