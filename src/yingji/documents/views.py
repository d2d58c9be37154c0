"""The page of a background import, and the little JSON its page polls."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from yingji.documents import jobs
from yingji.documents.models import ImportJob


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = jobs.of(request.user, pk)
    if job is None:
        raise Http404
    return job


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    spec = jobs.KINDS.get(job.kind)
    context = {
        "job": job,
        "kind_label": spec.label if spec else job.kind,
        "again": reverse(spec.form) if spec else "",
        "stalled": jobs.stalled(job),
        "finished": job.state in (ImportJob.State.DONE, ImportJob.State.FAILED),
    }
    return render(request, "documents/import_job.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "phase": job.phase,
            "done": job.done,
            "total": job.total,
            "finished": job.state in (ImportJob.State.DONE, ImportJob.State.FAILED)
            or jobs.stalled(job),
        }
    )
