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
from yingji.resources.models import Item
from yingji.resources.views.common import active_unless_asked, retired_asked


@login_required
def items(request: HttpRequest) -> HttpResponse:
    """The catalogue; storekeepers add to it (plans ask for supplies by these names), and
    those who keep it for the whole city change and retire its items."""
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.add_item(form.cleaned_data, actor=Actor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error.message_dict)
        else:
            messages.success(request, _("The item is added to the catalogue."))
            return redirect("resources:items")
    context = {
        "items": active_unless_asked(request, Item.objects.select_related("category")),
        "retired": retired_asked(request),
        "form": form,
        "may_keep": request.user.has_perm("resources.keep_catalogue"),
        "may_edit": request.user.has_perm("resources.edit_catalogue"),
    }
    return render(request, "resources/items.html", context, status=400 if form.errors else 200)
