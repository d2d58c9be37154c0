"""My notifications, acknowledging them, and my channel settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji import paging
from yingji.audit.services import Actor
from yingji.notify import services
from yingji.notify.models import Notification, Preference


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    number = paging.page_number(request.GET.get("page"))
    mine = Notification.objects.filter(recipient=request.user).order_by(  # type: ignore[misc]
        "-created_at", "-pk"
    )
    found = paging.from_queryset(mine, (number - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE)
    page = paging.as_page(found, number, paging.PAGE_SIZE)
    # Opening the list reads what it shows; urgent ones still wait for acknowledgement.
    Notification.objects.filter(
        pk__in=[n.pk for n in page.items], read_at__isnull=True, urgent=False
    ).update(read_at=timezone.now())
    return render(request, "notify/notification_list.html", {"page": page})


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.acknowledge(note, actor=Actor.from_request(request))
    messages.success(request, _("Acknowledged."))
    return redirect("notify:list")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "sms", "quiet_from", "quiet_until"]
        widgets = {
            "quiet_from": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
            "quiet_until": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        }
        help_texts = {
            "quiet_from": gettext_lazy(
                "During quiet hours ordinary e-mail and SMS wait; urgent notifications do not."
            )
        }

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("quiet_from") is None) != (data.get("quiet_until") is None):
            raise ValidationError(
                {"quiet_until": _("Give both ends of the quiet hours, or neither.")}
            )
        return data


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference, _created = Preference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notify:preferences")
    status = 400 if form.errors else 200
    return render(request, "notify/preferences.html", {"form": form}, status=status)
