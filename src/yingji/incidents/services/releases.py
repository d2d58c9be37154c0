"""Public information (信息发布): approved text on the incident's public page. History is
never edited, so a correction is a new release that names the one it corrects.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.audit.services import Actor
from yingji.incidents.models import Incident, Release
from yingji.incidents.services._common import Errors
from yingji.incidents.services.reading import _may
from yingji.timeline import services as timeline


@transaction.atomic
def release(
    incident: Incident, text: str, *, actor: Actor, corrects: Release | None = None
) -> Release:
    """Publish approved information on the incident's public page. History is never edited:
    a correction is a new release that names the one it corrects."""
    _may(
        actor,
        "incidents.release_information",
        _("Only a leader on duty may approve public information."),
        incident=incident,
    )
    errors: Errors = {}
    if not text.strip():
        errors["text"] = [_("Write the text to release.")]
    if corrects is not None and corrects.incident_id != incident.pk:
        errors["corrects"] = [_("Choose a release of this incident.")]
    if errors:
        raise ValidationError(errors)
    assert actor.user is not None
    item = Release.objects.create(
        incident=incident,
        text=text.strip(),
        released_at=timezone.now(),
        approved_by=actor.user,
        corrects=corrects,
    )
    audit.record(actor=actor, action="incidents.release", obj=item, after={"text": item.text})
    timeline.record(
        incident,
        "release.published",
        (_("Correction released: %(text)s") if corrects else _("Released: %(text)s"))
        % {"text": item.text[:200]},
        actor=actor,
        data={"release": item.pk, "corrects": corrects.pk if corrects else None},
        is_drill=incident.is_drill,
    )
    return item
