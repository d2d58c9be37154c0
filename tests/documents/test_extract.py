"""Reading the text of the documents offices upload (.docx .doc .wps .pdf .txt): in
reading order, with Word's automatic numbers written out, and with a message saying
what to do when a file cannot be read.

The files read are written by extract_files/make.py. Tests of .doc and .wps need antiword
or LibreOffice (Debian: antiword, libreoffice-writer-nogui) and are skipped without them.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from tests.documents.test_uploads import UNPACKED, bomb
from yingji.documents import extract, reading, uploads, word_binary
from yingji.documents.extract import Extracted, format_number

FILES = Path(__file__).parent / "extract_files"
LIMITS = {"max_bytes": 5 * uploads.MB, "max_unpacked": 24 * uploads.MB}

needs_antiword = pytest.mark.skipif(
    shutil.which("antiword") is None, reason="antiword is not installed (Debian: antiword)"
)
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui)",
)

NUMBERED_DOCX = [
    "某县突发事件总体应急预案",
    "一、总则",
    "（一）编制目的",
    "为了提高政府应对突发事件的能力，制定本预案。",
    "（二）编制依据",
    "1 适用范围",
    "1.1 本县行政区域内的突发事件",
    "1.2 跨区域的突发事件",
    "①自然灾害",
    "②事故灾难",
    "1.3 上级交办的事项",
    "①公共卫生事件",
    "职务\t姓名\t职责",
    "组长\t张三\t全面负责",
    "\t李四\t协助组长",
    "联系电话：0000-1234567",
    "二、组织机构",
    "（一）指挥部",
    "指挥部设在县应急管理局。",
    "（二）工作组",
    "5 综合协调组",
    "5.1 负责综合协调",
    "甲. 先期处置",
    "乙. 信息报告",
    "I) 首报",
    "(c) 续报",
    "不编号的标题",
    "保持通信畅通",
    "三、保障措施",
]


def read(name: str, data: bytes | None = None) -> Extracted:
    return extract.text_of(name, (FILES / name).read_bytes() if data is None else data, **LIMITS)


def refusal(name: str, data: bytes | None = None) -> str:
    with override("en"), pytest.raises(ValidationError) as refused:
        read(name, data)
    [message] = refused.value.message_dict["file"]
    return message


def lines(text: str) -> list[str]:
    return [line.strip(" ") for line in text.split("\n") if line.strip()]


def in_order(found: list[str], *wanted: str) -> bool:
    """Whether the lines ``wanted`` are among the lines ``found``, in this order."""
    rest = iter(found)
    return all(any(line == want for line in rest) for want in wanted)


def before(text: str, *parts: str) -> bool:
    """Whether ``parts`` occur in ``text`` in this order."""
    positions = [text.find(part) for part in parts]
    return -1 not in positions and positions == sorted(positions)


# ----------------------------------------------------------------------------- .docx


def test_it_writes_out_word_automatic_numbering_and_keeps_tables_in_place() -> None:
    extracted = read("numbered.docx")
    assert extracted.text.split("\n") == NUMBERED_DOCX
    assert extracted.problems == ()


def _maker() -> Any:
    spec = importlib.util.spec_from_file_location("extract_files_make", FILES / "make.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_numbers_legal_levels_in_digits_and_restarts_levels_as_told() -> None:
    make = _maker()
    levels = (
        make._level(0, "chineseCounting", "第%1章")
        + make._level(1, "chineseCounting", "%1.%2", extra="<w:isLgl/>")
        # Restarts after level 1 (the first) only, not after level 2.
        + make._level(2, "decimal", "(%3)", extra='<w:lvlRestart w:val="1"/>')
    )
    numbering = (
        f'<w:numbering xmlns:w="{make.W_NS}"><w:abstractNum w:abstractNumId="0">{levels}'
        '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
    )
    paragraphs = [
        ("总则", 0),
        ("目的", 1),
        ("甲", 2),
        ("依据", 1),
        ("乙", 2),
        ("组织", 0),
        ("丙", 2),
        ("机构", 1),
    ]
    body = "".join(make._p(text, num=(1, level)) for text, level in paragraphs)

    text = read("plan.docx", make.docx(body, numbering)).text

    assert text.split("\n") == [
        "第一章 总则",
        "1.1 目的",
        "(1) 甲",
        "1.2 依据",
        "(2) 乙",
        "第二章 组织",
        "(1) 丙",
        "2.1 机构",
    ]


def test_it_names_the_embedded_objects_it_could_not_read() -> None:
    make = _maker()
    embedded = '<w:p><w:r><w:object w:dxaOrig="100" w:dyaOrig="100"/></w:r></w:p>'
    body = make._p("一、总则") + embedded + embedded + make._p("二、组织机构")
    with override("en"):
        extracted = read("plan.docx", make.docx(body))
    assert extracted.text == "一、总则\n\n\n二、组织机构"
    [problem] = extracted.problems
    assert "2 embedded objects" in problem


def test_it_leaves_out_text_boxes_and_headers() -> None:
    text = read("numbered.docx").text
    assert "文本框里的批注" not in text and "页眉" not in text


def test_it_reads_a_docx_without_numbering_in_document_order() -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("一、总则")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "组别", "职责"
    table.cell(1, 0).text, table.cell(1, 1).text = "综合组", "负责协调"
    document.add_paragraph("二、组织机构")
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合并的单元格"
    merged.cell(0, 2).text = "右"
    buffer = io.BytesIO()
    document.save(buffer)

    text = read("plan.docx", buffer.getvalue()).text

    assert text.split("\n") == [
        "一、总则",
        "组别\t职责",
        "综合组\t负责协调",
        "二、组织机构",
        "合并的单元格\t右",
    ]


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1, "decimal", "1"),
        (3, "decimalZero", "03"),
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCountingThousand", "十一"),
        (20, "chineseCountingThousand", "二十"),
        (105, "chineseCountingThousand", "一百零五"),
        (1010, "chineseCountingThousand", "一千零一十"),
        (3, "japaneseCounting", "三"),
        (12, "taiwaneseCounting", "十二"),
        (13, "taiwaneseCountingThousand", "十三"),
        (2, "ideographEnclosedCircle", "㈡"),
        (3, "ideographTraditional", "丙"),
        (4, "upperRoman", "IV"),
        (9, "lowerRoman", "ix"),
        (2, "lowerLetter", "b"),
        (27, "upperLetter", "AA"),
        (1, "decimalEnclosedCircle", "①"),
        (21, "decimalEnclosedCircle", "㉑"),
        (12, "decimalFullWidth", "１２"),
        (2, "chineseLegalSimplified", "贰"),
        (12, "chineseLegalSimplified", "壹拾贰"),
        (3, "ideographLegalTraditional", "參"),
        (3, "bullet", ""),
        (3, "none", ""),
        (7, "someFutureFormat", "7"),
    ],
)
def test_it_shows_numbers_as_word_does(value: int, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown


def test_it_asks_for_the_password_to_be_removed_from_an_encrypted_docx() -> None:
    assert "password" in refusal("encrypted.docx")


def test_it_refuses_a_docx_that_is_no_word_file() -> None:
    assert "save it again as .docx" in refusal("plan.docx", b"this is not a package")


# ----------------------------------------------------------------------------- .doc .wps


@needs_soffice
@pytest.mark.parametrize("name", ["numbered.doc", "numbered.wps"])
def test_it_reads_a_doc_or_wps_with_its_numbering_and_tables(name: str) -> None:
    found = read(name).text.split("\n")
    assert in_order(
        found,
        "某县突发事件总体应急预案",
        "一、总则",
        "（一）编制目的",
        "1 适用范围",
        "1.1 本县行政区域内的突发事件",
        "①自然灾害",
        "职务\t姓名\t职责",
        "组长\t张三\t全面负责",
        "\t李四\t协助组长",
        "二、组织机构",
        "甲. 先期处置",
        "三、保障措施",
    )
    assert "文本框里的批注" not in found


@needs_soffice
def test_it_holds_the_docx_libreoffice_writes_to_the_upload_limits() -> None:
    data = (FILES / "numbered.doc").read_bytes()
    with override("en"), pytest.raises(ValidationError) as refused:
        extract.text_of("plan.doc", data, max_bytes=LIMITS["max_bytes"], max_unpacked=4096)
    [message] = refused.value.message_dict["file"]
    assert "unpacks to" in message


def _failing_soffice(tmp_path: Path) -> str:
    program = tmp_path / "soffice"
    program.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    program.chmod(0o755)
    return str(program)


@needs_antiword
@pytest.mark.parametrize("soffice", ["missing", "failing"])
def test_it_reads_a_doc_with_antiword_when_libreoffice_cannot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, soffice: str
) -> None:
    antiword = shutil.which("antiword")
    programs = {"antiword": antiword}
    if soffice == "failing":
        programs["soffice"] = _failing_soffice(tmp_path)
    monkeypatch.setattr(word_binary.shutil, "which", programs.get)

    text = read("numbered.doc").text

    assert before(text, "某县突发事件总体应急预案", "编制目的", "组长\t张三\t全面负责", "保障措施")
    assert "\t李四\t协助组长" in text.split("\n")
    assert "文本框里的批注" not in text


@needs_antiword
@needs_soffice
def test_it_turns_to_the_next_reader_when_one_refuses_a_doc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Antiword refuses a text stream as short as this one's.
    monkeypatch.setattr(extract, "WORD_BINARY_READERS", ("antiword", "soffice"))
    assert lines(read("short.doc").text) == ["一、总则", "（一）编制目的"]


@needs_soffice
def test_it_reads_with_libreoffice_what_antiword_refuses(tmp_path: Path) -> None:
    """An .doc that is really RTF, as Word's "save as" often leaves it."""
    rtf = rb"{\rtf1\ansi{\fonttbl\f0 Arial;}\f0 Flood plan\par General rules\par}"
    text = read("plan.doc", rtf).text
    assert before(text, "Flood plan", "General rules")


