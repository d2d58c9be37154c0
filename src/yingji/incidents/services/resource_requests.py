"""Resource requests from the board, until the resources app takes them over: the commander
decides them, and the resources app reports back here when it issues stock, so the
board's timeline says where the stock came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import Actor
from yingji.incidents.models import Incident, ResourceRequest
from yingji.incidents.services._common import Errors, _decimal, _text
from yingji.incidents.services.reading import _may
from yingji.timeline import services as timeline


@transaction.atomic
def request_resources(
    incident: Incident, data: Mapping[str, Any], *, actor: Actor
) -> ResourceRequest:
    errors: Errors = {}
    what = _text(data, "what")
    if not what:
        errors["what"] = [_("This field is required.")]
    quantity = _decimal(data, "quantity", errors, 0, 10**9)
    if quantity is None and "quantity" not in errors:
        errors["quantity"] = [_("This field is required.")]
    elif quantity is not None and quantity <= 0:
        errors["quantity"] = [_("Enter a quantity above zero.")]
    if not incident.is_open:
        errors["stage"] = [_("The response has ended.")]
    if errors:
        raise ValidationError(errors)
    assert quantity is not None
    item = ResourceRequest.objects.create(
        incident=incident,
        what=what[:120],
        quantity=quantity,
        measure=_text(data, "measure")[:20],
        note=_text(data, "note")[:300],
        requested_by=actor.user,
    )
    timeline.record(
        incident,
        "request.created",
        _("Requested: %(what)s × %(quantity)s %(measure)s")
        % {
            "what": item.what,
            "quantity": format(item.quantity.normalize(), "f"),
            "measure": item.measure,
        },
        actor=actor,
        data={"request": item.pk},
        is_drill=incident.is_drill,
    )
    return item


@transaction.atomic
def decide_request(item: ResourceRequest, state: str, *, actor: Actor) -> ResourceRequest:
    current = (
        ResourceRequest.objects.select_for_update(of=("self",))
        .select_related("incident__unit")
        .get(pk=item.pk)
    )
    _may(
        actor,
        "incidents.command_incident",
        _("Only a leader on duty decides requests."),
        incident=current.incident,
    )
    allowed = {
        ResourceRequest.State.REQUESTED: (
            ResourceRequest.State.APPROVED,
            ResourceRequest.State.REFUSED,
        ),
        ResourceRequest.State.APPROVED: (ResourceRequest.State.DELIVERED,),
    }
    if state not in allowed.get(ResourceRequest.State(current.state), ()):
        raise ValidationError({"state": [_("This request cannot be moved this way.")]})
    current.state = state
    current.decided_by = actor.user
    current.decided_at = timezone.now()
    current.save()
    timeline.record(
        current.incident,
        "request.decided",
        f"{current.what}：{current.get_state_display()}",
        actor=actor,
        data={"request": current.pk, "state": state},
        is_drill=current.incident.is_drill,
    )
    return current


def resources_issued(item: ResourceRequest, *, lot: Any, quantity: Decimal, actor: Actor) -> None:
    """The resources app issued stock for a request (or, in a drill, would have): the
    request is delivered and the board's timeline says from where."""
    incident = item.incident
    item.state = ResourceRequest.State.DELIVERED
    item.save(update_fields=["state"])
    text = _("%(what)s × %(quantity)s %(measure)s issued from %(warehouse)s") % {
        "what": lot.item.name,
        "quantity": format(quantity.normalize(), "f"),
        "measure": lot.item.measure,
        "warehouse": lot.warehouse.name,
    }
    if incident.is_drill:
        text = _("Drill: %(text)s (no real stock moved)") % {"text": text}
    timeline.record(
        incident,
        "request.decided",
        text,
        actor=actor,
        data={"request": item.pk, "state": item.state, "lot": lot.pk},
        is_drill=incident.is_drill,
    )
