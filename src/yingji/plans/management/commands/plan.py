"""``yingji plan import PATH [--dry-run] [--json] [--owner CODE] [--part N | --all]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from yingji import fields
from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.plans import imports
from yingji.plans.models import Plan


class Command(BaseCommand):
    help = (
        "Emergency plans: import a plan file (.docx .doc .wps .pdf .txt) as structured drafts; "
        "a file holding several plans lists them, and --part or --all picks which to save."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="recognise a plan's structure and save it as a draft")
        load.add_argument("path")
        load.add_argument("--dry-run", action="store_true", help="print what was recognised only")
        load.add_argument("--json", action="store_true", help="print the documents found as JSON")
        load.add_argument("--owner", help="the owner unit's division code or id")
        load.add_argument(
            "--part",
            type=int,
            action="append",
            metavar="N",
            help="save document N of the file (as listed, from 1); may be repeated",
        )
        load.add_argument("--all", action="store_true", help="save every plan found in the file")
        load.add_argument(
            "--kind", choices=Plan.Kind.values, help="default: guessed from the title"
        )
        load.add_argument("--title", help="default: the document's title line")
        load.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        with translation.override(options["language"]):
            try:
                bundle = imports.parse(path.name, data)
            except ValidationError as error:
                raise CommandError(f"{path}: " + " ".join(error.messages)) from None
            parts = [imports.part_result(part) for part in bundle.parts]
            for part in parts:
                part["title"] = part["title"] or path.stem
                part["kind"] = imports.guess_kind(part["title"])
            chosen = [] if options["dry_run"] else self._chosen(parts, options)
            saved = []
            if chosen:
                owner = self._owner(options["owner"])
                for index in chosen:
                    saved.append(self._save(path, data, parts[index], index, owner, options))
            if options["json"]:
                document = {
                    "file": path.name,
                    "problems": bundle.problems,
                    "removed": bundle.removed,
                    "parts": [_json_part(number, part) for number, part in enumerate(parts, 1)],
                    "saved": saved,
                }
                self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            else:
                self._summary(parts, bundle.problems, saved)

    def _chosen(self, parts: list[dict[str, Any]], options: dict[str, Any]) -> list[int]:
        """The parts to save (0-based): --part N (from 1), --all, or the only plan."""
        plans = [index for index, part in enumerate(parts) if part["importable"]]
        if options["part"]:
            chosen = []
            for number in options["part"]:
                if not 1 <= number <= len(parts):
                    raise CommandError(f"--part {number}: the file holds {len(parts)} documents")
                if not parts[number - 1]["importable"]:
                    raise CommandError(f"--part {number}: {parts[number - 1]['problem']}")
                chosen.append(number - 1)
        elif options["all"] or len(plans) == 1:
            chosen = plans
        else:
            listing = "\n".join(f"  {index + 1}. {parts[index]['title']}" for index in plans)
            raise CommandError(
                f"the file holds {len(plans)} plans; choose with --part N (or --all):\n{listing}"
            )
        if (options["title"] or options["kind"]) and len(chosen) > 1:
            raise CommandError("--title and --kind apply to one plan: choose it with --part N")
        return chosen

    def _save(
        self,
        path: Path,
        data: bytes,
        part: dict[str, Any],
        index: int,
        owner: Unit,
        options: dict[str, Any],
    ) -> dict[str, Any]:
        title = options["title"] or part["title"]
        try:
            version = imports.import_plan(
                actor=Actor.system("yingji plan import"),
                owner=owner,
                title=title,
                kind=options["kind"] or imports.guess_kind(title),
                content=part["structure"],
                source_name=path.name,
                source=data,
            )
        except ValidationError as error:
            lines = [
                f"  {field}: {message}"
                for field, messages in error.message_dict.items()
                for message in messages
            ]
            raise CommandError(
                f"{path} part {index + 1} 《{title}》: nothing saved of it; correct these in the "
                "import page or the file:\n" + "\n".join(lines)
            ) from None
        return {"part": index + 1, "title": title, "plan": version.plan_id, "version": version.pk}

    def _owner(self, value: str | None) -> Unit:
        if not value:
            raise CommandError("--owner is needed to save (or use --dry-run)")
        unit = Unit.objects.filter(code=value).first()
        if unit is None and (unit_id := fields.id_of(value)) is not None:
            unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise CommandError(f"no unit with code or id {value}")
        return unit

    def _summary(
        self, parts: list[dict[str, Any]], problems: list[str], saved: list[dict[str, Any]]
    ) -> None:
        for number, part in enumerate(parts, 1):
            report = part["report"]
            counts = report["counts"]
            label = "plan" if part["is_plan"] else "not a plan"
            self.stdout.write(f"{number}. {part['title']} ({label}, {part['kind']})")
            if part["problem"]:
                self.stdout.write(f"   {part['problem']}")
            self.stdout.write(
                f"   sections: {counts['sections']}, groups: {counts['groups']}, "
                f"levels: {counts['levels']}"
            )
            for group in report["groups"]:
                self.stdout.write(f"   group  {group['name']}")
            for level in report["levels"]:
                self.stdout.write(f"   level  {level['level']}: {len(level['triggers'])} triggers")
            for heading in report["unrecognised"]:
                self.stdout.write(f"   not recognised: {heading}")
        for problem in problems:
            self.stdout.write(f"not read: {problem}")
        for item in saved:
            self.stdout.write(
                f"saved as a draft: part {item['part']} 《{item['title']}》: plan {item['plan']}, "
                f"version {item['version']}"
            )


def _json_part(number: int, part: dict[str, Any]) -> dict[str, Any]:
    report = part["report"]
    return {
        "part": number,
        "title": part["title"],
        "kind": part["kind"],
        "is_plan": part["is_plan"],
        "importable": part["importable"],
        "problem": part["problem"],
        **{k: v for k, v in report.items() if k not in ("title", "source", "origins")},
    }
