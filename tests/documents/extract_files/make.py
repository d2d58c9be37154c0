"""Writes the documents tests/documents/test_extract.py reads; run it from the repository
root with the project's Python after changing it, and commit what it writes:

    python tests/documents/extract_files/make.py

- numbered.docx: a plan whose headings and items carry Word's automatic numbering (the
  numbers are in numbering.xml, not in the text), with a table between paragraphs, a
  text box and a header that must not be read. Built from XML by hand, so every
  numbering feature read is spelled out here.
- numbered.doc: numbered.docx saved by LibreOffice in the Word 97-2003 format;
  numbered.wps: the same bytes under the name WPS gives its files.
- short.doc: two headings in the Word 97-2003 format, too short for antiword.
- encrypted.doc: numbered.doc with the "encrypted" flag of its header set, as Word sets
  it on a file saved with a password (its text is then unreadable ciphertext).
- encrypted.docx: an OLE compound file holding "EncryptionInfo" and "EncryptedPackage"
  streams, the shape of a .docx Word saved with a password.
- plan.pdf (two pages of Chinese text), scanned.pdf (a text page, then a page that is
  only a picture), picture.pdf (only a picture), encrypted.pdf (a password).
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
FONT = ("/usr/share/fonts/truetype/arphic/uming.ttc", 0)  # Debian: fonts-arphic-uming
STAMP = (2024, 1, 1, 0, 0, 0)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _package(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            package.writestr(zipfile.ZipInfo(name, STAMP), text.encode("utf-8"))
    return buffer.getvalue()


def _p(text: str, *, style: str = "", num: tuple[int, int | None] | None = None) -> str:
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num is not None:
        num_id, ilvl = num
        level = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
        properties += f'<w:numPr>{level}<w:numId w:val="{num_id}"/></w:numPr>'
    ppr = f"<w:pPr>{properties}</w:pPr>" if properties else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _cell(text: str, extra: str = "") -> str:
    return f"<w:tc><w:tcPr>{extra}</w:tcPr>{_p(text)}</w:tc>"


def _level(ilvl: int, fmt: str, text: str, *, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'{extra}<w:lvlText w:val="{text}"/></w:lvl>'
    )


NO_SUFFIX = '<w:suff w:val="nothing"/>'
BULLET = "\uf0b7"  # Symbol font bullet, as Word writes it
NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="0">
{_level(0, "chineseCounting", "%1、", extra='<w:pStyle w:val="Heading1"/>' + NO_SUFFIX)}
{_level(1, "chineseCounting", "（%2）", extra='<w:pStyle w:val="Heading2"/>' + NO_SUFFIX)}
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
{_level(0, "decimal", "%1", extra='<w:suff w:val="space"/>')}
{_level(1, "decimal", "%1.%2")}
{_level(2, "decimalEnclosedCircle", "%3", extra='<w:suff w:val="nothing"/>')}
</w:abstractNum>
<w:abstractNum w:abstractNumId="2">
{_level(0, "ideographTraditional", "%1.")}
{_level(1, "upperRoman", "%2)")}
{_level(2, "lowerLetter", "(%3)", start=3)}
</w:abstractNum>
<w:abstractNum w:abstractNumId="3">
{_level(0, "bullet", BULLET)}
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/>
  <w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>
<w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>
</w:numbering>
"""

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>
  <w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/>
  <w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>
  </w:pPr></w:style>
