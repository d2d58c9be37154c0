"""The public warning pages (no login): see public_views."""

from __future__ import annotations

from django.urls import path

from yingji.warnings import public_views

app_name = "warnings_public"

urlpatterns = [
    path("", public_views.current_list, name="list"),
    path("feed.atom", public_views.feed, name="feed"),
    path("areas.geojson", public_views.areas, name="areas"),
    path("<str:key>/", public_views.detail, name="detail"),
]
