"""Pages: see the module that fills this list."""

from __future__ import annotations

from django.urls import URLPattern

routes: list[URLPattern] = []
