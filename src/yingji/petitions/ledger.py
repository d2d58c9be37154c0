"""The petition ledger (台账) as Excel: export any filtered list; import a historical one.

Columns are in Chinese, the way the offices keep their ledgers. An import reports every
bad row by its row number and imports nothing from a file with errors, unless the user
asks for the good rows only.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yingji.audit.services import Actor
from yingji.clock import queries as clock
from yingji.documents import cells, excel, jobs, uploads
from yingji.documents.models import ImportJob
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Assignment, Category, Petition

EXPORT_COLUMNS = [
    "登记编号",
    "收到时间",
    "信访形式",
    "信访人姓名",
    "电话",
    "人数",
    "集体访",
    "问题类别",
    "问题属地",
    "请求",
    "事实和理由",
    "办理单位",
    "交办单位",
    "办理阶段",
    "受理决定",
    "办理期限",
    "办结日期",
    "答复结果",
    "评价",
    "超期",
]
# Words older ledgers use, besides the choices' own labels in Chinese and in English.
CHANNEL_WORDS = {"网上": "online", "网上信访": "online", "来信": "letter", "来访": "visit"}
CHANNEL_WORDS |= {"来电": "phone", "电话": "phone", "传真": "fax"}
STAGE_WORDS = {
    "登记": Petition.Stage.REGISTERED,
    "受理": Petition.Stage.ACCEPTED,
    "办结": Petition.Stage.CLOSED,
    "答复": Petition.Stage.REPLIED,
}
# The stages a ledger row can bring: those that need no record the ledger lacks (a
# review's request and decision, a linked case, a routing).
IMPORTABLE_STAGES = (
    Petition.Stage.REGISTERED,
    Petition.Stage.ACCEPTED,
    Petition.Stage.HANDLING,
    Petition.Stage.REPLIED,
    Petition.Stage.CLOSED,
    Petition.Stage.NOT_ACCEPTED,
    Petition.Stage.REFERRED,
)
# The ledger's column for each field of an intake, in the messages about a row.
COLUMN_OF = {
    "name": "信访人姓名",
    "phone": "电话",
    "id_number": "身份证号码",
    "address": "住址",
    "request": "请求",
    "facts": "事实和理由",
    "category": "问题类别",
    "received_at": "收到时间",
    "channel": "信访形式",
    "place": "问题属地",
    "region_code": "问题属地",
    "people_count": "人数",
    "is_collective": "集体访",
    "transferred_from": "交办单位",
}
JOB_KIND = "petitions.ledger"
# A ledger of a busy county office over several years, with room to spare; a bigger one
# is imported in parts. The unpacked size bounds what the workbook's XML can cost.
MAX_BYTES = 20 * uploads.MB
MAX_UNPACKED = 80 * uploads.MB
MAX_ROWS = 50_000
REQUIRED = ["登记编号", "收到时间", "信访形式", "信访人姓名", "请求", "事实和理由", "问题类别"]
OPTIONAL = ["电话", "身份证号码", "住址", "问题属地", "人数", "集体访", "交办单位", "办理阶段"]
# Older ledgers' and other systems' names for a column.
HEADER_ALIASES = {"信访人": "信访人姓名", "姓名": "信访人姓名", "联系电话": "电话"}
HEADER_ALIASES |= {"登记时间": "收到时间", "诉求": "请求", "诉求内容": "请求"}
EXPORT_CHUNK = 1_000


def _day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _finished(p: Petition, latest_reply: Any) -> date | None:
    """When the case was finished (办结): its written reply, or the decision not to
    accept it or to refer the petitioner elsewhere."""
    if latest_reply is not None:
        return _day(latest_reply.issued_at)
    if p.stage in (Petition.Stage.NOT_ACCEPTED, Petition.Stage.REFERRED):
        return _day(p.decided_at)
    return None


def _routed_by(p: Petition) -> str:
    """Who routed the case to the unit holding it: the newest lead routing's sender within
    yingji, or the body outside it recorded at intake."""
    leads = [a for a in p.assignments.all() if a.role == Assignment.Role.LEAD]
    return leads[-1].from_unit.name if leads else p.transferred_from


def _chunks(rows: Iterable[Petition], size: int) -> Iterable[list[Petition]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def export(petitions: Iterable[Petition]) -> bytes:
    """The ledger of ``petitions`` (with their replies, follow-ups and routings
    prefetched), in the columns an import reads back: an export imports again."""
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "信访事项台账"
    sheet.append(EXPORT_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for chunk in _chunks(petitions, EXPORT_CHUNK):
        overdue = set(
            services.with_overdue(Petition.objects.filter(pk__in=[p.pk for p in chunk]))
            .order_by()
            .values_list("pk", flat=True)
        )
        handling = clock.latest_deadline_of_each(chunk, "petition.handling")
        for p in chunk:
            latest_reply = p.replies.all()[0] if p.replies.all() else None
            latest_rating = p.follow_ups.all()[0] if p.follow_ups.all() else None
            due = handling.get(p.pk)
            sheet.append(
                [
                    p.number,
                    timezone.localtime(p.received_at).replace(tzinfo=None),
                    str(p.get_channel_display()),
                    p.name_masked,
                    p.phone_masked,
                    p.people_count,
                    "是" if p.is_collective else "否",
                    str(p.category),
                    f"{p.region_code} {p.place}".strip(),
                    p.request,
                    p.facts,
                    p.unit.name,
                    _routed_by(p),
                    str(p.get_stage_display()),
                    str(p.get_decision_display()) if p.decision else "",
                    _day(due.due_at) if due else None,
                    _finished(p, latest_reply),
                    str(latest_reply.get_outcome_display()) if latest_reply else "",
                    str(latest_rating.get_rating_display()) if latest_rating else "",
                    "是" if p.pk in overdue else "否",
                ]
            )
    widths = [22, 18, 10, 10, 14, 6, 6, 24, 24, 40, 40, 16, 16, 10, 10, 12, 12, 10, 10, 6]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for column in ("B",):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
    for column in ("P", "Q"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    return excel.save(book)


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    """A word or a category path as the lookups hold it: full-width forms folded, no
    spaces, one kind of slash (民政 / 养老服务, 民政／养老服务 and 民政/养老服务 alike)."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", folded).replace("\\", "/").replace(">", "/")


