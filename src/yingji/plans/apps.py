from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "yingji.plans"
    label = "plans"
    verbose_name = _("Emergency plans")

    def ready(self) -> None:
        from yingji.documents import jobs
        from yingji.plans import panels
        from yingji.timeline import labels

        jobs.register(
            jobs.Kind(
                "plans.source",
                _("plan file"),
                run="yingji.plans.imports.run_job",
                form="plans:import",
            )
        )

        labels.register(
            {
                "plan.created": _("Plan created"),
                "plan.updated": _("Draft changed"),
                "plan.submitted": _("Submitted for review"),
                "plan.returned": _("Returned to the draft"),
                "plan.approved": _("Approved"),
                "plan.filed": _("Filed (备案)"),
                "plan.filing_acknowledged": _("Filing acknowledged"),
                "plan.filing_returned": _("Filing returned"),
                "plan.in_force": _("In force"),
                "plan.superseded": _("Superseded"),
                "plan.new_version": _("New version started"),
            }
        )
        from yingji.plans.labels import part_label

        labels.register_summaries({"plan.updated": labels.list_words(part_label)})
        panels.register()