</w:styles>
"""

TEXT_BOX = (
    '<w:p><w:r><w:t xml:space="preserve">指挥部设在县应急管理局。</w:t></w:r>'
    '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
    "<a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>"
    "<w:p><w:r><w:t>文本框里的批注</w:t></w:r></w:p>"
    "</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic>"
    "</wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
    "<w:p><w:r><w:t>文本框里的批注</w:t></w:r></w:p></w:txbxContent></w:pict>"
    "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
)

BODY = "".join(
    [
        _p("某县突发事件总体应急预案"),
        _p("总则", style="Heading1"),
        _p("编制目的", style="Heading2"),
        _p("为了提高政府应对突发事件的能力，制定本预案。"),
        _p("编制依据", style="Heading2"),
        _p("适用范围", num=(2, 0)),
        _p("本县行政区域内的突发事件", num=(2, 1)),
        _p("跨区域的突发事件", num=(2, 1)),
        _p("自然灾害", num=(2, 2)),
        _p("事故灾难", num=(2, 2)),
        _p("上级交办的事项", num=(2, 1)),
        _p("公共卫生事件", num=(2, 2)),
        "<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>",
        "<w:tr>" + _cell("职务") + _cell("姓名") + _cell("职责") + "</w:tr>",
        "<w:tr>"
        + _cell("组长", '<w:vMerge w:val="restart"/>')
        + _cell("张三")
        + _cell("全面负责")
        + "</w:tr>",
        "<w:tr>" + _cell("", "<w:vMerge/>") + _cell("李四") + _cell("协助组长") + "</w:tr>",
        "<w:tr>" + _cell("联系电话：0000-1234567", '<w:gridSpan w:val="3"/>') + "</w:tr>",
        "</w:tbl>",
        _p("组织机构", style="Heading1"),
        _p("指挥部", style="Heading2"),
        TEXT_BOX,
        _p("工作组", style="Heading2"),
        _p("综合协调组", num=(3, 0)),
        _p("负责综合协调", num=(3, 1)),
        _p("先期处置", num=(4, 0)),
        _p("信息报告", num=(4, 0)),
        _p("首报", num=(4, 1)),
        _p("续报", num=(4, 2)),
        _p("不编号的标题", style="Heading1", num=(0, None)),
        _p("保持通信畅通", num=(5, 0)),
        _p("保障措施", style="Heading1"),
        '<w:sectPr><w:headerReference r:id="rIdHeader" w:type="default"/></w:sectPr>',
    ]
)

DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}" xmlns:wp="{WP_NS}" xmlns:a="{A_NS}"
 xmlns:wps="{WPS_NS}" xmlns:mc="{MC_NS}" mc:Ignorable="wps">
<w:body>{BODY}</w:body>
</w:document>
"""

