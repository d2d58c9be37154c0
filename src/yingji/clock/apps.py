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
