from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "yingji.resources"
    label = "resources"
    verbose_name = _("Supplies, equipment, teams and experts")

    def ready(self) -> None:
        from yingji.documents import jobs
        from yingji.resources import panels

        jobs.register(
            jobs.Kind(
                "resources.stock",
                _("stock receipts"),
                run="yingji.resources.excel.run_job",
                form="resources:stock_import",
            )
        )
        panels.register()
