from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yingji.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from yingji.notify import panels
        from yingji.timeline import labels

        labels.register({"notify.escalated": _("Escalated: not acknowledged in time")})
        panels.register()
