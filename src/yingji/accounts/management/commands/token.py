from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingji.accounts import services
from yingji.accounts.models import ApiToken, User
from yingji.audit.services import Actor


class Command(BaseCommand):
    help = "API tokens: create USERNAME, list [USERNAME], revoke PREFIX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token for a user and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for")
        create.add_argument(
            "--days", type=int, default=None, help="Lapse after this many days (default: never)"
        )
        listing = sub.add_parser("list", help="List tokens (prefixes only)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = Actor.system("yingji token")
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"no user named {options['username']!r}")
            try:
                token, secret = services.create_token(
                    user, actor=actor, name=options["name"], days=options["days"]
                )
            except ValidationError as error:
                raise CommandError(
                    "; ".join(m for ms in error.message_dict.values() for m in ms)
                ) from None
            self.stderr.write(f"token {token.prefix}… for {user.username}; shown only once:")
            self.stdout.write(secret)
        elif action == "list":
            tokens = ApiToken.objects.select_related("user").order_by("created_at")
            if options.get("username"):
                tokens = tokens.filter(user__username=options["username"])
            for token in tokens:
                state = "revoked" if token.revoked_at else "live"
                if token.expires_at and not token.revoked_at:
                    state = f"live until {token.expires_at:%Y-%m-%d}"
                self.stdout.write(
                    f"{token.prefix}…\t{token.user.username}\t{state}\t"
                    f"{token.created_at:%Y-%m-%d}\t{token.name}"
                )
        else:
            matches = list(ApiToken.objects.filter(prefix=options["prefix"].rstrip("…")))
            if len(matches) != 1:
                raise CommandError(f"no single token with prefix {options['prefix']!r}")
            services.revoke_token(matches[0], actor=actor)
            self.stdout.write(f"revoked {matches[0].prefix}…")
