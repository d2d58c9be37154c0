"""The parts of a plan that are text rather than rows of groups and levels, placed from
the sections the parser found: the command body's duties (领导小组职责), warning (预警:
its sources and a row per colour), safeguards (保障措施, one per kind) and the
supplementary provisions (附则 and 预案管理: terms, management, rewards, drafting body,
entry into force).

A section's sub-sections are the sections after it that are deeper; what a sub-section
is about is read from its heading, or failing that from its words.
"""

from __future__ import annotations

import re
from typing import Any

from yingji.plans.parsing.groups import _group_name
from yingji.plans.parsing.levels import _levels_in
from yingji.plans.parsing.result import Section
from yingji.plans.parsing.text import _compact, _fold, _numbered, _strip_number

# 保障措施 by kind, checked in order; "other" keeps the heading as its title.
_SAFEGUARD_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("teams", ("队伍", "人员保障", "人力")),
    ("supplies", ("物资", "装备", "器材")),
    ("funds", ("资金", "经费")),
    ("communication", ("通信", "通讯", "信息保障")),
    ("transport", ("交通", "运输")),
    ("medical", ("医疗", "卫生")),
    ("security", ("治安", "安全保卫")),
    ("technology", ("技术", "科技")),
    ("shelter", ("避难", "场所")),
)
# 附则 by field, checked in order.
_SUPPLEMENTARY_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("commencement", re.compile(r"之日起|日起(?:施行|实施)|施行|生效|实施时间")),
    ("drafting_body", re.compile(r"解释|制定(?:部门|单位|与解释)|编制部门")),
    ("terms", re.compile(r"名词|术语|释义|含义|是指|所称")),
    ("rewards", re.compile(r"奖励|表彰|奖惩|追究|问责|处分|责任与奖惩|奖励与责任")),
    ("plan_management", re.compile(r"修订|修编|评估|更新|管理|演练|培训|备案|宣传")),
)
# 「本预案由……负责解释，自印发之日起施行。」: two provisions in one sentence.
_INTERPRET_AND_START = re.compile(r"^(?P<a>.*?负责解释)[，,；;]\s*(?P<b>自.*)$")
_COLOURS = {"红色": 1, "橙色": 2, "黄色": 3, "蓝色": 4}
_COLOUR_WORD = re.compile("红色|橙色|黄色|蓝色")
# A line that begins with a warning being received or issued: 「接到蓝色、黄色预警：……」
_ON_WARNING = re.compile(r"^(?:接到|收到|发布|启动|进入)?[^,;。:]{0,8}?(?:红色|橙色|黄色|蓝色)预警")
_MEASURE_WORDS = re.compile(r"行动|措施|响应|处置")
# 「领导小组主要职责：」, 「指挥部职责：」; not an office's or a group's.
_COMMAND_DUTIES = re.compile(
    r"^(?P<who>.{0,30}?(?:领导小组|指挥部|指挥机构))?的?(?:主要职责|工作职责|职责)\s*[:：]\s*(?P<rest>.*)$"
)


def place(sections: list[Section], structure: dict[str, Any]) -> None:
    """Fill the structure's text parts from the sections with their keys."""
    _drop_group_headings(sections, structure)
    _listed_levels(sections, structure)
    _group_tables(sections, structure)
    structure["command_duties"] = _command_duties(sections)
    structure["warning_sources"], structure["warnings"] = _warning(sections, listing=False)
    if not structure["warnings"]:  # the levels are only listed: 「预警分为红色、橙色……」
        structure["warning_sources"], structure["warnings"] = _warning(sections, listing=True)
    structure["safeguards"] = _safeguards(sections)
    structure.update(_supplementary(sections))


def _children(sections: list[Section], index: int) -> list[Section]:
    """Every section under sections[index], in order."""
    found = []
    for section in sections[index + 1 :]:
        if section.depth <= sections[index].depth:
            break
        found.append(section)
    return found


