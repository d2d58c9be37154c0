from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "yingji.petitions"
    label = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from yingji.timeline import labels

        labels.register(
            {
                "petition.registered": _("Registered"),
                "petition.accept": _("Accepted (受理)"),
                "petition.reject": _("Not accepted (不予受理)"),
                "petition.refer": _("Referred elsewhere (告知)"),
                "petition.identity_clarified": _("Name or address completed"),
            }
        )