def _words(choices: Any, extra: Mapping[str, str]) -> dict[str, str]:
    """A choice's value by its label in Chinese or English, its code, or an older word."""
    found = {_key(word): value for word, value in extra.items()}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            found.update({_key(str(label)): value for value, label in choices})
    found.update({_key(value): value for value, _label in choices})
    return found


@dataclass
class Categories:
    """Categories by code, by path (民政 / 养老服务, in Chinese or English) and by name
    when the name is unique."""

    found: dict[str, Category]
    ambiguous: set[str]

    @classmethod
    def load(cls) -> Categories:
        rows = list(Category.objects.filter(is_active=True))
        by_pk = {c.pk: c for c in rows}
        found: dict[str, Category] = {}
        names: dict[str, list[Category]] = {}
        for c in rows:
            chain = [c]
            while chain[-1].parent_id in by_pk and len(chain) < 10:
                chain.append(by_pk[chain[-1].parent_id])
            for attr in ("name", "name_en"):
                words = [getattr(node, attr) or node.name for node in reversed(chain)]
                found[_key("/".join(words))] = c
                names.setdefault(_key(getattr(c, attr) or c.name), []).append(c)
            found[_key(c.code)] = c
        ambiguous = {name for name, same in names.items() if len({c.pk for c in same}) > 1}
        for name, same in names.items():
            if name not in ambiguous:
                found.setdefault(name, same[0])
        return cls(found, ambiguous)

    def get(self, text: str) -> Category | None:
        return self.found.get(_key(text))


def _people(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def _unmasked(value: Any) -> str:
    """A cell's personal data, or nothing when it is a mask from an export (138****1234):
    a mask is not the petitioner's number."""
    text = str(value or "").strip()
    return "" if "*" in text else text


def _place(value: Any) -> tuple[str, str]:
    """问题属地 as (division code, address): an export writes "990121 白石镇…"."""
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{6,12})\s+(.*)", text)
    return (match.group(1), match.group(2).strip()) if match else ("", text)


def check_upload(content: bytes) -> None:
    """Refuse a file too large to be a ledger before anything opens it."""
    uploads.check_workbook(content, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED)


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    check_upload(content)
    try:
        rows = excel.rows(content, max_rows=MAX_ROWS + 1)
    except excel.FormulaCells as formulas:
        raise ValidationError({"file": formulas.messages()}) from None
    except excel.NotAWorkbook:
        raise ValidationError({"file": [_("This is not an Excel workbook (.xlsx).")]}) from None
    except excel.TooManyRows:
        raise ValidationError(
            {
                "file": [
                    _("The ledger has more than %(count)d rows; import it in parts.")
                    % {"count": MAX_ROWS}
                ]
            }
        ) from None
    first = rows[0][1] if rows else ()
    header = [str(c).strip() if c is not None else "" for c in first]
    header = [HEADER_ALIASES.get(name, name) for name in header]
    data = []
    for number, row in rows[1:]:
        if row is None or all(c in (None, "") for c in row):
            continue
        data.append((number, dict(zip(header, row, strict=False))))
    return header, data


