from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    name = "yingji.drills"
    label = "drills"
    verbose_name = _("Drills")

    def ready(self) -> None:
        from yingji.drills import actions
        from yingji.timeline import labels

        actions.register()  # the drill.action clock kind; connects plans.version_approved

        labels.register(
            {
                "drill.planned": _("Drill planned"),
                "drill.changed": _("Drill plan changed"),
                "drill.started": _("Drill started"),
                "drill.paused": _("Drill paused"),
                "drill.resumed": _("Drill resumed"),
                "drill.ended": _("Drill ended"),
                "drill.cancelled": _("Drill cancelled"),
                "inject.added": _("Inject added live"),
                "inject.delivered": _("Inject delivered"),
                "inject.acknowledged": _("Inject acknowledged"),
                "inject.answered": _("Inject answered"),
                "inject.skipped": _("Inject skipped"),
                "drill.rated": _("Objectives rated"),
                "drill.feedback": _("Feedback given"),
                "drill.report_saved": _("Drill report saved"),
                "drill.evaluated": _("Drill report approved"),
            }
        )
