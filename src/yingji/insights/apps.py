from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "yingji.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from yingji.insights import incident_rollups, petition_rollups

        petition_rollups.connect()
        incident_rollups.connect()
