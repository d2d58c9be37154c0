"""Turn the plain text of a Chinese emergency plan (应急预案) into a structured draft.

Offices write their plans in Word with a handful of numbering conventions (一、 （一）
1. （1） 1.1 第一章 第一条 ...). The parser reads the text line by line:

1. Clean up: split into lines, drop blank lines, page numbers and a table of contents
   (目录, entries with dotted leaders and page numbers), and take the title.
2. Match each line against the numbering styles on a *folded* copy: full-width ASCII is
   mapped to half-width with NFKC, one character for one character, so a span found on
   the folded copy also slices the original line and Chinese text is returned as written.
   A numbered line is a heading when it is short and reads like one; otherwise it is a
   list item or a paragraph. An unnumbered line is a heading only when it is a canonical
   heading (总则, 应急响应 ...), the name of a working group, or a level in a level section.
3. Depth comes from the order in which numbering styles nest, as a reader infers an
   outline: a stack holds the styles on the path to the current heading.
4. Headings get a canonical key from a keyword table. Body lines feed small recognisers
   that keep some state between lines: working groups and their posts, the command body
   and its office, and response levels with their conditions.
5. Conditions become structured triggers (people_involved >= 30 ...) where the wording is
   clear; every condition line is also kept as a free-text judgement.

Nothing is guessed beyond the text: what is not recognised is reported as such.

The modules by step: ``lines`` (1), ``text`` (folding, Chinese numbers, numbering: 2),
``sections`` (which lines read like headings and their keys: 2 and 4), ``groups`` and
``levels`` (the recognisers of 4 and the triggers of 5), ``parser`` (the reader that
drives them, 3) and ``result`` (what it returns).
"""

from __future__ import annotations

from yingji.plans.parsing.bundle import Bundle, Part, TooLong, parse_bundle
from yingji.plans.parsing.parser import parse_text
from yingji.plans.parsing.result import ParsedPlan, Section
from yingji.plans.parsing.text import chinese_number

__all__ = [
    "Bundle",
    "ParsedPlan",
    "Part",
    "Section",
    "TooLong",
    "chinese_number",
    "parse_bundle",
    "parse_text",
]
