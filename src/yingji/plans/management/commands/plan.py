"""``yingji plan import PATH [--dry-run] [--json] [--owner CODE] [--kind KIND]``."""

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
    help = "Emergency plans: import a .docx or .txt plan as a structured draft."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="recognise a plan's structure and save it as a draft")
        load.add_argument("path")
        load.add_argument("--dry-run", action="store_true", help="print what was recognised only")
        load.add_argument("--json", action="store_true", help="print the structure as JSON")
        load.add_argument("--owner", help="the owner unit's division code or id")
        load.add_argument(
            "--kind", choices=Plan.Kind.values, help="default: guessed from the title"
        )
        load.add_argument("--title", help="default: the file's title line")
        load.add_argument("--language", choices=["zh-hans", "en"], default="zh-hans")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from None
        with translation.override(options["language"]):
            try:
                parsed = imports.parse(path.name, data)
            except ValidationError as error:
                raise CommandError(f"{path}: " + " ".join(error.messages)) from None
            report = parsed.report()
            title = options["title"] or parsed.title or path.stem
            kind = options["kind"] or imports.guess_kind(title)
            if options["json"]:
                self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            else:
                self._summary(report, title, kind)
            if options["dry_run"]:
                return
            owner = self._owner(options["owner"])
            try:
                version = imports.import_plan(
                    actor=Actor.system("yingji plan import"),
                    owner=owner,
                    title=title,
                    kind=kind,
                    content=parsed.structure,
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
                    f"{path}: nothing saved; correct these in the import page or the file:\n"
                    + "\n".join(lines)
                ) from None
        done = f"saved as a draft: plan {version.plan_id}, version {version.pk}"
        (self.stderr if options["json"] else self.stdout).write(done)

    def _owner(self, value: str | None) -> Unit:
        if not value:
            raise CommandError("--owner is needed to save (or use --dry-run)")
        unit = Unit.objects.filter(code=value).first()
        if unit is None and (unit_id := fields.id_of(value)) is not None:
            unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise CommandError(f"no unit with code or id {value}")
        return unit

    def _summary(self, report: dict[str, Any], title: str, kind: str) -> None:
        counts = report["counts"]
        self.stdout.write(f"{title} ({kind})")
        self.stdout.write(
            f"sections: {counts['sections']}, groups: {counts['groups']}, "
            f"levels: {counts['levels']}"
        )
        for group in report["groups"]:
            self.stdout.write(f"  group  {group['name']}")
        for level in report["levels"]:
            self.stdout.write(f"  level  {level['level']}: {len(level['triggers'])} triggers")
        for heading in report["unrecognised"]:
            self.stdout.write(f"  not recognised: {heading}")
