from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarningsConfig(AppConfig):
    name = "yingji.warnings"
    label = "warnings"
    verbose_name = _("Prevention and warnings")

    def ready(self) -> None:
        from yingji.warnings import panels, registry

        registry.register()
        panels.register()
