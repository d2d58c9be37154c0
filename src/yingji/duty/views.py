"""Duty pages. The iCalendar feed needs no login: its URL carries a secret."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from yingji.duty import services


def feed(request: HttpRequest, token: str) -> HttpResponse:
    text = services.feed_for(token)
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
