from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "yingji.duty"
    label = "duty"
    verbose_name = _("Duty")

    def ready(self) -> None:
        from yingji.duty import panels

        panels.register()
