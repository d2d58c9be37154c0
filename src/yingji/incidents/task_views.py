"""The field's pages: my tasks, a task with its role card, moving it and its photos."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.audit.services import Actor
from yingji.clock import due
from yingji.forms import apply_errors
from yingji.incidents import panels, services
from yingji.incidents.forms import (
    NoteForm,
)
from yingji.incidents.models import Task
from yingji.incidents.views import (
    _errors_to_messages,
)

# --- tasks --------------------------------------------------------------------------------


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state == "open":
        tasks = panels.open_tasks(request.user)  # type: ignore[arg-type]
    else:
        state = ""
        tasks = services.tasks_for(request.user)  # type: ignore[arg-type]
    rows = list(tasks)
    due.attach(rows, anchor="")
    return render(request, "incidents/my_tasks.html", {"tasks": rows, "state": state})


def _task(request: HttpRequest, pk: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("incident", "group"), pk=pk)
    visible = services.visible_to(request.user).filter(pk=task.incident_id).exists()  # type: ignore[arg-type]
    if not visible:
        raise Http404
    return task


def _role_card(task: Task, user: Any) -> dict[str, Any] | None:
    """The member's role card from the plan: their post and their group's duties."""
    group = task.group
    if group is None or group.plan_group is None:
        return None
    person = user.person if user.person_id else None
    posts = group.plan_group.posts.all()
    post = None
    if person is not None:
        post = posts.filter(person=person).first() or (
            posts.filter(position=person.position).first() if person.position else None
        )
    return {"group": group, "post": post, "duties": group.duties}


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = NoteForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("photo")
        photo = (upload.name, upload.read()) if upload else None
        written = form.cleaned_data.get("written_at") or None
        try:
            from datetime import datetime

            services.add_note(
                task,
                form.cleaned_data["text"],
                written_at=datetime.fromisoformat(written) if written else None,
                client_key=form.cleaned_data.get("client_key", ""),
                photo=photo,
                actor=Actor.from_request(request),
            )
        except ValueError:
            form.add_error(None, _("Enter a date and time."))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            if request.headers.get("Accept") == "application/json":
                return HttpResponse('{"ok": true}', content_type="application/json")
            messages.success(request, _("Progress recorded."))
            return redirect("incidents:task", task.pk)
    context = {
        "task": task,
        "notes": task.notes.select_related("author", "photo"),
        "form": form,
        "may_work": services.may_work_on(request.user, task),  # type: ignore[arg-type]
        "card": _role_card(task, request.user),
    }
    status = 400 if form.errors else 200
    return render(request, "incidents/task.html", context, status=status)


@login_required
@require_POST
def move_task(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    task = _task(request, pk)
    try:
        services.move_task(
            task, action, reason=request.POST.get("reason", ""), actor=Actor.from_request(request)
        )
    except ValidationError as error:
        _errors_to_messages(request, error)
    return redirect(request.POST.get("next") or f"/incidents/tasks/{task.pk}/")


@login_required
def task_photo(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    from yingji.documents import services as documents

    task = _task(request, pk)
    note = get_object_or_404(task.notes.filter(photo__isnull=False), pk=note_pk)
    assert note.photo is not None
    content = documents.read(note.photo, actor=Actor.from_request(request))
    kind = "image/png" if content[:4] == b"\x89PNG" else "image/jpeg"
    return HttpResponse(content, content_type=kind)
