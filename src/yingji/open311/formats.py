"""GeoReport v2's two formats: the same data as JSON or as XML, errors in the
specification's shape, and a request body read from a form, JSON or XML."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# A request body is a few fields: more than this is no request.
MAX_BODY_BYTES = 64 * 1024
REPLACED = "\ufffd"


class BadBody(ValueError):
    """The body is neither a form, a JSON object nor the XML of one request."""


def moment(value: datetime | None) -> str | None:
    """The specification's w3 form, with the offset of the configured zone (None, JSON's
    null and an empty XML element, when there is none)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(name: str, value: Any, item_names: Mapping[str, str]) -> ElementTree.Element:
    node = ElementTree.Element(name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            node.append(_element(key, inner, item_names))
    elif isinstance(value, list):
        child = item_names.get(name, name.rstrip("s"))
        for inner in value:
            node.append(_element(child, inner, item_names))
    else:
        node.text = _text(value)
    return node


def render(
    data: Any,
    fmt: str,
    *,
    root: str,
    item: str = "",
    status: int = 200,
    item_names: Mapping[str, str] | None = None,
) -> HttpResponse:
    """``data`` (a list of rows, or one object) as JSON, or as XML under ``root`` with each
    row an ``item`` element (lists inside rows named by ``item_names``, e.g. values →
    value)."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        names = dict(item_names or {})
        if item:
            names[root] = item
        tree = _element(root, data, names)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
            tree, encoding="unicode"
        )
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, messages: list[str]) -> HttpResponse:
    """The specification's error list: each error its code (the HTTP status) and a
    description."""
    rows = [{"code": status, "description": message} for message in messages]
    return render(rows, fmt, root="errors", item="error", status=status)


def read_body(
    content_type: str, body: bytes, form: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """The request's parameters, each a list of values: from the form (the
    specification's way), from a JSON object or from the XML of one request, whose child
    elements are the parameters (``<attribute code="…">value</attribute>`` for attributes).
    """
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("", "application/x-www-form-urlencoded", "multipart/form-data"):
        params = {key: list(values) for key, values in form.items()}
        # Django decodes a form as UTF-8 and puts U+FFFD where it cannot: GBK sent as is
        # would be stored garbled.
        if any(
            REPLACED in key or any(REPLACED in v for v in values) for key, values in params.items()
        ):
            raise BadBody(_("The request is not UTF-8 text: send every parameter in UTF-8."))
        return params
    if len(body) > MAX_BODY_BYTES:
        raise BadBody(
            _("The request body is larger than %(n)d KB.") % {"n": MAX_BODY_BYTES // 1024}
        )
    if kind == "application/json":
        return _from_json(body)
    if kind in ("application/xml", "text/xml"):
        return _from_xml(body)
    raise BadBody(_("Send the request as a form, JSON or XML."))


def _from_json(body: bytes) -> dict[str, list[str]]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise BadBody(_("The request body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise BadBody(_("Send a JSON object."))
    out: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "attributes" and isinstance(value, dict):
            for code, inner in value.items():
                values = inner if isinstance(inner, list) else [inner]
                out[f"attribute[{code}]"] = [_text(v) for v in values if not isinstance(v, dict)]
        elif isinstance(value, list):
            out[str(key)] = [_text(v) for v in value if not isinstance(v, (dict, list))]
        elif not isinstance(value, dict):
            out[str(key)] = [_text(value)]
    return out


def _from_xml(body: bytes) -> dict[str, list[str]]:
    # No document type, so no entities to expand: the usual XML attacks need one.
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise BadBody(_("The XML may not declare a document type or entities."))
    try:
        # Safe here: no DTD reaches the parser (refused above), and expat itself limits
        # entity expansion since 2.4.1.
        root = ElementTree.fromstring(body)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise BadBody(_("The request body is not well-formed XML.")) from exc
    out: dict[str, list[str]] = {}
    for child in root:
        if len(child):
            if child.tag == "attributes":
                for attribute in child:
                    code = attribute.get("code", "")
                    if code:
                        out.setdefault(f"attribute[{code}]", []).append(attribute.text or "")
            continue
        name = child.tag
        if name == "attribute" and child.get("code"):
            name = f"attribute[{child.get('code')}]"
        out.setdefault(name, []).append(child.text or "")
    return out
