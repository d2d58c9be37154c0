"""One file, several documents: a 合集 of plans with working rules between them.

A part begins at a title line (it ends in 预案, 方案, 制度, 办法 ...) whose outline starts
again within a few lines (一、 第一章 第一条 1 总则 ...). A collection's own title (汇编, a
title followed at once by another) begins nothing. A 「关于印发《…预案》的通知」 begins the
part of the plan it names. Each part is parsed on its own; a part whose title names no plan
(a 工作制度) is listed as another document, and a part with nothing recognisable in it is
listed with what was looked for, so the others can still be imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yingji.plans.parsing.parser import parse_lines
from yingji.plans.parsing.result import ParsedPlan
from yingji.plans.parsing.source import prepare
from yingji.plans.parsing.text import _fold, _numbered

_TITLE_END = re.compile(
    r"(?:预案|方案|制度|办法|规定|细则|规程|规则|须知|工作机制)"
    r"(?:\s*[(（][^()（）]{1,12}[)）])?$"
)
_NOT_TITLE_START = re.compile(
    r"^(?:本|根据|依据|按照|为|对|由|经|各|凡|如|在|各级|附件\s*\d*\s*[:：]?$)"
)
_COLLECTION = re.compile(r"汇编|合集|选编|目录|文件集")
_NOTICE = re.compile(r"关于印发.{0,20}?《(?P<title>[^》]{2,60})》")
_RESTART = re.compile(
    r"^\s*(?:第\s*[一1]\s*[章条节]|一\s*[、.]|[(（]\s*一\s*[)）]|1\s*(?:\.\s*1)?\s*[、.]?\s*[\u4e00-\u9fff]|总\s*则)"
)
_PLAN_WORDS = re.compile(r"预案|应急.{0,12}方案|处置.{0,8}方案|方案.{0,4}预案")


@dataclass
class Part:
    title: str  # as written
    is_plan: bool  # a plan (预案), not a working rule or a notice
    parsed: ParsedPlan
    problem: str = ""  # why nothing could be read from it, for the user

    @property
    def recognised(self) -> bool:
        structure = self.parsed.structure
        keyed = [s for s in self.parsed.sections if s.key]
        return bool(structure["groups"] or structure["levels"] or len(keyed) >= 2)


@dataclass
class Bundle:
    parts: list[Part]
    removed: list[str] = field(default_factory=list)  # page furniture taken out
    problems: list[str] = field(default_factory=list)  # parts of the file not read

    @property
    def plans(self) -> list[Part]:
        return [part for part in self.parts if part.is_plan]


def _title_like(line: str) -> bool:
    norm = _fold(line).strip().strip("《》")
    if not 4 <= len(norm) <= 60 or _numbered(line) is not None:
        return False
    if re.search(r"[。;,:，；：]", norm) or _NOT_TITLE_START.match(norm):
        return False
    return bool(_TITLE_END.search(norm)) or bool(_NOTICE.search(norm))


def _restarts(lines: list[str], index: int) -> bool:
    """An outline starts again within a few lines after a title."""
    for line in lines[index + 1 : index + 8]:
        norm = _fold(line).strip()
        if _RESTART.match(norm):
            return True
        if _title_like(line) or norm.startswith(("关于", "各", "现将", "为")):
            continue  # a subtitle, a notice's addressees and text
        if len(norm) > 80:
            return False
    return False


def _starts(lines: list[str]) -> list[int]:
    """The indices of the lines that begin a part."""
    starts: list[int] = []
    named = ""  # the plan a notice has announced
    for index, line in enumerate(lines):
        if not _title_like(line):
            continue
        norm = _fold(line).strip().strip("《》")
        notice = _NOTICE.search(norm)
        if notice:
            starts.append(index)
            named = _fold(notice.group("title"))
            continue
        if named and norm == named:
            named = ""
            continue  # the title of the plan the notice announced
        if _COLLECTION.search(norm) and not _PLAN_WORDS.search(norm.replace("汇编", "")):
            continue
        if _restarts(lines, index):
            starts.append(index)
            named = ""
    # A collection's title directly followed by the first plan's title begins nothing.
    return [s for i, s in enumerate(starts) if i + 1 >= len(starts) or starts[i + 1] > s + 1]


def _title_of(lines: list[str]) -> str:
    head = _fold(lines[0]).strip() if lines else ""
    notice = _NOTICE.search(head)
    if notice:
        return lines[0].strip()[notice.start("title") : notice.end("title")]
    return lines[0].strip().strip("《》") if lines else ""


class TooLong(ValueError):
    """More lines than any plan has, once headings run into the text are split out."""

    def __init__(self, lines: int) -> None:
        super().__init__(f"{lines} lines")
        self.lines = lines


def parse_bundle(text: str, *, max_lines: int | None = None) -> Bundle:
    """Every document in a text, each parsed on its own; TooLong past max_lines."""
    source = prepare(text or "", max_lines=max_lines or 1_000_000)
    lines = source.lines
    if max_lines is not None and len(lines) > max_lines:
        raise TooLong(len(lines))
    starts = _starts(lines)
    if len(starts) <= 1:
        parsed = parse_lines(lines)
        parsed.removed = source.removed + parsed.removed
        title = parsed.title
        return Bundle(
            parts=[_part(title, parsed, plan=not title or bool(_PLAN_WORDS.search(_fold(title))))],
            removed=parsed.removed,
        )
    parts: list[Part] = []
    preamble = lines[: starts[0]]
    kept = _preamble_kept(preamble)
    kept_lines = set(kept)
    removed = source.removed + [line for line in preamble if line not in kept_lines]
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        chunk = lines[start:end]
        if number == 0:
            chunk = kept + chunk
        title = _title_of(lines[start:end])
        parsed = parse_lines(chunk)
        if not parsed.title:
            parsed.title = title
        parts.append(_part(parsed.title, parsed, plan=bool(_PLAN_WORDS.search(_fold(title)))))
        removed.extend(parsed.removed)
    return Bundle(parts=parts, removed=removed)


def _preamble_kept(preamble: list[str]) -> list[str]:
    """Lines before the first part, but the collection's own title."""
    return [line for line in preamble if not _COLLECTION.search(_fold(line)) or len(line) > 60]


def _part(title: str, parsed: ParsedPlan, *, plan: bool) -> Part:
    part = Part(title=title, is_plan=plan, parsed=parsed)
    if plan and not part.recognised:
        part.problem = "nothing"
    return part
