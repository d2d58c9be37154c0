from collections.abc import Mapping
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClockConfig(AppConfig):
    name = "yingji.clock"
    label = "clock"
    verbose_name = _("Deadline clock")

    def ready(self) -> None:
        from yingji.clock import kinds

        kinds.register_statutory_kinds()
        from yingji.timeline import labels

        labels.register(
            {
                "deadline.started": _("Deadline started"),
                "deadline.paused": _("Deadline paused"),
                "deadline.resumed": _("Deadline resumed"),
                "deadline.extended": _("Deadline extended"),
                "deadline.met": _("Deadline met"),
                "deadline.missed": _("Deadline missed"),
                "deadline.cancelled": _("Deadline cancelled"),
                "deadline.recomputed": _("Deadline recomputed"),
                "deadline.reassigned": _("Deadline passed to another unit"),
            }
        )

        def which(summary: str, data: Mapping[str, Any]) -> str:
            """Which deadline ("书面告知受理情况"), then the note written with it."""
            try:
                name = str(kinds.get(str(data.get("kind", ""))).label)
            except kinds.UnknownKind:
                return summary
            return (
                _("%(deadline)s: %(note)s") % {"deadline": name, "note": summary}
                if summary
                else name
            )

        labels.register_summaries(
            {
                kind: which
                for kind in (
                    "deadline.started",
                    "deadline.paused",
                    "deadline.resumed",
                    "deadline.extended",
                    "deadline.met",
                    "deadline.missed",
                    "deadline.cancelled",
                    "deadline.recomputed",
                    "deadline.reassigned",
                )
            }
        )
