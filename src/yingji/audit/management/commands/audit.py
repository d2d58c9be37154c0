"""`yingji audit verify` and `yingji audit checkpoint`.

A checkpoint is signed with HMAC-SHA256 under YINGJI_AUDIT_KEY rather than with a
public-key signature: HMAC needs nothing installed beyond Python's standard library, and
the operator who verifies is the one who keeps the key, so there is no third party that
would need a public key to check it. A checkpoint copied off the server (printed, mailed
to the supervising office, kept on another machine) cannot be rewound with the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.audit import services


class Command(BaseCommand):
    help = (
        "Audit log tools. 'yingji audit verify' walks the keyed hash chain and checks "
        "checkpoints; 'yingji audit checkpoint' signs how far the chain reaches now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="Check every entry of the chain, then the checkpoints"
        )
        verify.add_argument(
            "--checkpoint",
            dest="checkpoints",
            action="extend",
            nargs="+",
            default=[],
            metavar="FILE",
            help="a checkpoint file written by 'yingji audit checkpoint' (repeatable); "
            "the stored checkpoints are always checked",
        )
        checkpoint = sub.add_parser(
            "checkpoint", help="Sign and store how far the chain reaches; print the document"
        )
        checkpoint.add_argument(
            "--output", metavar="FILE", help="also write the document to FILE, to keep elsewhere"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "checkpoint":
            self._checkpoint(options.get("output"))
        else:
            self._verify(options.get("checkpoints") or [])

    def _verify(self, files: list[str]) -> None:
        documents = [(f"file {name}", _read(name)) for name in files]
        verdict = services.verify()
        if not verdict.ok:
            raise CommandError(verdict.explanation)
        self.stdout.write(f"audit log intact: all {verdict.count} entries verify")
        report = services.check_checkpoints(documents, chain_end=verdict.count)
        if report.problems:
            raise CommandError("audit log cut short or rewritten:\n" + "\n".join(report.problems))
        if report.checked == 1:
            self.stdout.write("the checkpoint holds")
        elif report.checked:
            self.stdout.write(f"all {report.checked} checkpoints hold")

    def _checkpoint(self, output: str | None) -> None:
        try:
            checkpoint = services.take_checkpoint()
        except services.ChainBroken as error:
            raise CommandError(f"no checkpoint taken: {error}") from None
        text = json.dumps(services.checkpoint_document(checkpoint), indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        self.stdout.write(text, ending="")


def _read(name: str) -> Any:
    try:
        return json.loads(Path(name).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"cannot read checkpoint file {name}: {error}") from None
