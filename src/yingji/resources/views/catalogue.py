"""The catalogue of supplies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yingji.audit.services import Actor
from yingji.forms import apply_errors
from yingji.resources import catalogue
from yingji.resources.forms import ItemForm


@login_required
def items(request: HttpRequest) -> HttpResponse:
    """The catalogue; storekeepers add to it (plans ask for supplies by these names)."""
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.add_item(form.cleaned_data, actor=Actor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The item is added to the catalogue."))
            return redirect("resources:items")
    from yingji.resources.models import Item

    context = {
        "items": Item.objects.filter(is_active=True).select_related("category"),
        "form": form,
        "may_keep": request.user.has_perm("resources.keep_catalogue"),
    }
    return render(request, "resources/items.html", context, status=400 if form.errors else 200)
