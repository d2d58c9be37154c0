"""The public warning pages (no login): the warnings in force, each message's page, and
an Atom feed in the form CAP feeds use (each entry links its CAP 1.2 XML).

Only real, issued messages are public: a drill's message (演练), a draft or a withdrawn
one answers 404 like an unknown one. The list and the feed show the warnings in force
(publication.current); a message's page stays reachable after it is superseded, lifted
or expired, and says so. Reads are limited per address like the other public pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe
from lxml import etree

from yingji.org.models import Unit
from yingji.warnings import cap, publication
from yingji.warnings.cap_api import allowed
from yingji.warnings.models import WarningMessage

ATOM = "http://www.w3.org/2005/Atom"
MAX_KEY = 80
FEED_MAX_AGE = 60


def _limited(request: HttpRequest) -> HttpResponse | None:
    if allowed(request):
        return None
    return render(request, "429.html", status=429)


def _private(response: HttpResponse) -> HttpResponse:
    # The pages carry the language form's CSRF token: no shared cache may keep them.
    patch_cache_control(response, private=True, max_age=FEED_MAX_AGE)
    return response


def public_message(key: str) -> WarningMessage:
    """The real, issued message a public address names: its CAP identifier (digits and
    ``_``) or its id; Http404 for anything else."""
    messages = WarningMessage.objects.select_related("unit", "event_type").filter(
        state=WarningMessage.State.ISSUED, is_drill=False
    )
    if len(key) > MAX_KEY:
        raise Http404
    if key.isdigit() and len(key) <= 18:
        found = messages.filter(pk=int(key)).first()
    else:
        found = messages.filter(identifier=key).first() if key else None
    if found is None:
        raise Http404
    return found


def state_of(message: WarningMessage, now: datetime) -> str:
    """Where the message stands, in words for the public."""
    if publication.in_force(message, now):
        return pgettext("warning", "In force")
    if message.msg_type == WarningMessage.MsgType.CANCEL:
        return pgettext("warning", "Lifted")
    chain = message.chain_id or message.pk
    latest = (
        WarningMessage.objects.filter(
            Q(chain_id=chain) | Q(pk=chain), state=WarningMessage.State.ISSUED
        )
        .order_by("-issued_at", "-pk")
        .first()
    )
    if latest is not None and latest.pk != message.pk:
        if latest.msg_type == WarningMessage.MsgType.CANCEL:
            return pgettext("warning", "Lifted")
        return pgettext("warning", "Superseded by a later message")
    return pgettext("warning", "Expired")


@require_safe
def current_list(request: HttpRequest) -> HttpResponse:
    """The warnings in force, gravest first."""
    refused = _limited(request)
    if refused:
        return refused
    now = timezone.now()
    warnings = list(publication.current(now))
    names = cap.division_names(str(c) for w in warnings for c in w.region_codes or [])
    for warning in warnings:
        warning.area_text = cap.area_description(warning, names)  # type: ignore[attr-defined]
    context = {
        "warnings": warnings,
        "now": now,
        "feed_url": reverse("warnings_public:feed"),
        "areas_url": reverse("warnings_public:areas"),
    }
    return _private(render(request, "warnings/public_list.html", context))


@require_safe
def detail(request: HttpRequest, key: str) -> HttpResponse:
    """One message's public page, with the chain's earlier messages."""
    refused = _limited(request)
    if refused:
        return refused
    message = public_message(key)
    now = timezone.now()
    context = {
        "message": message,
        "state": state_of(message, now),
        "in_force": publication.in_force(message, now),
        "earlier": [m for m in cap.earlier_messages(message) if not m.is_drill],
        "later": _later(message),
        "cap_url": cap.cap_path(message),
        "area": cap.area_description(message),
        "feed_url": reverse("warnings_public:feed"),
    }
    return _private(render(request, "warnings/public_detail.html", context))


def _later(message: WarningMessage) -> list[WarningMessage]:
    chain = message.chain_id or message.pk
    return list(
        WarningMessage.objects.filter(
            chain_id=chain,
            state=WarningMessage.State.ISSUED,
            is_drill=False,
            issued_at__gt=message.issued_at,
        ).order_by("issued_at", "pk")
    )


# --- the map's areas -----------------------------------------------------------------


def _ring(polygon: object) -> list[list[float]] | None:
    """A stored polygon ([latitude, longitude] pairs) as a GeoJSON ring (longitude
    first, closed); None when it is not one."""
    text = cap.polygon_text(polygon)
    if not text:
        return None
    pairs = [point.split(",") for point in text.split()]
    return [[float(lon), float(lat)] for lat, lon in pairs]


def areas_collection(messages: list[WarningMessage]) -> dict[str, Any]:
    """The warnings' areas as a GeoJSON FeatureCollection for the public map: the drawn
    polygon, or else the outlines of the divisions named (when the directory has them)."""
    codes = {str(c) for m in messages if not m.polygon for c in (m.region_codes or [])}
    outlines = dict(
        Unit.objects.filter(code__in=codes, outline__isnull=False).values_list("code", "outline")
    )
    features: list[dict[str, Any]] = []
    for message in messages:
        name = f"{message.get_level_display()} {message.headline}"
        properties = {"name": name, "level": message.level, "id": message.pk}
        ring = _ring(message.polygon)
        geometries: list[Any] = (
            [{"type": "Polygon", "coordinates": [ring]}]
            if ring
            else [outlines[str(c)] for c in message.region_codes or [] if str(c) in outlines]
        )
        features.extend(
            {"type": "Feature", "geometry": g, "properties": properties} for g in geometries
        )
    return {"type": "FeatureCollection", "features": features}


@require_safe
def areas(request: HttpRequest) -> HttpResponse:
    """The areas of the warnings in force, as GeoJSON (the public page's map)."""
    if not allowed(request):
        return HttpResponse(status=429)
    collection = areas_collection(list(publication.current()))
    response = JsonResponse(collection, content_type="application/geo+json")
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    return response


# --- the Atom feed --------------------------------------------------------------------


def _el(parent: etree._Element, ns: str, name: str, text: str = "", **attrs: str) -> None:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attrs)
    if text:
        element.text = text


