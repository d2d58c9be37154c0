"""The line-by-line reader: numbered and unnumbered lines to sections, and the
recognisers that fill the structure from their bodies."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from yingji.plans.parsing import assemble
from yingji.plans.parsing.groups import (
    _COMMAND_TITLES,
    _GROUP_AT_START,
    _GROUP_CONTINUE,
    _GROUP_DEFINITION,
    _GROUP_TITLES,
    _enumerated_groups,
    _group_name,
    _split_posts,
)
from yingji.plans.parsing.levels import (
    _INTRO_WORDS,
    _RESPONSE_WORDS,
    _SIGNAL,
    _condition_text,
    _explicit_level,
    _level_spans,
    _levels_in,
    _triggers,
)
from yingji.plans.parsing.lines import _clean_lines, _take_title
from yingji.plans.parsing.result import ParsedPlan, Section
from yingji.plans.parsing.sections import (
    _DEFINING_KEYS,
    _NO_LEVEL_KEYS,
    _ORG_KEYS,
    _TEXT_KEYS,
    _TOP_KEYS,
    _classify,
    _classify_content,
    _classify_strict,
    _heading_like,
    _split_label,
    _strip_affixes,
    _strip_colon,
)
from yingji.plans.parsing.source import prepare
from yingji.plans.parsing.text import _compact, _fold, _Numbered, _numbered

# ------------------------------------------------------------------------------- parser


@dataclass
class _Level:
    judgements: list[str] = field(default_factory=list)
    triggers: list[dict[str, Any]] = field(default_factory=list)


# What a level's measures begin with, as against its conditions: 「Ⅳ级响应：由镇长组织……」.
_MEASURE_START = re.compile(
    r"\s*(?:由|启动|组织|立即|迅速|及时|报告|向|在|按照|根据|请求|派出|调集)"
)
_COMMAND_RE = re.compile(r"(?:成立|设立|组建)了?(?P<name>[^,;。:、()]{1,60}?(?:领导小组|指挥部))")
_OFFICE_SET_UP = re.compile(r"(领导小组|指挥部)下设(?:应急)?办公室")
_OFFICE_SEATED = re.compile(r"([\u4e00-\u9fff]{0,16}?(?:领导小组|指挥部)办公室)设在")


class _Parser:
    """Reads cleaned lines one at a time, keeping the state a reader keeps."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.before: list[str] = []  # lines before the first heading
        # where things came from, for the review beside the source: line numbers by element
        self.line = -1
        self.lines: list[str] = []
        self.line_sections: list[int | None] = []  # each line's section, by index
        self.origins: dict[str, list[int]] = {}
        self.path: list[Section] = []  # the open sections, outermost first
        self.styles: list[str] = []  # numbering styles along the path
        self.level_sections: set[int] = set()  # ids of sections headed by a level
        # the block (group, level, article) whose list items are body text
        self.block_active = False
        self.block_style: str | None = None
        # command body, office and working groups
        self.context: str | None = None  # "command", "office" or "group"
        self.group: str | None = None
        self.loose = False  # a group opened by a heading takes every body line
        self.groups: dict[str, list[str]] = {}
        self.posts: list[dict[str, Any]] = []
        self.command_names: list[str] = []  # from headings
        self.command_statements: list[str] = []  # from 「成立……领导小组」
        self.office_names: list[str] = []
        self.office_lines: list[str] = []
        self.office_fallback: list[str] = []
        # response levels
        self.levels: dict[int, _Level] = {}
        self.level: int | None = None
        self.level_mode = ""  # "direct", "explicit" or "await"

    # ------------------------------------------------------------------ line dispatch

    def feed(self, line: str) -> None:
        self.line += 1
        self.lines.append(line)
        self._feed(line)
        self.line_sections.append(len(self.sections) - 1 if self.path else None)

    def _came_from(self, element: str) -> None:
        lines = self.origins.setdefault(element, [])
        if not lines or lines[-1] != self.line:
            lines.append(self.line)

    def _feed(self, line: str) -> None:
        numbered = _numbered(line)
        if numbered is None:
            self._plain(line)
        elif self._list_item(numbered.style):
            self._body(line, numbered)
        elif numbered.style in ("chapter", "part"):
            self._open(numbered.rest, numbered.token, numbered.style)
        elif numbered.style == "article":
            self._article(numbered)
        elif _heading_like(numbered.rest):
            self._open(_strip_colon(numbered.rest), numbered.token, numbered.style)
        else:
            split = _split_label(numbered.rest)
            if split and _classify_strict(split[0]) not in ("", "groups"):
                self._open(split[0], numbered.token, numbered.style, inline=split[1])
            else:
                self._body(line, numbered)

    def _list_item(self, style: str) -> bool:
        """Inside a group, level or article, deeper numbers are list items, not headings."""
        if style in ("chapter", "part", "article") or not self.block_active:
            return False
        if style in self.styles:
            if self.block_style in self.styles:
                return self.styles.index(style) > self.styles.index(self.block_style)
            return False
        return style != self.block_style

    def _plain(self, line: str) -> None:
        norm = _strip_colon(_fold(line))
        if len(norm) <= 24 and not re.search(r"[。;,:]", norm):
            key = _classify_strict(norm)
            if key:
                self._open(_strip_colon(line), "", None, plain_key=key)
                return
            if self._plain_level(norm):
                self._open(_strip_colon(line), "", None, plain_key="response")
                return
        split = _split_label(line, run_in=False)  # unnumbered: only 「编制目的：」
        if split and len(split[0]) <= 12:
            key = _classify_strict(split[0])
            if key and key not in _ORG_KEYS:
                self._open(split[0], "", None, inline=split[1], plain_key=key)
                return
        self._body(line, None)

    def _plain_level(self, norm: str) -> bool:
        return len(_levels_in(norm)) == 1 and self._ancestor_key() == "response"

    def _article(self, numbered: _Numbered) -> None:
        rest = numbered.rest
        if _heading_like(rest):
            self._open(_strip_colon(rest), numbered.token, "article")
            return
        split = _split_label(rest)
        if split and (_classify_strict(split[0]) or _group_name(_compact(split[0]))):
            self._open(split[0], numbered.token, "article", inline=split[1])
            return
        key = _classify_content(rest)
        self._open("", numbered.token, "article", inline=rest, content_key=key)

    # ---------------------------------------------------------------------- sections

    def _open(
        self,
        heading: str,
        number: str,
        style: str | None,
        *,
        inline: str = "",
        plain_key: str = "",
        content_key: str = "",
    ) -> None:
        depth = self._depth(style, plain_key, heading)
        self.path = [s for s in self.path if s.depth < depth]
        parent_key = self._ancestor_key()
        key = content_key or self._heading_key(heading, parent_key)
        section = Section(key=key, heading=heading.strip(), number=number, depth=depth)
        self.sections.append(section)
        self.path.append(section)
        self._came_from(f"section:{len(self.sections) - 1}")
        self._enter(section, parent_key, style)
        if inline:
            self._body(inline, None)

    def _depth(self, style: str | None, plain_key: str, heading: str) -> int:
        if style is not None:
            if style in self.styles:
                self.styles = self.styles[: self.styles.index(style) + 1]
            else:
                self.styles.append(style)
            return len(self.styles)
        depth = self._plain_depth(plain_key, heading)
        self.styles = self.styles[:depth]
        while len(self.styles) < depth:
            self.styles.append(f"plain{len(self.styles) + 1}")
        return depth

    def _plain_depth(self, key: str, heading: str) -> int:
        """Depth of a heading without a number, from what it is and what precedes it."""
        previous = self.path[-1] if self.path else None
        if key in _TOP_KEYS and not (key == "response" and _levels_in(heading)):
            return 1
        if key in _TEXT_KEYS:
            return 2
        if previous is None:
            return 1
        if key == "response":  # a level heading: a sibling of the previous level
            return previous.depth if id(previous) in self.level_sections else previous.depth + 1
        sibling = key in _ORG_KEYS and previous.key in _ORG_KEYS
        return previous.depth if sibling else previous.depth + 1

    def _heading_key(self, heading: str, parent_key: str) -> str:
        if parent_key in _TEXT_KEYS:
            return ""
        key = _classify(heading)
        if key:
            return key
        norm = _fold(heading)
        if len(_levels_in(norm)) == 1 and self._level_context(parent_key, norm):
            return "response"
        return ""

    def _ancestor_key(self) -> str:
        for section in reversed(self.path):
            if section.key:
                return section.key
        return ""

    def _enter(self, section: Section, parent_key: str, style: str | None) -> None:
        """Reset the per-block state for a new heading and open what it announces."""
        self.context = self.group = None
        self.loose = False
        self.level = None
        self.block_active = False
        self.block_style = None
        core = _strip_affixes(_compact(section.heading))
        name = _group_name(_compact(section.heading)) if section.key == "groups" else None
        name = _written(name, section.heading) if name else None
        if name and name not in self._command_all():
            if parent_key in _DEFINING_KEYS or name not in self.groups:
                self._open_group(name, style, loose=True)
        elif section.key in ("command", "organisation"):
            self.context = "command"
            if core.endswith(("领导小组", "指挥部")):
                self.command_names.append(_written(core, section.heading)[:60])
        elif section.key == "office":
            self.context = "office"
            if core.endswith("办公室"):
                self.office_names.append(_written(core, section.heading)[:60])
        norm = _fold(section.heading)
        levels = _levels_in(norm)
        if len(levels) == 1 and self._level_context(parent_key, norm):
            self.level_sections.add(id(section))
            event = "响应" not in norm or bool(re.search(r"事件|事故|标准|条件", norm))
            self._start_level(levels[0], "direct" if event else "await", style)
        if style == "article" and not self.block_active:
            self.block_active = True
            self.block_style = "article"

    def _add_text(self, line: str) -> None:
        if self.path:
            section = self.path[-1]
            section.text = f"{section.text}\n{line}" if section.text else line
        else:  # before the first heading: listed, never dropped
            self.before.append(line)

    # -------------------------------------------------------------------------- body

    def _body(self, line: str, numbered: _Numbered | None) -> None:
        self._add_text(line.strip())
        item = numbered.rest if numbered else line.strip()
        norm = _fold(item)
        style = numbered.style if numbered else None
        if self._level_line(item, norm, style):
            return
        self._command_line(item, norm)
        self._office_line(item, norm)
        if self._group_start(item, norm, style):
            return
        if self._ancestor_key() in _DEFINING_KEYS:
            for match in re.finditer(r"(?:下设|设立|分设|设置|成立|组建)(?P<list>[^。;:]+)", norm):
                for folded in _enumerated_groups(match.group("list")):
                    name = _written(folded, item)
                    if name not in self._command_all():
                        self.groups.setdefault(name, [])
                        self._came_from(f"group:{name}")
        self._context_line(item, norm, style)

    def _command_all(self) -> list[str]:
        return self.command_statements + self.command_names

    def _command_line(self, item: str, norm: str) -> None:
        match = _COMMAND_RE.search(norm)
        if match is None:
            return
        name = item[match.start("name") : match.end("name")].strip()
        name = name.rsplit("的", 1)[-1].strip()
        if name:
            self.command_statements.append(name[:60])
        if self.context is None:
            self.context = "command"

    def _office_line(self, item: str, norm: str) -> None:
        set_up = _OFFICE_SET_UP.search(norm)
        if set_up:
            self.office_names.append(f"{set_up.group(1)}办公室")
            if self.context != "office":
                _, rest = _split_posts(item[set_up.end() :].lstrip(" ,，;；。"))
                if rest:
                    self.office_fallback.append(rest)
        seated = _OFFICE_SEATED.search(norm)
        if seated:
            self.office_names.append(item[seated.start(1) : seated.end(1)])
            if self.context != "office" and not set_up:
                _, rest = _split_posts(item[seated.start(1) :])
                if rest:
                    self.office_fallback.append(rest)

    def _group_start(self, item: str, norm: str, style: str | None) -> bool:
        match = _GROUP_AT_START.match(norm)
        if match is None:
            return False
        name = _group_name(item[match.start(1) : match.end(1)])
        if not name or name in self._command_all():
            return False
        defining = self._ancestor_key() in _DEFINING_KEYS
        if not defining and (name in self.groups or not _GROUP_DEFINITION.search(norm)):
            return False
        self._open_group(name, style, loose=False)
        self._group_text(item[match.end() :].lstrip(" :：。，,;；、"))
        return True

    def _open_group(self, name: str, style: str | None, *, loose: bool) -> None:
        self.groups.setdefault(name, [])
        self._came_from(f"group:{name}")
        self.context = "group"
        self.group = name
        self.loose = loose
        self.level = None
        self.block_active = True
        self.block_style = style

    def _context_line(self, item: str, norm: str, style: str | None) -> None:
        if self.context == "group":
            deeper = style is not None and style != self.block_style
            if self.loose or deeper or _GROUP_CONTINUE.match(norm.strip()):
                self._group_text(item)
            else:
                self.context = self.group = None
                self.block_active = False
        elif self.context == "command":
            posts, _ = _split_posts(item)
            for title, who in posts:
                if title in _COMMAND_TITLES:
                    self._add_post(None, title, who)
        elif self.context == "office":
            _, rest = _split_posts(item)
            if rest:
                self.office_lines.append(rest)

    def _group_text(self, text: str) -> None:
        if not text or self.group is None:
            return
        posts, duties = _split_posts(text)
        for title, who in posts:
            if title in _GROUP_TITLES:
                self._add_post(self.group, title, who)
        if duties and duties not in self.groups[self.group]:
            self.groups[self.group].append(duties)
            self._came_from(f"group:{self.group}")

    def _add_post(self, group: str | None, title: str, position: str) -> None:
        self._came_from(f"post:{group or ''}:{title}")
        post = {
            "group": group,
            "title": title,
            "position": position,
            "person": None,
            "is_lead": group is not None and title == "组长",
        }
        if post not in self.posts:
            self.posts.append(post)

    # ------------------------------------------------------------------------ levels

    def _level_context(self, key: str, norm: str) -> bool:
        if key == "response":
            return True
        return key not in _NO_LEVEL_KEYS and _explicit_level(norm)

    def _start_level(self, level: int, mode: str, style: str | None) -> None:
        self._came_from(f"level:{level}")
        self.levels.setdefault(level, _Level())
        self.level = level
        self.level_mode = mode
        if self.context == "group":
            self.context = self.group = None
        self.block_active = True
        self.block_style = style

    def _stop_level(self) -> None:
        self.level = None
        if self.context != "group":
            self.block_active = False

    def _level_line(self, item: str, norm: str, style: str | None) -> bool:
        """Level introductions and the conditions under them; True when consumed."""
        spans = _level_spans(norm)
        levels = {level for level, _ in spans}
        in_context = len(levels) == 1 and self._level_context(self._ancestor_key(), norm)
        if in_context and self._level_intro(spans[0], item, norm, style):
            return True
        if self.level is None:
            return False
        return self._condition_line(item, norm, style)

    def _level_intro(self, span: tuple[int, int], item: str, norm: str, style: str | None) -> bool:
        level, start = span
        colon = norm.find(":")
        if colon > start:
            head, tail = norm[:colon], norm[colon + 1 :]
            # 「Ⅰ级响应：参与人数100人以上……」 states the level's conditions after all
            stated = bool(_SIGNAL.search(tail)) and not _MEASURE_START.match(tail)
            if _INTRO_WORDS.search(head) or not _RESPONSE_WORDS.search(head) or stated:
                self._start_level(level, "explicit", style)
                self._inline_conditions(level, item[colon + 1 :])
                return True
            if len(head.strip()) <= 12:  # 「Ⅳ级响应：由……」 names the level only
                self.levels.setdefault(level, _Level())
                self._stop_level()
                return True
            return False
        if colon < 0 and _SIGNAL.search(norm) and self._ancestor_key() == "response":
            self._add_condition(level, item)  # 「聚集30人以上的，为一般（Ⅳ级）事件。」
            return True
        return False

    def _inline_conditions(self, level: int, text: str) -> None:
        for part in re.split(r"[;；]", text):
            norm = _fold(part)
            if not part.strip() or (_INTRO_WORDS.search(norm) and not _SIGNAL.search(norm)):
                continue
            self._add_condition(level, part)

    def _condition_line(self, item: str, norm: str, style: str | None) -> bool:
        assert self.level is not None
        stripped = norm.strip()
        colon = stripped.find(":")
        if self.level_mode == "await":
            if colon >= 0 and _INTRO_WORDS.search(stripped[:colon]):
                self.level_mode = "explicit"
                self._inline_conditions(self.level, item[colon + 1 :])
                return True
            return False
        if stripped.endswith(":"):
            if _INTRO_WORDS.search(stripped) and not _RESPONSE_WORDS.search(stripped):
                self.level_mode = "explicit"  # 「出现下列情形之一的：」 the conditions follow
                return True
            self._stop_level()  # a new sub-block: 「处置措施：」
            return False
        if style is not None or stripped.endswith(";") or _SIGNAL.search(stripped):
            for part in re.split(r"[;；]", item):
                self._add_condition(self.level, part)
            return True
        if self.level_mode == "explicit":
            self._stop_level()
        return False

    def _add_condition(self, level: int, text: str) -> None:
        self._came_from(f"level:{level}")
        condition = _condition_text(text)
        if not condition:
            return
        spec = self.levels.setdefault(level, _Level())
        if condition not in spec.judgements:
            spec.judgements.append(condition)
        for trigger in _triggers(condition):
            if trigger not in spec.triggers:
                spec.triggers.append(trigger)

    # ------------------------------------------------------------------------ result

    def finish(self, title: str) -> ParsedPlan:
        return assemble.finish(self, title)


def _written(folded: str, original: str) -> str:
    """A name found on the folded text as the original writes it: 信息收集組, not 信息收集组.
    Folding keeps one character for one, so the name sits at the same place."""
    where = _fold(original).find(folded)
    return original[where : where + len(folded)] if where >= 0 else folded


def parse_text(text: str) -> ParsedPlan:
    """Parse the plain text of one emergency plan into sections and a structured draft."""
    source = prepare(text or "")
    parsed = parse_lines(source.lines)
    parsed.removed = source.removed + parsed.removed
    return parsed


def parse_lines(lines: list[str]) -> ParsedPlan:
    """Parse prepared lines (``source.prepare``) of one plan."""
    kept = _clean_lines("\n".join(lines))
    title, body = _take_title(kept)
    parser = _Parser()
    for line in body:
        parser.feed(line)
    parsed = parser.finish(title)
    # What the cleaning took out (a table of contents, page numbers) is listed, not lost.
    parsed.removed = list((Counter(line.strip() for line in lines) - Counter(kept)).elements())
    return parsed
