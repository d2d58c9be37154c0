"""The petition ledger (台账) as Excel: export any filtered list; import a historical one.

Columns are in Chinese, the way the offices keep their ledgers. An import reports every
bad row by its row number and imports nothing from a file with errors, unless the user
asks for the good rows only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yingji.audit.services import Actor
from yingji.documents import excel, jobs, uploads
from yingji.documents.models import ImportJob
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Category, Petition

EXPORT_COLUMNS = [
    "登记编号",
    "收到时间",
    "信访形式",
    "信访人",
    "人数",
    "集体访",
    "问题类别",
    "问题属地",
    "请求",
    "办理单位",
    "办理阶段",
    "受理决定",
    "答复结果",
    "评价",
    "超期",
]
CHANNELS = {
    "网上": "online",
    "网上信访": "online",
    "来信": "letter",
    "来访": "visit",
    "来电": "phone",
    "传真": "fax",
}
STAGES = {
    "登记": Petition.Stage.REGISTERED,
    "已登记": Petition.Stage.REGISTERED,
    "受理": Petition.Stage.ACCEPTED,
    "已受理": Petition.Stage.ACCEPTED,
    "办理中": Petition.Stage.HANDLING,
    "已答复": Petition.Stage.REPLIED,
    "办结": Petition.Stage.CLOSED,
    "已办结": Petition.Stage.CLOSED,
}
JOB_KIND = "petitions.ledger"
# A ledger of a busy county office over several years, with room to spare; a bigger one
# is imported in parts. The unpacked size bounds what the workbook's XML can cost.
MAX_BYTES = 20 * uploads.MB
MAX_UNPACKED = 80 * uploads.MB
MAX_ROWS = 50_000
REQUIRED = ["登记编号", "收到时间", "信访形式", "信访人姓名", "请求", "事实和理由", "问题类别"]
OPTIONAL = ["电话", "身份证号码", "住址", "问题属地", "人数", "办理阶段"]


def export(petitions: Iterable[Petition]) -> bytes:
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "信访事项台账"
    sheet.append(EXPORT_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    overdue_ids = set(services.with_overdue(Petition.objects.all()).values_list("pk", flat=True))
    for p in petitions:
        latest_reply = p.replies.all()[0] if p.replies.all() else None
        latest_rating = p.follow_ups.all()[0] if p.follow_ups.all() else None
        sheet.append(
            [
                p.number,
                timezone.localtime(p.received_at).replace(tzinfo=None),
                str(p.get_channel_display()),
                p.name_masked,
                p.people_count,
                "是" if p.is_collective else "否",
                str(p.category),
                f"{p.region_code} {p.place}".strip(),
                p.request,
                p.unit.name,
                str(p.get_stage_display()),
                str(p.get_decision_display()) if p.decision else "",
                str(latest_reply.get_outcome_display()) if latest_reply else "",
                str(latest_rating.get_rating_display()) if latest_rating else "",
                "是" if p.pk in overdue_ids else "否",
            ]
        )
    widths = [22, 18, 10, 10, 6, 6, 24, 24, 40, 16, 10, 10, 10, 10, 6]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return excel.save(book)


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(9, 0))
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def check_upload(content: bytes) -> None:
    """Refuse a file too large to be a ledger before anything opens it."""
    uploads.check_workbook(content, max_bytes=MAX_BYTES, max_unpacked=MAX_UNPACKED)


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    check_upload(content)
    try:
        rows = excel.rows(content, max_rows=MAX_ROWS + 1)
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
    categories = {c.name: c for c in Category.objects.filter(is_active=True)}
    categories.update({c.code: c for c in categories.values()})
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
        received = _moment(row.get("收到时间"))
        if received is None:
            problems.append(_("收到时间 is not a date"))
        channel = CHANNELS.get(str(row.get("信访形式") or "").strip())
        if channel is None:
            problems.append(_("信访形式 must be one of 网上, 来信, 来访, 来电, 传真"))
        category = categories.get(str(row.get("问题类别") or "").strip())
        if category is None:
            problems.append(_("unknown 问题类别"))
        stage_word = str(row.get("办理阶段") or "办结").strip()
        stage = STAGES.get(stage_word)
        if stage is None:
            problems.append(_("unknown 办理阶段 %(value)s") % {"value": stage_word})
        count = row.get("人数") or 1
        try:
            people = int(count)
        except (TypeError, ValueError):
            people = 0
        if people < 1:
            problems.append(_("人数 must be a whole number of at least 1"))
        intake = services.Intake(
            channel=channel or "",
            petitioner_kind="person",
            name=str(row.get("信访人姓名") or ""),
            request=str(row.get("请求") or ""),
            facts=str(row.get("事实和理由") or ""),
            category=category,
            received_at=received,
            phone=str(row.get("电话") or ""),
            id_number=str(row.get("身份证号码") or ""),
            address=str(row.get("住址") or ""),
            place=str(row.get("问题属地") or ""),
            people_count=max(people, 1),
        )
        if not problems:
            for field_name, messages in services.intake_errors(intake, office).items():
                problems.extend(f"{field_name}: {m}" for m in messages)
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
