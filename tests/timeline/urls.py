"""A page's stream as an app would write it: its own access check, then subject_stream."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.utils.translation import gettext

from yingji.org.models import Unit
from yingji.timeline.models import Event
from yingji.timeline.streams import subject_stream


def render(event: Event) -> dict[str, object]:
    return {
        "kind": event.kind,
        "heading": gettext("Timeline"),  # in the reader's language
        "summary": event.summary,
        "drill": event.is_drill,
        "happened_at": event.happened_at,
    }


@login_required
def unit_timeline(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    return subject_stream(request, unit, render)


urlpatterns = [
    path("units/<int:pk>/timeline/stream/", unit_timeline),
    path("", include("yingji.urls")),  # the pages' own links (error pages, sign-in)
]
