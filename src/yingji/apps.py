from __future__ import annotations

from django.apps import AppConfig


class YingjiConfig(AppConfig):
    name = "yingji"

    def ready(self) -> None:
        from django.core import checks

        from yingji import admin_panels, keycheck, locals

        locals.install()
        checks.register(keycheck.data_key_check)
        admin_panels.register()