HEADER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="{W_NS}"><w:p><w:r><w:t>页眉：内部资料</w:t></w:r></w:p></w:hdr>
"""

OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml"
NUMBERING_TYPE = (
    f'<Override PartName="/word/numbering.xml" ContentType="{WORD_TYPE}.numbering+xml"/>'
)
HEADER_TYPE = f'<Override PartName="/word/header1.xml" ContentType="{WORD_TYPE}.header+xml"/>'
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{WORD_TYPE}.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="{WORD_TYPE}.styles+xml"/>
{NUMBERING_TYPE}
{HEADER_TYPE}
</Types>
"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="word/document.xml"/>
</Relationships>
"""
NUMBERING_REL = f'<Relationship Id="rId2" Type="{OFFICE}/numbering" Target="numbering.xml"/>'
HEADER_REL = f'<Relationship Id="rIdHeader" Type="{OFFICE}/header" Target="header1.xml"/>'
DOCUMENT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{OFFICE}/styles" Target="styles.xml"/>
{NUMBERING_REL}
{HEADER_REL}
</Relationships>
"""


def docx(body: str, numbering: str | None = NUMBERING) -> bytes:
    """A .docx of the body XML ``body`` with the styles above, the numbering definitions
    ``numbering`` (none when None) and, when it has numbering, the header above."""
    types, relations = CONTENT_TYPES, DOCUMENT_RELS
    parts = {"word/styles.xml": STYLES}
    if numbering is None:
        types = types.replace(HEADER_TYPE, "").replace(NUMBERING_TYPE, "")
        relations = relations.replace(HEADER_REL, "").replace(NUMBERING_REL, "")
    else:
        parts |= {"word/numbering.xml": numbering, "word/header1.xml": HEADER}
    return _package(
        {
            "[Content_Types].xml": types,
            "_rels/.rels": ROOT_RELS,
            "word/document.xml": DOCUMENT.replace(BODY, body),
            "word/_rels/document.xml.rels": relations,
            **parts,
        }
    )


def numbered_docx() -> bytes:
    return docx(BODY)


def short_docx() -> bytes:
    """A document too short for antiword, which refuses a text stream so small."""
    return docx(_p("一、总则") + _p("（一）编制目的"), numbering=None)


def word_binary(docx: bytes) -> bytes:
    """The .docx saved by LibreOffice as a Word 97-2003 document."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to write the .doc")
    with tempfile.TemporaryDirectory() as workdir:
        source = Path(workdir) / "numbered.docx"
        source.write_bytes(docx)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(Path(workdir) / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "doc:MS Word 97",
                "--outdir",
                workdir,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return (Path(workdir) / "numbered.doc").read_bytes()


def _ole_stream_offset(data: bytes, name: str) -> int:
    """Where the first sector of the stream ``name`` starts, found by its directory entry
    (an entry is 128 bytes, sector-aligned, named in UTF-16, of type 2 for a stream)."""
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    wanted = (name + "\0").encode("utf-16-le")
    for offset in range(1 << shift, len(data) - 127, 128):
        if data[offset : offset + len(wanted)] == wanted and data[offset + 66] == 2:
            start = struct.unpack_from("<I", data, offset + 116)[0]
            return (start + 1) << shift
    raise LookupError(name)


def encrypted_doc(doc: bytes) -> bytes:
    data = bytearray(doc)
    fib = _ole_stream_offset(doc, "WordDocument")
    assert data[fib : fib + 2] == b"\xec\xa5"
    flags = struct.unpack_from("<H", data, fib + 0x0A)[0]
    struct.pack_into("<H", data, fib + 0x0A, flags | 0x0100)  # fEncrypted
    return bytes(data)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) holding ``streams``,
    each padded to 4096 bytes so it lives in ordinary sectors, not the mini stream."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat = [fat_sector, end]  # sector 0: the FAT, sector 1: the directory
    bodies = []
    entries = []
    for name, body in streams.items():
        body = body.ljust(4096, b"\0")
        first = len(fat)
        count = len(body) // 512
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        bodies.append(body)
        entries.append((name, first, len(body)))
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + b"\0" * 36
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, free, end, 0)
    for index, (name, start, size) in enumerate(entries, start=1):
        right = index + 1 if index < len(entries) else free
        directory += entry(name, 2, free, right, start, size)
    directory = directory.ljust(512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<108I", *([free] * 108))
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(bodies)


def _pdf_canvas(buffer: io.BytesIO) -> tuple[object, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Chinese", FONT[0], subfontIndex=FONT[1]))
    return canvas.Canvas(buffer, invariant=True), "Chinese"


def _picture_page(page: object) -> None:
    """A page that is only a picture of text, as a scanner makes it."""
    from reportlab.lib.utils import ImageReader

    pixels = bytes([255 if (x // 8 + y // 8) % 2 else 0 for y in range(64) for x in range(64)])
    image = _grey_png(64, 64, pixels)
    page.drawImage(ImageReader(io.BytesIO(image)), 100, 500, width=200, height=200)  # type: ignore[attr-defined]


def _grey_png(width: int, height: int, pixels: bytes) -> bytes:
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\0" + pixels[y * width : (y + 1) * width] for y in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf(pages: list[list[str] | None]) -> bytes:
    """A PDF of the given pages: lines of text, or None for a page that is a picture."""
    buffer = io.BytesIO()
    page, font = _pdf_canvas(buffer)
    for lines in pages:
        if lines is None:
            _picture_page(page)
        else:
            page.setFont(font, 14)  # type: ignore[attr-defined]
            for number, line in enumerate(lines):
                page.drawString(72, 760 - 24 * number, line)  # type: ignore[attr-defined]
        page.showPage()  # type: ignore[attr-defined]
    page.save()  # type: ignore[attr-defined]
    return buffer.getvalue()


def encrypted_pdf(plain: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password="mima123", owner_password="owner456", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PLAN_PAGES = [
    ["某县防汛应急预案", "一、总则", "（一）编制目的"],
    ["二、组织机构", "县防汛抗旱指挥部负责全县防汛工作。"],
]


def main() -> None:
    docx = numbered_docx()
    (HERE / "numbered.docx").write_bytes(docx)
    doc = word_binary(docx)
    (HERE / "numbered.doc").write_bytes(doc)
    (HERE / "numbered.wps").write_bytes(doc)
    (HERE / "encrypted.doc").write_bytes(encrypted_doc(doc))
    (HERE / "short.doc").write_bytes(word_binary(short_docx()))
    (HERE / "encrypted.docx").write_bytes(
        compound_file(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                "EncryptedPackage": bytes(range(256)) * 16,
            }
        )
    )
    plan = pdf(PLAN_PAGES)
    (HERE / "plan.pdf").write_bytes(plan)
    (HERE / "scanned.pdf").write_bytes(pdf([PLAN_PAGES[0], None, None]))
    (HERE / "picture.pdf").write_bytes(pdf([None]))
    (HERE / "encrypted.pdf").write_bytes(encrypted_pdf(plan))
    for path in sorted(HERE.iterdir()):
        if path.suffix != ".py":
            print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
