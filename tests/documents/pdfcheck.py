"""Reading back a PDF yingji wrote: which fonts show text, whether they are embedded,
and how many shown characters fell to the font's .notdef glyph (a box on paper)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

SHOW = {b"Tj", b"TJ", b"'", b'"'}


@dataclass
class Report:
    text: str = ""
    unembedded: set[str] = field(default_factory=set)  # fonts that show text
    boxes: int = 0  # shown codes the embedded font maps to no character (.notdef)
    fonts: set[str] = field(default_factory=set)


def _unicode_map(font: DictionaryObject) -> dict[int, int]:
    """Code -> character from the font's ToUnicode CMap (bfchar entries only, as
    reportlab writes them)."""
    if "/ToUnicode" not in font:
        return {}
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    return {
        int(code, 16): int(char, 16)
        for code, char in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", data)
        if len(code) <= 4
    }


def _embedded(font: DictionaryObject) -> bool:
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def read(content: bytes) -> Report:
    reader = PdfReader(io.BytesIO(content))
    report = Report()
    texts = []
    for page in reader.pages:
        texts.append(page.extract_text())
        fonts = page["/Resources"]["/Font"]
        current: DictionaryObject | None = None
        name = ""
        maps: dict[str, dict[int, int]] = {}
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                name = str(operands[0])
                current = fonts[name].get_object()
                continue
            if operator not in SHOW or current is None:
                continue
            strings = operands[0] if operator == b"TJ" else operands[-1:]
            shown = b"".join(
                getattr(s, "original_bytes", b"") for s in strings if not isinstance(s, int | float)
            )
            if not shown:
                continue
            base = str(current["/BaseFont"])
            report.fonts.add(base)
            if not _embedded(current):
                report.unembedded.add(base)
                continue
            chars = maps.setdefault(name, _unicode_map(current))
            report.boxes += sum(1 for code in shown if chars.get(code, 0) == 0)
    report.text = "\n".join(texts)
    return report
