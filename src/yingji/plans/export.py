"""A whole plan version as an official document (DOCX, GB/T 9704 headings), its chapters
in the order of a Chinese plan: 总则, 组织体系, 预防与预警, 应急响应, 保障措施, 附则, and
then the contacts and event types as annexes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yingji.documents import layout, pdf
from yingji.documents import services as documents
from yingji.plans import labels
from yingji.plans.models import EventType, Group, Level, PlanVersion, Post

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
    if version.command_duties:
        if not version.command_name:
            part += 1
            blocks.append((2, _second(part) + _("The command body's duties")))
        paragraphs(version.command_duties)
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

    warnings = list(version.warnings.all())
    if version.warning_sources or warnings:
        heading(_("Prevention and warning"))
        part = 0
        if version.warning_sources:
            part += 1
            blocks.append((2, _second(part) + _("Warning sources and publication")))
            paragraphs(version.warning_sources)
        if warnings:
            part += 1
            blocks.append((2, _second(part) + _("Warning levels and measures")))
            for index, warning in enumerate(warnings, start=1):
                blocks.append((3, f"{index}. {labels.warning_label(warning.level)}"))
                for label, text in (
                    (_("Issued when"), warning.criteria),
                    (_("Measures once issued"), warning.measures),
                ):
                    if text.strip():
                        blocks.append((0, f"{label}："))
                        paragraphs(text)

    heading(_("Response levels and procedures"))
    for index, level in enumerate(version.levels.prefetch_related("triggers", "steps__group"), 1):
        blocks.append((2, _second(index) + labels.level_label(level.level)))
        lead = (
            _("All of these conditions:") if level.match == "all" else _("Any of these conditions:")
        )
        blocks.append((0, lead))
        conditions = labels.conditions(level.triggers.all(), names) + [
            line.strip() for line in level.judgements.splitlines() if line.strip()
        ]
        blocks.extend((4, f"（{n}）{text}") for n, text in enumerate(conditions, start=1))
        for number, step in enumerate(level.steps.all(), start=1):
            limit = (
                _("within %(n)s min of activation") % {"n": step.within_minutes}
                if step.within_minutes is not None
                else ""
            )
            text = f"{number}. 【{step.get_phase_display()}】{step.action}（{step.group.name}"
            blocks.append((0, text + (f"，{limit}" if limit else "") + "）"))

    safeguards = list(version.safeguards.all())
    if safeguards:
        heading(_("Safeguards"))
        for index, safeguard in enumerate(safeguards, start=1):
            blocks.append((2, _second(index) + str(safeguard)))
            paragraphs(safeguard.text)
    requirements = list(version.requirements.all())
    if requirements:
        heading(_("Resources required"))
        for r in requirements:
            blocks.append(
                (0, f"{r.get_kind_display()}：{r.name} {r.quantity.normalize()}{r.measure}")
            )
    supplementary = [
        (_("Terms and definitions"), version.terms),
        (_("Plan management and updating"), version.plan_management),
        (_("Rewards and accountability"), version.rewards),
        (_("Drafting and interpreting body"), version.drafting_body),
        (_("Entry into force"), version.commencement),
    ]
    if any(text for _title, text in supplementary):
        heading(_("Supplementary provisions"))
        for index, (title, text) in enumerate((t for t in supplementary if t[1]), start=1):
            blocks.append((2, _second(index) + title))
            paragraphs(text)
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


def _holder(post: Post) -> str:
    if post.person:
        return f"{post.person.name}（{post.position}）" if post.position else post.person.name
    return post.position


def _phone(post: Post) -> str:
    """The post's line: ``组长：派出所所长 张三 13800000000``, as far as it is known."""
    phone = post.person.phone if post.person else ""
    return f"{post.title}：{_holder(post)} {phone}".strip()


def _steps(levels: list[Level], group: Group | None) -> list[dict[str, Any]]:
    """The steps by level, a group's own when ``group`` is given (time limits kept)."""
    return [
        {
            "label": labels.level_label(level.level),
            "steps": [s for s in level.steps.all() if group is None or s.group_id == group.pk],
        }
        for level in levels
    ]


