from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from yingji import views
from yingji.api import api, unknown_endpoint
from yingji.incidents import views as incident_views

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
    path("public/incidents/<str:key>/", incident_views.public, name="incident_public"),
    path("public/", include("yingji.petitions.public_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_endpoint),
]
