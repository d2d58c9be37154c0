"""The public warning pages (no login): see public_views."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "warnings_public"

urlpatterns: list[URLPattern] = []