def cards(version: PlanVersion) -> list[dict[str, Any]]:
    """岗位职责卡, in the order a response is organised: the command body's (its posts and
    every step by level, for the leaders), its office's (办公室, the standing body), and
    for each working group the group's card followed by one card per post of it, each
    saying who holds the post, its duties, whom it reports to, whom to call and the
    steps and time limits that fall to it.

    Each card is a dict: ``kind`` (command, office, group, post), ``title``, ``group``
    (a post's group name), ``holder``, ``duties``, ``reports_to``, ``posts`` (a body's
    posts), ``steps`` (by level), ``whole`` (steps of every group, named), ``contacts``.
    """
    levels = list(version.levels.prefetch_related("steps__group"))
    command_posts = list(version.posts.filter(group__isnull=True).select_related("person"))
    command = version.command_name or _("Command body")
    plan_contacts = [f"{c.name} {c.role} {c.phone}".strip() for c in version.contacts.all()]
    leaders = [_phone(p) for p in command_posts]
    result: list[dict[str, Any]] = []

    def card(kind: str, title: str, **parts: Any) -> None:
        result.append(
            {
                "kind": kind,
                "title": title,
                "group": "",
                "holder": "",
                "duties": "",
                "reports_to": "",
                "posts": [],
                "steps": [],
                "whole": False,
                "contacts": plan_contacts,
            }
            | parts
        )

    if version.command_name or command_posts or version.command_duties:
        card(
            "command",
            command,
            duties=version.command_duties,
            posts=command_posts,
            steps=_steps(levels, None),
            whole=True,
        )
    if version.office_name:
        card(
            "office",
            version.office_name,
            duties=version.office_duties,
            reports_to=command,
            steps=_steps(levels, None),
            whole=True,
            contacts=leaders + plan_contacts,
        )
    for group in version.groups.prefetch_related("posts__person"):
        posts = list(group.posts.all())
        lead = next((p for p in posts if p.is_lead), None)
        steps = _steps(levels, group)
        card(
            "group",
            group.name,
            duties=group.duties,
            reports_to=command,
            posts=posts,
            steps=steps,
            contacts=leaders + plan_contacts,
        )
        for post in posts:
            led = lead is not None and lead.pk != post.pk
            above = f"{group.name}{lead.title}（{_holder(lead)}）" if led and lead else command
            duties = (
                _("Leads the %(group)s and answers for its work.") % {"group": group.name}
                if post.is_lead
                else ""
            )
            card(
                "post",
                f"{group.name}{post.title}",
                group=group.name,
                holder=_holder(post),
                duties="\n".join(text for text in (duties, group.duties) if text),
                reports_to=above,
                steps=steps,
                contacts=([_phone(lead)] if led and lead else []) + leaders + plan_contacts,
            )
    return result


def cards_outlines(version: PlanVersion) -> list[layout.Outline]:
    """The cards as pages: one page each, to print or to open on a phone."""
    pages = []
    for card in cards(version):
        blocks: list[tuple[int, str]] = []
        if card["holder"]:
            blocks.append((0, f"{_('Held by')}：{card['holder']}"))
        if card["reports_to"]:
            blocks.append((0, f"{_('Reports to')}：{card['reports_to']}"))
        blocks.extend((0, _phone(p)) for p in card["posts"])
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
        if card["contacts"]:
            blocks.append((1, _("Contacts")))
            blocks.extend((0, line) for line in card["contacts"])
        pages.append(
            layout.Outline(
                title=card["title"],
                subtitle=f"{version.plan.title} · " + _("Role cards"),
                blocks=blocks,
            )
        )
    return pages


def cards_pdf(version: PlanVersion) -> bytes:
    """One page per card, to print or to open on a phone."""
    return pdf.render(cards_outlines(version), author=version.plan.owner.name)
