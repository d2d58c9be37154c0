from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from yingji import views
from yingji.api import api, unknown_endpoint
from yingji.incidents import views as incident_views


class IdConverter:
    """A row's id in a page's address: at most 18 digits, so that an id past 2^63 answers
    404 like any unknown id instead of overflowing the database's integer (SQLite raises
    OverflowError, PostgreSQL a DataError). Every app's urls.py uses ``<id:pk>``."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")

admin.site.site_header = "yingji 应急"
admin.site.site_title = "yingji"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("yingji.accounts.urls")),
    path("org/", include("yingji.org.urls")),
    path("clock/", include("yingji.clock.urls")),
    path("petitions/", include("yingji.petitions.urls")),
    path("plans/", include("yingji.plans.urls")),
    path("duty/", include("yingji.duty.urls")),
    path("notifications/", include("yingji.notify.urls")),
    path("incidents/", include("yingji.incidents.urls")),
    path("resources/", include("yingji.resources.urls")),
    path("drills/", include("yingji.drills.urls")),
    path("warnings/", include("yingji.warnings.urls")),
    path("insights/", include("yingji.insights.urls")),
    path("imports/", include("yingji.documents.urls")),
    path("public/incidents/<str:key>/", incident_views.public, name="incident_public"),
    path("public/warnings/", include("yingji.warnings.public_urls")),
    path("public/", include("yingji.petitions.public_urls")),
    path("open311/", include("yingji.open311.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_endpoint),
]