def test_it_reads_a_wps_file_that_is_really_a_docx() -> None:
    data = (FILES / "numbered.docx").read_bytes()
    assert read("plan.wps", data).text.split("\n") == NUMBERED_DOCX


def test_it_asks_for_the_password_to_be_removed_from_an_encrypted_doc() -> None:
    assert "password" in refusal("encrypted.doc")


def test_it_says_so_when_the_server_has_no_tool_for_doc_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(word_binary.shutil, "which", lambda _name: None)
    message = refusal("numbered.doc")
    assert "cannot read .doc" in message and ".docx" in message


def test_it_kills_a_converter_that_takes_too_long(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stuck = tmp_path / "antiword"
    pid_file = tmp_path / "child.pid"
    stuck.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(
        word_binary.shutil, "which", lambda name: str(stuck) if name == "antiword" else None
    )
    monkeypatch.setattr(extract, "CONVERTER_TIMEOUT", 1)

    started = time.monotonic()
    message = refusal("numbered.doc")

    assert time.monotonic() - started < 10
    assert "could not be read as a Word document" in message
    child = int(pid_file.read_text())
    for _ in range(50):
        if not _running(child):
            break
        time.sleep(0.1)
    assert not _running(child)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


# ----------------------------------------------------------------------------- .pdf


def test_it_reads_the_text_layer_of_a_pdf_page_by_page() -> None:
    extracted = read("plan.pdf")
    assert lines(extracted.text) == [
        "某县防汛应急预案",
        "一、总则",
        "（一）编制目的",
        "二、组织机构",
        "县防汛抗旱指挥部负责全县防汛工作。",
    ]
    assert extracted.problems == ()


def test_it_names_the_pages_without_a_text_layer() -> None:
    with override("en"):
        extracted = read("scanned.pdf")
    assert lines(extracted.text)[0] == "某县防汛应急预案"
    [problem] = extracted.problems
    assert "2、3" in problem and "text layer" in problem


def test_it_names_the_pages_in_chinese_for_the_user() -> None:
    with override("zh-hans"):
        [problem] = read("scanned.pdf").problems
    assert "2、3" in problem


def test_it_refuses_a_pdf_without_any_text_layer() -> None:
    assert "no text layer" in refusal("picture.pdf")


def test_it_asks_for_the_password_to_be_removed_from_an_encrypted_pdf() -> None:
    assert "password" in refusal("encrypted.pdf")


def test_it_reads_a_pdf_locked_only_against_editing() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(FILES / "plan.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "一、总则" in read("plan.pdf", buffer.getvalue()).text


def test_it_refuses_a_damaged_pdf() -> None:
    assert "damaged" in refusal("plan.pdf", b"%PDF-1.7\nnothing else")


def test_it_refuses_a_pdf_of_too_many_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 1)
    assert "2 pages" in refusal("plan.pdf")


def test_it_refuses_too_much_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_CHARS", 10)
    assert "characters" in refusal("plan.pdf")
    assert "characters" in refusal("plan.txt", "一二三四五六七八九十十一".encode())


def _recording_processes(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """The processes the readers start from now on, as they start them."""
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = popen(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(reading.subprocess, "Popen", recording)
    return started


def test_it_stops_reading_a_pdf_that_takes_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    started = _recording_processes(monkeypatch)
    monkeypatch.setattr(extract, "CONVERTER_TIMEOUT", 0.01)

    assert "took too long" in refusal("plan.pdf")

    [child] = started
    assert child.returncode == -signal.SIGKILL
    assert not _running(child.pid)


def test_it_refuses_a_pdf_whose_reading_outgrows_the_memory_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(extract, "PDF_MEMORY", 16 * 1024 * 1024)
    assert "damaged" in refusal("plan.pdf")


# ----------------------------------------------------------------------------- .txt

PLAN_TEXT = "某县应急预案\n一、总则\n1.1 编制目的 (2024)\n"


@pytest.mark.parametrize(
    "data",
    [
        PLAN_TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + PLAN_TEXT.encode("utf-8"),
        PLAN_TEXT.encode("gb18030"),
        PLAN_TEXT.encode("utf-16"),  # with a byte order mark
        b"\xfe\xff" + PLAN_TEXT.encode("utf-16-be"),
        PLAN_TEXT.encode("utf-16-le"),
        PLAN_TEXT.encode("utf-16-be"),
        PLAN_TEXT.encode("utf-32"),
        b"\x00\x00\xfe\xff" + PLAN_TEXT.encode("utf-32-be"),
    ],
    ids=[
        "utf-8",
        "utf-8-bom",
        "gb18030",
        "utf-16-le-bom",
        "utf-16-be-bom",
        "utf-16-le",
        "utf-16-be",
        "utf-32-le-bom",
        "utf-32-be-bom",
    ],
)
def test_it_reads_text_in_the_encodings_offices_save(data: bytes) -> None:
    assert read("plan.txt", data).text == PLAN_TEXT


def test_it_reads_windows_line_ends_as_lines() -> None:
    assert (
        read("plan.txt", "一、总则\r\n二、组织\r\n".encode("gb18030")).text
        == "一、总则\n二、组织\n"
    )


def test_it_drops_stray_control_characters() -> None:
    text = "一、总则\x00\x07" + "编制目的。" * 50 + "\t\f\n"
    assert read("plan.txt", text.encode()).text == "一、总则" + "编制目的。" * 50 + "\t\f\n"


def test_it_refuses_a_binary_file_named_txt() -> None:
    assert "not look like a text file" in refusal("plan.txt", bytes(range(32)) * 40)


def test_it_refuses_text_in_no_encoding_it_knows() -> None:
    assert "UTF-8" in refusal("plan.txt", b"\x80\xff" * 20)


# ----------------------------------------------------------------------------- any file


def test_it_refuses_a_package_that_unpacks_to_too_much() -> None:
    message = refusal("plan.docx", bomb({"word/document.xml": b"<w:document/>"}))
    assert f"{UNPACKED // uploads.MB} MB" in message and "24 MB" in message


def test_it_refuses_a_file_over_the_size_limit() -> None:
    with override("en"), pytest.raises(ValidationError) as refused:
        extract.text_of("plan.txt", b"a" * 2048, max_bytes=1024, max_unpacked=1024)
    assert "larger than" in refused.value.message_dict["file"][0]


@pytest.mark.parametrize("name", ["plan.xlsx", "plan.rtf", "plan", "plan.docx.exe"])
def test_it_names_the_accepted_kinds_for_any_other_file(name: str) -> None:
    message = refusal(name, b"whatever")
    assert all(kind in message for kind in (".docx", ".doc", ".wps", ".pdf", ".txt"))


def test_it_tells_what_it_can_before_reading() -> None:
    assert extract.check("预案.PDF", b"%PDF-1.7", **LIMITS) == "pdf"
    assert "larger than" in refusal("plan.doc", b"x" * (LIMITS["max_bytes"] + 1))


def test_it_refuses_an_empty_file() -> None:
    assert "empty" in refusal("plan.docx", b"")


def test_fixtures_stay_small() -> None:
    assert all(path.stat().st_size < 60 * 1024 for path in FILES.iterdir() if path.is_file())
    assert os.access(FILES / "make.py", os.R_OK)
