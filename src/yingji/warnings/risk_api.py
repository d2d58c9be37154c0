"""API: see the module docstring once filled."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["risks"])
