from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentsConfig(AppConfig):
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from yingji.incidents import panels
        from yingji.timeline import labels

        labels.register(
            {
                "incident.reported": _("Reported (接报)"),
                "incident.facts": _("Facts updated"),
                "incident.graded": _("Graded"),
                "incident.regraded": _("Regraded"),
                "incident.activated": _("Plan activated"),
                "incident.linked_plan": _("Linked plan brought in"),
                "incident.warning_period": _("Warning period"),
                "incident.warning_period_end": _("Warning period ended"),
                "incident.on_site": _("First on site"),
                "incident.controlled": _("Under control"),
                "incident.ended": _("Response ended"),
                "incident.closed": pgettext_lazy("incident", "Closed"),
                "incident.group": _("Group's people changed"),
                "incident.instruction": _("Leader's instruction (领导批示)"),
                "incident.level_tasks": _("The level's tasks added"),
                "task.added": _("Task given by the command"),
                "report.submitted": _("Report submitted"),
                "report.phoned": _("Phone report made (电话快报)"),
                "report.received": _("Report signed for (签收)"),
                "task.created": _("Task created"),
                "task.acknowledged": _("Task acknowledged"),
                "task.started": _("Task started"),
                "task.done": _("Task done"),
                "task.blocked": _("Task blocked"),
                "task.note": _("Progress"),
                "release.published": _("Information released"),
                "request.created": _("Resources requested"),
                "request.decided": _("Resource request decided"),
            }
        )
        panels.register()