def feed_xml(messages: list[WarningMessage], now: datetime) -> bytes:
    """An Atom feed of the messages, one entry each, as CAP feeds have it: the entry's id
    is the CAP XML's address, its alternate link the CAP XML (application/cap+xml), and
    the main CAP fields repeated as cap: elements for readers that do not follow links."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "cap": cap.NS})
    self_url = f"{settings.SITE_URL}{reverse('warnings_public:feed')}"
    _el(feed, ATOM, "id", self_url)
    _el(feed, ATOM, "title", _("Warnings in force"))
    newest = max((m.issued_at for m in messages if m.issued_at), default=now)
    _el(feed, ATOM, "updated", cap.cap_time(newest))
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    _el(author, ATOM, "name", _("yingji"))
    _el(feed, ATOM, "link", rel="self", type="application/atom+xml", href=self_url)
    page = f"{settings.SITE_URL}{reverse('warnings_public:list')}"
    _el(feed, ATOM, "link", rel="alternate", type="text/html", href=page)
    names = cap.division_names(str(c) for m in messages for c in m.region_codes or [])
    for message in messages:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        xml_url = cap.cap_url(message)
        _el(entry, ATOM, "id", xml_url)
        _el(entry, ATOM, "title", message.headline)
        sent = cap.cap_time(message.issued_at or now)
        _el(entry, ATOM, "updated", sent)
        _el(entry, ATOM, "published", sent)
        who = etree.SubElement(entry, f"{{{ATOM}}}author")
        _el(who, ATOM, "name", message.unit.signing_name)
        _el(entry, ATOM, "summary", message.description)
        _el(entry, ATOM, "link", rel="alternate", type=cap.MIME, href=xml_url)
        _el(entry, ATOM, "link", rel="related", type="text/html", href=cap.public_url(message))
        severity, urgency, certainty = cap.SEVERITY[message.level]
        for name, value in (
            ("identifier", message.identifier),
            ("sender", cap.sender()),
            ("sent", sent),
            ("status", "Actual"),
            ("msgType", message.msg_type),
            ("event", message.event_type.name),
            ("urgency", urgency),
            ("severity", severity),
            ("certainty", certainty),
            ("effective", cap.cap_time(message.effective_at)),
            ("expires", cap.cap_time(message.expires_at)),
            ("areaDesc", cap.area_description(message, names)),
        ):
            _el(entry, cap.NS, name, value)
        polygon = cap.polygon_text(message.polygon)
        if polygon:
            _el(entry, cap.NS, "polygon", polygon)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    """The warnings in force as an Atom feed (/public/warnings/feed.atom)."""
    if not allowed(request):
        return HttpResponse(status=429)
    now = timezone.now()
    body = feed_xml(list(publication.current(now)), now)
    response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    return response