def _tops(sections: list[Section], keys: tuple[str, ...]) -> list[int]:
    """The sections with one of these keys that are not under another of them."""
    found: list[int] = []
    inside = -1
    for index, section in enumerate(sections):
        if inside >= 0 and section.depth > sections[inside].depth:
            continue
        inside = -1
        if section.key in keys:
            found.append(index)
            inside = index
    return found


def _joined(parts: list[str]) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _whole(section: Section, under: list[Section]) -> str:
    """A section's text with its sub-sections' headings and texts."""
    parts = [section.text]
    for child in under:
        parts.extend((child.heading, child.text))
    return _joined(parts)


# ------------------------------------------------------------------- group headings


def _drop_group_headings(sections: list[Section], structure: dict[str, Any]) -> None:
    """A heading over a list of groups is not a group: 「（三）现场应急工作组」 followed by
    「现场抢救组 组长：……」 rows or 「1.救护小组」 sub-headings names the list. Such a
    heading has no posts of its own, and other groups begin its lines or head its
    sub-sections."""
    names = {_fold(group["name"]) for group in structure["groups"]}
    holders = {_fold(post["group"]) for post in structure["posts"] if post["group"]}
    headings: set[str] = set()
    for index, section in enumerate(sections):
        name = _group_name(_compact(section.heading)) if section.key == "groups" else None
        if not name or name not in names or name in holders:
            continue
        under = [_group_name(_compact(child.heading)) for child in _children(sections, index)]
        starts = [_fold(_strip_number(line)) for line in section.text.splitlines()]
        others = names - {name}
        if any(child in others for child in under) or any(
            line.startswith(other) for line in starts for other in others
        ):
            headings.add(name)
    if headings:
        structure["groups"] = [g for g in structure["groups"] if _fold(g["name"]) not in headings]


# ------------------------------------------------------------------------- group tables

_CELL_GAP = re.compile(r"\t|[ \u3000]{2,}")
_COLUMN_TITLES = {
    "组长": "组长",
    "副组长": "副组长",
    "成员": "成员",
    "成员单位": "成员",
    "组员": "成员",
}
_GROUP_COLUMN = re.compile(r"^(?:组别|工作组|小组|专班|名称|组名|工作组名称|专项工作组)$")
_DUTY_COLUMN = re.compile(r"职责|任务|分工")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL_GAP.split(line.strip())]


def _group_tables(sections: list[Section], structure: dict[str, Any]) -> None:
    """A table of groups under a header row: 「组别  组长  成员  主要职责」 then one row a
    group. The cells under 组长 and 成员 are its posts, the cell under 职责 its duties."""
    groups = {_fold(group["name"]): group for group in structure["groups"]}
    for section in sections:
        header: list[str] | None = None
        for line in section.text.splitlines():
            cells = _cells(line)
            norm = [_compact(cell) for cell in cells]
            if len(cells) >= 3 and _GROUP_COLUMN.match(norm[0]) and "组长" in norm:
                header = norm
                continue
            if header is not None and len(cells) < 2:
                header = None  # the table has ended
            if header is None or len(cells) != len(header):
                continue
            name = _group_name(cells[0])
            group = groups.get(_fold(name)) if name else None
            if group is None:
                continue
            for column, cell in zip(header[1:], cells[1:], strict=True):
                title = _COLUMN_TITLES.get(column)
                if title and cell:
                    post = {
                        "group": group["name"],
                        "title": title,
                        "position": cell,
                        "person": None,
                        "is_lead": title == "组长",
                    }
                    if post not in structure["posts"]:
                        structure["posts"].append(post)
                elif _DUTY_COLUMN.search(column) and cell:
                    group["duties"] = cell


# ------------------------------------------------------------------------ listed levels

_LISTING = re.compile(r"(?:分为|划分为|分成|划分成|包括)[^。;]*")


