"""Plain text into the lines to read: page numbers, a table of contents (目录) and the
title taken out."""

from __future__ import annotations

import re

from yingji.plans.parsing.sections import _SENTENCE_END, _heading_like
from yingji.plans.parsing.text import _fold, _numbered

# ------------------------------------------------------------------ table of contents

_LEADER = r"(?:\.{3,}|…{2,}|⋯{2,}|·{3,}|_{3,}|-{4,}|—{2,})"
_TOC_LINE = re.compile(rf"{_LEADER}\s*\d{{0,3}}\s*$")
_TOC_PAIR = re.compile(rf"{_LEADER}\s*\d{{1,3}}")
_TOC_ENTRY = re.compile(r"^.{1,50}?(?:\.{2,}|…+|⋯+|·{2,}|_{2,}|-{3,}|—+|\s+)\s*\d{1,3}$")
_PAGE_LINE = re.compile(r"^(?:[-—\s]*\d{1,3}[-—\s]*|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)$")


def _is_toc_line(norm: str) -> bool:
    return bool(_TOC_LINE.search(norm)) or len(_TOC_PAIR.findall(norm)) >= 2


def _toc_key(line: str) -> str:
    norm = re.sub(rf"{_LEADER}|\s+", "", _fold(line))
    return re.sub(r"\d{1,3}$", "", norm)


def _skip_toc(lines: list[str], start: int) -> int:
    """The index of the first line after a table of contents that starts at start."""
    end = start
    while end < len(lines):
        norm = _fold(lines[end]).strip()
        if not (_TOC_ENTRY.match(norm) or _is_toc_line(norm)):
            break
        end += 1
    if end > start or start >= len(lines):
        return end
    # Entries without page numbers: the contents end where the first entry comes round.
    first = _toc_key(lines[start])
    for index in range(start + 1, min(len(lines), start + 80)):
        if _toc_key(lines[index]) == first:
            return index
        if _SENTENCE_END.search(_fold(lines[index])):
            break
    return start


def _clean_lines(text: str) -> list[str]:
    lines = [line.strip() for line in re.split(r"\r\n|[\r\n\u2028\u2029\f\v]", text)]
    lines = [line for line in lines if line and not _PAGE_LINE.match(_fold(line))]
    kept: list[str] = []
    index = 0
    while index < len(lines):
        norm = _fold(lines[index]).strip()
        compact = re.sub(r"\s+", "", norm)
        if compact.startswith("目录") and (compact == "目录" or _TOC_PAIR.search(norm)):
            index = _skip_toc(lines, index + 1)
            continue
        if not _is_toc_line(norm):
            kept.append(lines[index])
        index += 1
    return kept


_PLAN_TITLE = re.compile(r"预案|(?:应急|处置|处理|救援|保障).{0,12}方案")
_ORGANISATION_END = (
    "公司",
    "政府",
    "局",
    "镇",
    "乡",
    "街道",
    "学校",
    "小学",
    "中学",
    "大学",
    "学院",
    "医院",
    "中心",
    "委员会",
    "办公室",
    "会",
    "县",
    "区",
    "市",
    "厂",
    "矿",
    "集团",
    "社区",
    "村",
)


def _take_title(lines: list[str]) -> tuple[str, list[str]]:
    """The title line (it names a 预案) and the lines without it."""
    for index, line in enumerate(lines[:12]):
        norm = _fold(line).strip()
        quoted = re.search(r"《([^》]*预案[^》]*)》", line)
        if quoted and ("印发" in norm or "通知" in norm):
            if norm.endswith("通知"):  # the notice's heading stands for the plan's title
                return quoted.group(1).strip(), lines[:index] + lines[index + 1 :]
            return quoted.group(1).strip(), lines  # a sentence of the notice stays
        numbered = _numbered(line)
        if numbered and _heading_like(numbered.rest):
            break  # the body has begun
        if "印发" in norm and norm.endswith("通知"):
            continue  # 「关于印发……等两个预案的通知」: the title comes below
        if (
            _PLAN_TITLE.search(norm)
            and len(norm) <= 60
            and not numbered
            and not norm.endswith(("。", ";", ","))
            and not norm.startswith(("本预案", "本方案", "为", "根据", "依据"))
        ):
            title = line.strip()
            if title.startswith("《") and title.endswith("》"):
                title = title[1:-1]
            previous = _fold(lines[index - 1]).strip() if index else ""
            if (
                index
                and _title_head(lines[index - 1])
                and (len(norm) <= 8 or previous.endswith(_ORGANISATION_END))
            ):
                # a title broken over two lines: 「青石镇群体性上访事件」「应急预案」
                title = lines[index - 1].strip() + title
                return title, lines[: index - 1] + lines[index + 1 :]
            return title, lines[:index] + lines[index + 1 :]
    return "", lines


def _title_head(line: str) -> bool:
    norm = _fold(line).strip()
    return len(norm) <= 30 and not re.search(r"[。;,:、\d]", norm) and _numbered(line) is None
