from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClockConfig(AppConfig):
    name = "yingji.clock"
    label = "clock"
    verbose_name = _("Deadline clock")

    def ready(self) -> None:
        from yingji.clock import kinds

        kinds.register_statutory_kinds()