def _listed_levels(sections: list[Section], structure: dict[str, Any]) -> None:
    """Levels a level section lists without describing each of them: 「分为四个等级：一般级、
    较大级、重大级、特别重大级」 names four levels even where only some have conditions."""
    if not structure["levels"]:
        return  # no levels read at all: a list alone is not enough to go on
    found = {level["level"] for level in structure["levels"]}
    for section in sections:
        if section.key != "response":
            continue
        for line in section.text.splitlines()[:3]:
            for match in _LISTING.finditer(_fold(line)):
                listed = _levels_in(match.group(0))
                if len(listed) >= 2:
                    found.update(listed)
    known = {level["level"] for level in structure["levels"]}
    structure["levels"] = sorted(
        structure["levels"]
        + [
            {"level": n, "match": "any", "judgements": "", "triggers": [], "steps": []}
            for n in sorted(found - known)
        ],
        key=lambda level: level["level"],
    )


# -------------------------------------------------------------------- command duties


def _command_duties(sections: list[Section]) -> str:
    found: list[str] = []
    for index, section in enumerate(sections):
        if section.key == "command" and "职责" in section.heading:
            found.append(_whole(section, _children(sections, index)))
        elif section.key in ("command", "organisation"):
            found.extend(_duty_lines(section))
    return _joined(found)


def _duty_lines(section: Section) -> list[str]:
    """「领导小组主要职责：……」 and the list items that follow it."""
    found: list[str] = []
    taking = False
    for line in section.text.splitlines():
        match = _COMMAND_DUTIES.match(_fold(line).strip())
        if match:
            who = match.group("who") or ""
            ours = "办公室" not in who and "组" not in who.replace("领导小组", "")
            taking = ours and (bool(who) or section.key == "command")
            if taking:
                rest = line.strip()[match.start("rest") :].strip()
                found.append(rest)
            continue
        if taking and _numbered(line) is not None:
            found.append(line.strip())
        else:
            taking = False
    return found


# ------------------------------------------------------------------------------ warning


def _colour(text: str) -> int | None:
    colours = {level for word, level in _COLOURS.items() if word in text}
    return colours.pop() if len(colours) == 1 else None


def _colour_pieces(line: str, *, listing: bool) -> list[tuple[int, str]]:
    """The warning levels a line speaks of, each with what it says of it.

    A line of one colour is that colour's. A line of several is cut at its commas and
    semicolons (outside brackets): 「达到70%时发布黄色预警，达到85%时发布橙色预警」 gives
    each colour its clause, if the clause speaks of a warning (not 「红色为最高级别」).
    A clause naming several colours lists the levels (「预警分为红色、橙色、黄色、蓝色四个
    等级」): with listing, each of them gets the whole line; without, the line is left to
    the sources.
    """
    norm = _fold(line)
    if len(_COLOUR_WORD.findall(norm)) <= 1:
        colour = _colour(norm)
        return [(colour, line)] if colour is not None else []
    found: list[tuple[int, str]] = []
    listed: list[int] = []
    for start, end in _clauses(norm):
        colours = [_COLOURS[word] for word in _COLOUR_WORD.findall(norm[start:end])]
        if len(set(colours)) == 1 and "预警" in norm[start:end]:
            found.append((colours[0], line[start:end].strip().rstrip("，,；;。").strip()))
        elif colours:
            listed.extend(colour for colour in colours if colour not in listed)
    if listing:
        found.extend((colour, line.strip()) for colour in listed)
    return found


