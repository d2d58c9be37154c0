from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.audit.services import Actor
from yingji.open311 import keys
from yingji.open311.models import ApiKey


class Command(BaseCommand):
    help = "Open311 keys: key create NAME, key list, key revoke PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        key = sub.add_parser("key", help="The keys of integrating systems")
        actions = key.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a key for a system and print it once")
        create.add_argument("name", help="The system that will use it, e.g. 12345热线")
        actions.add_parser("list", help="List the keys (prefixes only)")
        revoke = actions.add_parser("revoke", help="Revoke a key by its prefix")
        revoke.add_argument("prefix", help="The key's first characters (at least 8)")

    def handle(self, *args: Any, what: str, action: str, **options: Any) -> None:
        actor = Actor.system("yingji open311")
        if action == "create":
            try:
                key, secret = keys.create(options["name"], actor=actor)
            except ValidationError as error:
                raise CommandError(
                    "; ".join(m for ms in error.message_dict.values() for m in ms)
                ) from None
            self.stdout.write(f"key {key.prefix}… for {key.name}; shown only once:")
            self.stdout.write(secret)
        elif action == "list":
            for key in ApiKey.objects.order_by("created_at"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
                used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "-"
                self.stdout.write(
                    f"{key.prefix}…\t{state}\t{key.created_at:%Y-%m-%d}\t{used}\t{key.name}"
                )
        else:
            matches = keys.by_prefix(options["prefix"].rstrip("…"))
            if len(matches) != 1:
                raise CommandError(
                    f"no single live key with prefix {options['prefix']!r} "
                    f"({len(matches)} found; give at least 8 characters)"
                )
            keys.revoke(matches[0], actor=actor)
            self.stdout.write(f"revoked {matches[0].prefix}… ({matches[0].name})")