def import_ledger(
    content: bytes,
    *,
    office: Unit,
    actor: Actor,
    good_rows_only: bool = False,
    progress: jobs.Progress | None = None,
) -> ImportResult:
    """Take in a historical ledger: every row checked first; all or nothing by default
    (rows are then written in batches, see ``jobs.in_batches``)."""
    progress = progress or jobs.Progress(None)
    header, rows = read_rows(content)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            {"file": [_("Missing columns: %(columns)s.") % {"columns": "、".join(missing)}]}
        )
    categories = Categories.load()
    channels = _words(Petition.Channel.choices, CHANNEL_WORDS)
    stages = _words(Petition.Stage.choices, STAGE_WORDS)
    importable = "、".join(str(Petition.Stage(stage).label) for stage in IMPORTABLE_STAGES)
    latest = timezone.now() + timedelta(minutes=5)
    seen: set[str] = set()
    numbers = [str(r.get("登记编号") or "").strip() for _, r in rows]
    existing: set[str] = set()
    for start in range(0, len(numbers), 5000):  # SQLite takes so many parameters at most
        existing.update(
            Petition.objects.filter(number__in=numbers[start : start + 5000]).values_list(
                "number", flat=True
            )
        )
    result = ImportResult()
    good: list[tuple[int, services.Intake, str, str]] = []  # row, intake, number, stage
    for checked, (number, row) in enumerate(rows, start=1):
        progress.checking(checked, len(rows))
        problems = []
        reg = str(row.get("登记编号") or "").strip()
        if not reg:
            problems.append(_("no registration number"))
        elif reg in existing or reg in seen:
            problems.append(_("registration number %(number)s already exists") % {"number": reg})
        seen.add(reg)
        received = cells.moment(row.get("收到时间"))
        if received is None:
            problems.append(
                _("收到时间 is not a date (write it as 2025-05-06 14:00, 2025/5/6 or 2025年5月6日)")
            )
        elif received > latest:
            problems.append(_("收到时间 is in the future"))
        channel = channels.get(_key(str(row.get("信访形式") or "")))
        if channel is None:
            problems.append(_("信访形式 must be one of 网上, 来信, 来访, 来电, 传真"))
        category_text = str(row.get("问题类别") or "").strip()
        category = categories.get(category_text)
        if category is None and _key(category_text) in categories.ambiguous:
            problems.append(
                _("问题类别 %(value)s names several categories: give its parent (民政 / 养老服务)")
                % {"value": category_text}
            )
        elif category is None:
            problems.append(_("unknown 问题类别 %(value)s") % {"value": category_text})
        stage_word = str(row.get("办理阶段") or "").strip() or "办结"
        stage = stages.get(_key(stage_word))
        if stage is None:
            problems.append(_("unknown 办理阶段 %(value)s") % {"value": stage_word})
        elif stage not in IMPORTABLE_STAGES:
            problems.append(
                _("办理阶段 %(value)s cannot come from a ledger; a ledger brings %(stages)s")
                % {"value": stage_word, "stages": importable}
            )
        people = _people(row.get("人数") or 1)
        if people is None or not 1 <= people <= 100_000:
            problems.append(_("人数 must be a whole number of at least 1"))
        collective = str(row.get("集体访") or "").strip() in ("是", "Y", "y", "yes", "Yes", "1")
        region_code, place = _place(row.get("问题属地"))
        intake = services.Intake(
            channel=channel or "",
            petitioner_kind="person",
            name=str(row.get("信访人姓名") or "").strip(),
            request=str(row.get("请求") or "").strip(),
            facts=str(row.get("事实和理由") or "").strip(),
            category=category,
            received_at=received,
            phone=_unmasked(row.get("电话")),
            id_number=_unmasked(row.get("身份证号码")),
            address=str(row.get("住址") or "").strip(),
            region_code=region_code,
            place=place,
            people_count=people or 1,
            is_collective=collective,
            transferred_from=str(row.get("交办单位") or "").strip(),
        )
        if not problems:
            for field_name, messages in services.intake_errors(intake, office).items():
                column = COLUMN_OF.get(field_name, "")
                problems.extend(f"{column}：{m}" if column else m for m in messages)
        if problems:
            result.problems.append(
                _("Row %(row)d: %(problems)s") % {"row": number, "problems": "; ".join(problems)}
            )
        else:
            good.append((number, intake, reg, stage or Petition.Stage.CLOSED))
    if result.problems and not good_rows_only:
        raise ValidationError({"file": result.problems})

    def write(item: tuple[int, services.Intake, str, str]) -> str:
        _row, row_intake, reg, row_stage = item
        try:
            petition = services.register_historical(
                row_intake, office=office, actor=actor, number=reg, stage=row_stage
            )
        except ValidationError as refused:
            raise ValidationError(
                _("Row %(row)d: %(problems)s")
                % {"row": _row, "problems": "; ".join(refused.messages)}
            ) from refused
        return petition.number

    result.imported = jobs.in_batches(good, write, progress=progress)
    return result


def run_job(job: ImportJob, content: bytes, progress: jobs.Progress) -> dict[str, Any]:
    """The ledger import as a background job (see ``documents/jobs.py``)."""
    assert job.unit is not None
    result = import_ledger(
        content,
        office=job.unit,
        actor=Actor(user=job.created_by, address=job.address),
        good_rows_only=bool(job.options.get("good_rows_only")),
        progress=progress,
    )
    count = len(result.imported)
    return {
        "summary": ngettext("%(count)d case imported.", "%(count)d cases imported.", count)
        % {"count": count},
        "skipped": result.problems,
        "next": reverse("petitions:list"),
        "next_label": _("Petitions"),
    }