def _clauses(norm: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a folded line: cut at , ; 。 outside brackets."""
    spans: list[tuple[int, int]] = []
    depth = start = 0
    for index, char in enumerate(norm):
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(0, depth - 1)
        elif char in ",;。" and depth == 0:
            spans.append((start, index + 1))
            start = index + 1
    if start < len(norm):
        spans.append((start, len(norm)))
    return spans


def _warning(sections: list[Section], *, listing: bool) -> tuple[str, list[dict[str, Any]]]:
    sources: list[str] = []
    rows: dict[int, dict[str, list[str]]] = {}

    def add(level: int, field: str, text: str) -> None:
        rows.setdefault(level, {"criteria": [], "measures": []})[field].append(text)

    for index in _tops(sections, ("warning",)):
        for number, section in enumerate([sections[index], *_children(sections, index)]):
            heading = section.heading if number else ""
            colour = _colour(heading)
            if colour is not None:
                field = "measures" if _MEASURE_WORDS.search(heading) else "criteria"
                add(colour, field, section.text)
                continue
            kept = [heading]
            for line in section.text.splitlines():
                warning = "预警" in _fold(line) or "预警" in _fold(heading)
                pieces = _colour_pieces(line, listing=listing) if warning else []
                if not pieces:
                    kept.append(line)
                for colour, piece in pieces:
                    measures = _MEASURE_WORDS.search(heading) or _MEASURE_WORDS.search(piece)
                    add(colour, "measures" if measures else "criteria", piece)
            if any(kept[1:]):
                sources.extend(kept)
    # 「三、预警与响应」「（二）接到蓝色、黄色预警：加强值班……」: what is done on a warning
    for index in _tops(sections, ("response",)):
        for section in [sections[index], *_children(sections, index)]:
            for line in section.text.splitlines():
                if _ON_WARNING.match(_fold(_strip_number(line))):
                    listed = _colour_pieces(_strip_number(line), listing=True)
                    for colour, piece in listed:
                        add(colour, "measures", piece)
    warnings = [
        {"level": level, "criteria": _joined(row["criteria"]), "measures": _joined(row["measures"])}
        for level, row in sorted(rows.items())
        if _joined(row["criteria"] + row["measures"])
    ]
    return _joined(sources), warnings


# --------------------------------------------------------------------------- safeguards


def _safeguard_kind(heading: str, text: str) -> str:
    for kind, words in _SAFEGUARD_WORDS:
        if any(word in heading for word in words):
            return kind
    found = [
        (text.find(word), kind)
        for kind, words in _SAFEGUARD_WORDS
        for word in words
        if word in text
    ]
    return min(found)[1] if found else "other"


def _safeguards(sections: list[Section]) -> list[dict[str, Any]]:
    placed: dict[tuple[str, str], list[str]] = {}

    def add(heading: str, text: str, fallback: str) -> None:
        if not text.strip():
            return
        kind = _safeguard_kind(heading, text)
        title = (heading or fallback)[:60] if kind == "other" else ""
        placed.setdefault((kind, title), []).append(text)

    for index in _tops(sections, ("support",)):
        section = sections[index]
        under = _children(sections, index)
        direct = min((child.depth for child in under), default=0)
        add("", section.text, section.heading)
        for position, child in enumerate(under):
            if child.depth == direct:
                deeper = _children(under, position)
                add(child.heading, _whole(child, deeper), section.heading)
    return [
        {"kind": kind, "title": title, "text": _joined(texts)}
        for (kind, title), texts in placed.items()
    ]


# ------------------------------------------------------------------------ supplementary


def _supplementary_field(text: str, default: str) -> str:
    norm = _fold(text)
    for name, pattern in _SUPPLEMENTARY_WORDS:
        if pattern.search(norm):
            return name
    return default


def _supplementary(sections: list[Section]) -> dict[str, str]:
    fields: dict[str, list[str]] = {name: [] for name, _pattern in _SUPPLEMENTARY_WORDS}

    def add_lines(text: str) -> None:
        for line in text.splitlines():
            both = _INTERPRET_AND_START.match(line.strip())
            pieces = [line]
            if both:
                subject = "本预案" if both.group("a").startswith("本预案") else ""
                pieces = [both.group("a") + "。", subject + both.group("b")]
            for piece in pieces:
                fields[_supplementary_field(piece, "plan_management")].append(piece)

    # A management section under the safeguards (演练保障) is a safeguard.
    for index in _tops(sections, ("supplementary", "management", "support")):
        section = sections[index]
        if section.key == "support":
            continue
        if section.key == "management":  # 预案管理 as a chapter of its own
            fields["plan_management"].append(_whole(section, _children(sections, index)))
            continue
        add_lines(section.text)
        for child in _children(sections, index):
            name = _supplementary_field(child.heading, "") if child.heading else ""
            if name:
                fields[name].append(child.text)
            else:
                add_lines(_joined([child.heading, child.text]))
    return {name: _joined(texts) for name, texts in fields.items()}
