"""Pages of the risk and hazard register (filled in by the register's pages)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from yingji.accounts.models import User
from yingji.warnings.services import risks


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    risk = risks.risk_for(user, pk)
    return render(request, "warnings/risk.html", {"risk": risk})


routes = [
    path("risks/<id:pk>/", risk_detail, name="risk"),
]
