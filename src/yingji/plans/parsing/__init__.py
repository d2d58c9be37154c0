"""Turn the plain text of Chinese emergency plans (应急预案) into structured drafts.

Offices write their plans in Word with a handful of numbering conventions (一、 （一）
1. （1） 1.1 第一章 第一条 ...), and copy them out of web pages, PDFs and slides. The text is
read in steps:

0. Prepare (``source``): pinyin glosses and page furniture (headers and footers, 第1页,
   download notices, page numbers inside sentences) are taken out and listed; lines broken
   in mid-sentence are joined; headings run into the text are split out by numbering that
   continues the outline. A file holding several documents is split at each title whose
   numbering starts again (``bundle``); each part is parsed on its own.
1. Clean up: drop a table of contents (目录, entries with dotted leaders and page
   numbers), and take the title (``lines``).
2. Match each line against the numbering styles on a *folded* copy: full-width ASCII is
   mapped to half-width and traditional characters to simplified ones, one character for
   one character, so a span found on the folded copy also slices the original line and the
   text is returned as written (``text``). A numbered line is a heading when it is short
   and reads like one, or begins with a known section word run into its paragraph;
   otherwise it is a list item or a paragraph. An unnumbered line is a heading only when it
   is a canonical heading (总则, 应急响应 ...), the name of a working group, or a level in a
   level section (``sections``).
3. Depth comes from the order in which numbering styles nest, as a reader infers an
   outline: a stack holds the styles on the path to the current heading (``parser``).
4. Headings get a canonical key from a keyword table. Body lines feed small recognisers
   that keep some state between lines: working groups and their posts (``groups``), the
   command body and its office, and response levels with their conditions (``levels``).
5. Conditions become structured triggers (people_involved >= 30 ...) where the wording is
   clear, the two bounds of a range in one clause; every condition line is also kept as a
   free-text judgement.
6. The findings are assembled into the draft (``assemble``; the text parts by ``parts``)
   with the lines each element came from, and returned (``result``).

Nothing is guessed beyond the text: what is not recognised is reported as such, and every
line read is in a section, listed before the first one, or listed as taken out.
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
