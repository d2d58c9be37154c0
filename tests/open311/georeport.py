"""A small Open311 GeoReport v2 client, written from the published specification alone.

It knows nothing of the server it talks to: what it checks is what the specification at
http://wiki.open311.org/GeoReport_v2 and http://wiki.open311.org/Service_Discovery asks of
every server, and a server that breaks it raises :class:`SpecViolation` naming the breach.
Only the standard library is used, so a third party could have written it.

Both formats are read into the same plain structures: lists of dicts with the
specification's field names, where

* identifiers (``service_code``, ``service_request_id``, ``token``, a value's ``key`` …) are
  strings, as XML has them (the specification's JSON examples write them as numbers);
* ``metadata``, ``variable`` and ``required`` are booleans, ``order`` a positive int,
  ``lat`` and ``long`` floats;
* the ``*_datetime`` fields are aware datetimes: the specification requires the zone, so a
  time without one is refused;
* an empty XML element and a JSON ``null`` are ``None``, and the fields a record may
  leave out are there with ``None``. A JSON ``""`` reads as ``None`` for text, but is
  refused for a boolean, a coordinate, an order or a date/time: the specification's JSON
  is the Spark convention's mapping of its XML, in which an empty element is ``null``.

So the same calls made in XML and in JSON give equal results.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SPEC = "http://wiki.open311.org/GeoReport_v2"
DISCOVERY_SPEC = "http://wiki.open311.org/Service_Discovery"

SERVICE_TYPES = ("realtime", "batch", "blackbox")
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
STATUSES = ("open", "closed")

# The optional arguments of POST Service Request, besides jurisdiction_id, service_code and
# the attributes.
REQUEST_FIELDS = (
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)

# Every field of a service request record (GET Service Requests, GET Service Request).
RECORD_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
# Of those, what a record cannot do without. The specification marks status_notes,
# agency_responsible, service_notice and expected_datetime "May not be returned"; the
# location fields depend on how the request was filed (lat/long, address_string or
# address_id), and description and media_url on what the requester sent.
RECORD_REQUIRED = (
    "service_request_id",
    "status",
    "service_name",
    "service_code",
    "requested_datetime",
    "updated_datetime",
)

# XML containers whose children are list items, and the item's element name.
XML_LISTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

ID_FIELDS = frozenset(
    {
        "service_code",
        "service_request_id",
        "token",
        "account_id",
        "address_id",
        "zipcode",
        "code",
        "key",
    }
)
BOOL_FIELDS = frozenset({"metadata", "variable", "required"})
FLOAT_FIELDS = frozenset({"lat", "long"})
DATETIME_FIELDS = frozenset({"requested_datetime", "updated_datetime", "expected_datetime"})

# The W3C note's profile of ISO 8601 at the precision of a timestamp, zone required.
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
XML_DECLARATION = re.compile(
    rb"""^<\?xml\s+version\s*=\s*["']1\.\d["']\s+encoding\s*=\s*["']utf-8["']""",
    re.IGNORECASE,
)


class SpecViolation(AssertionError):
    """The server answered something the GeoReport v2 specification does not allow."""


class Open311Error(Exception):
    """The server refused the call in the specification's error format."""

    def __init__(self, status: int, errors: list[tuple[int | str, str]]) -> None:
        self.status = status
        self.errors = errors
        super().__init__(f"HTTP {status}: {errors!r}")


@dataclass
class Exchange:
    """One call as it went over the wire, kept for tests that look at the raw bodies."""

    method: str
    url: str
    sent: bytes
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """The body as a reader sees it: escapes (JSON ``\\u5f20``, XML ``&#24352;``)
        resolved, so a search for a string finds it however the server wrote it."""
        raw = self.body.decode("utf-8", "replace")
        try:
            if "json" in self.content_type:
                return raw + "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
            if "xml" in self.content_type:
                return raw + "\n" + "\n".join(_xml(self.body).itertext())
        except (ValueError, ET.ParseError, SpecViolation):
            pass
        return raw


def parse_datetime(value: Any, name: str) -> datetime:
    """A w3 datetime with its zone, as the specification requires of every date/time."""
    if not isinstance(value, str) or not W3C_DATETIME.match(value):
        raise SpecViolation(
            f"{name} {value!r} is not a w3 datetime with a zone (Z or ±hh:mm), "
            "as the specification requires of every date/time field"
        )
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:  # pragma: no cover - the pattern requires the zone
        raise SpecViolation(f"{name} {value!r} has no zone")
    return parsed


def format_datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("GeoReport v2 date/times must carry their zone")
    return value.isoformat(timespec="seconds")


def _xml(body: bytes) -> ET.Element:
    """Parse a server's XML. The specification's XML is schemaless, so a document type
    declaration has no business there; refusing it also refuses entity expansion, the
    one attack on the standard library's parser."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise SpecViolation("the XML carries a document type declaration")
    return ET.fromstring(body)  # noqa: S314 - no DTD, so no entities to expand


def _element(node: ET.Element) -> Any:
    """An XML element as plain data: containers the specification lists become lists,
    elements with children dicts, leaves their text (``None`` when empty)."""
    tag = _tag(node)
    children = list(node)
    if tag in XML_LISTS:
        item = XML_LISTS[tag]
        for child in children:
            if _tag(child) != item:
                raise SpecViolation(f"<{tag}> holds <{_tag(child)}>; only <{item}> belongs there")
        if tag == "formats":
            return [_leaf(child) for child in children]
        return [_element(child) for child in children]
    if children:
        data: dict[str, Any] = {}
        for child in children:
            name = _tag(child)
            if name in data:
                raise SpecViolation(f"<{tag}> has <{name}> more than once")
            data[name] = _element(child)
        return data
    return _leaf(node)


def _leaf(node: ET.Element) -> str | None:
    if list(node):
        raise SpecViolation(f"<{_tag(node)}> should hold text, not elements")
    return node.text if node.text else None


def _tag(node: ET.Element) -> str:
    tag = node.tag
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        # "It is also assumed that the default namespace is not specified, but if it must
        # be specified, the XMLNS URI is the URL of the specification."
        if namespace.rstrip("/") != SPEC:
            raise SpecViolation(f"foreign XML namespace {namespace!r} on <{local}>")
        return local
    return tag


def _normal(value: Any, name: str = "", *, json_typed: bool = False) -> Any:
    """One value as both formats give it: see the module's docstring. ``json_typed``: the
    value comes from JSON, where a boolean, a number or a date/time is itself or null.
    The specification's JSON is the Spark convention's mapping of its XML, which makes an
    empty element null; ``""`` is no coordinate, order or date."""
    if isinstance(value, list):
        return [_normal(item, name, json_typed=json_typed) for item in value]
    if isinstance(value, dict):
        return {key: _normal(item, key, json_typed=json_typed) for key, item in value.items()}
    typed = BOOL_FIELDS | FLOAT_FIELDS | DATETIME_FIELDS | {"order"}
    if json_typed and value == "" and name in typed:
        raise SpecViolation(
            f'{name} is "" in JSON: an empty value is null (the Spark convention maps an '
            "empty XML element to null), and a string is not a "
            + ("coordinate" if name in FLOAT_FIELDS else "value of this type")
        )
    if json_typed and name in FLOAT_FIELDS and isinstance(value, str):
        raise SpecViolation(f"{name} {value!r} is a string in JSON, not a number")
    if value is None or value == "":
        return None
    if name in BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise SpecViolation(f"{name} is {value!r}; the specification allows true or false")
    if name == "order":
        try:
            order = int(value)
        except (TypeError, ValueError):
            raise SpecViolation(f"order {value!r} is not a positive integer") from None
        if isinstance(value, bool) or order < 1 or str(order) != str(value).strip():
            raise SpecViolation(f"order {value!r} is not a positive integer")
        return order
    if name in FLOAT_FIELDS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise SpecViolation(f"{name} {value!r} is not a WGS84 coordinate") from None
    if name in DATETIME_FIELDS:
        return parse_datetime(value, name)
    if name in ID_FIELDS and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _require(record: dict[str, Any], names: tuple[str, ...], what: str) -> None:
    for name in names:
        if record.get(name) is None:
            raise SpecViolation(f"{what} has no {name}, which the specification requires")


def _error_code(value: Any) -> int | str:
    if isinstance(value, bool) or value is None:
        raise SpecViolation(f"error code {value!r} is not a code")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else text


class Client:
    """A GeoReport v2 client for one endpoint, e.g. ``https://api.city.gov/dev/v2/``."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        fmt: str = "json",
        *,
        discovery_url: str | None = None,
        timeout: float = 20,
    ) -> None:
        if fmt not in ("json", "xml"):
            raise ValueError("fmt is json or xml")
        for url in (base_url, discovery_url or base_url):
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise ValueError("a GeoReport v2 endpoint is an http or https URL")
        self.base = base_url.rstrip("/") + "/"
        self.api_key = api_key
        self.fmt = fmt
        self.timeout = timeout
        # The specification lets a provider put discovery anywhere (it "supersedes the
        # base URL"); by default it is looked for at the root the versioned endpoint
        # hangs from: https://api.city.gov/dev/discovery.xml for …/dev/v2/.
        self.discovery_url = discovery_url or re.sub(r"v2/$", "", self.base) + "discovery"
        self.transcript: list[Exchange] = []

    # --- the specification's methods ---------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        """The Service Discovery document: all its fields are required."""
        # Discovery may live on another host: the key is not sent there.
        data = self._call(
            "GET", f"{self.discovery_url}.{self.fmt}", root="discovery", with_key=False
        )
        if not isinstance(data, dict):
            raise SpecViolation("the discovery document is not an object")
        for name in ("changeset", "contact", "key_service", "endpoints"):
            if data.get(name) is None:
                raise SpecViolation(f"discovery has no {name}; all its fields are required")
        endpoints = data["endpoints"]
        if not isinstance(endpoints, list) or not endpoints:
            raise SpecViolation("discovery endpoints is not a list of endpoints")
        for endpoint in endpoints:
            if not isinstance(endpoint, dict):
                raise SpecViolation("a discovery endpoint is not an object")
            for name in ("specification", "url", "changeset", "type", "formats"):
                if endpoint.get(name) is None:
                    raise SpecViolation(f"discovery endpoint has no {name}")
            if endpoint["type"] not in ("production", "test"):
                raise SpecViolation(f"endpoint type {endpoint['type']!r}: production or test")
            formats = endpoint["formats"]
            if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
                raise SpecViolation("endpoint formats is not a list of MIME types")
            if not formats or not all("/" in f for f in formats):
                raise SpecViolation(f"endpoint formats {formats!r} are not MIME types")
            # "XML is a required format, but JSON can be provided at the discretion of
            # the API provider."
            is_v2 = endpoint["specification"].rstrip("/") == SPEC
            if is_v2 and not any(f.split(";")[0].strip().endswith("/xml") for f in formats):
                raise SpecViolation(f"a GeoReport v2 endpoint without XML: {formats!r}")
        return data

    def services(self, jurisdiction_id: str | None = None) -> list[dict[str, Any]]:
        data = self._call(
            "GET", self._url("services"), {"jurisdiction_id": jurisdiction_id}, root="services"
        )
        services = self._list(data, "services")
        for service in services:
            for name in ("description", "keywords", "group"):
                service.setdefault(name, None)
            _require(service, ("service_code", "service_name", "metadata", "type"), "a service")
            if service["type"] not in SERVICE_TYPES:
                raise SpecViolation(
                    f"service type {service['type']!r} is not one of {SERVICE_TYPES}"
                )
        codes = [service["service_code"] for service in services]
        if len(set(codes)) != len(codes):
            raise SpecViolation("a service_code appears twice in the service list")
        return services

    def definition(self, service_code: str, jurisdiction_id: str | None = None) -> dict[str, Any]:
        data = self._call(
            "GET",
            self._url(f"services/{urllib.parse.quote(service_code, safe='')}"),
            {"jurisdiction_id": jurisdiction_id},
            root="service_definition",
        )
        if not isinstance(data, dict):
            raise SpecViolation("the service definition is not an object")
        if data.get("service_code") != service_code:
            raise SpecViolation(
                f"definition of {service_code!r} names service_code {data.get('service_code')!r}"
            )
        attributes = data.get("attributes") or []
        if not isinstance(attributes, list):
            raise SpecViolation("attributes is not a list")
        data["attributes"] = attributes
        orders = []
        for attribute in attributes:
            if not isinstance(attribute, dict):
                raise SpecViolation("an attribute is not an object")
            attribute.setdefault("datatype_description", None)
            attribute["values"] = attribute.get("values") or []
            _require(
                attribute,
                ("variable", "code", "datatype", "required", "order", "description"),
                f"attribute {attribute.get('code')!r}",
            )
            if attribute["datatype"] not in DATATYPES:
                raise SpecViolation(f"datatype {attribute['datatype']!r} is not one of {DATATYPES}")
            if attribute["datatype"] in LIST_DATATYPES and not attribute["values"]:
                raise SpecViolation(f"{attribute['datatype']} {attribute['code']!r} has no values")
            for value in attribute["values"]:
                if not isinstance(value, dict):
                    raise SpecViolation(f"a value of {attribute['code']!r} is not key and name")
                _require(value, ("key", "name"), f"a value of {attribute['code']!r}")
            orders.append(attribute["order"])
        codes = [attribute["code"] for attribute in attributes]
        if len(set(codes)) != len(codes):
            raise SpecViolation("an attribute code appears twice in one definition")
        if len(set(orders)) != len(orders):
            raise SpecViolation(
                "an attribute order is used twice; the specification asks for a positive "
                "integer not used for other attributes in the same service_code"
            )
        return data

    def create(
        self,
        service_code: str,
        *,
        jurisdiction_id: str | None = None,
        attributes: dict[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """POST Service Request, form-encoded; ``attributes`` maps a code to a value or,
        for a multivaluelist, a list of values (sent as ``attribute[code][]``)."""
        unknown = set(fields) - set(REQUEST_FIELDS)
        if unknown:
            raise TypeError(f"not a GeoReport v2 request field: {sorted(unknown)}")
        form: list[tuple[str, str]] = []
        if self.api_key is not None:
            form.append(("api_key", self.api_key))
        if jurisdiction_id is not None:
            form.append(("jurisdiction_id", jurisdiction_id))
        form.append(("service_code", service_code))
        for name in REQUEST_FIELDS:
            if fields.get(name) is not None:
                form.append((name, _form_value(fields[name])))
        for code, value in (attributes or {}).items():
            if isinstance(value, list | tuple):
                form.extend((f"attribute[{code}][]", _form_value(item)) for item in value)
            else:
                form.append((f"attribute[{code}]", _form_value(value)))
        body = urllib.parse.urlencode(form, safe="[]").encode("utf-8")
        data = self._call(
            "POST",
            self._url("requests"),
            body=body,
            content_type="application/x-www-form-urlencoded; charset=utf-8",
            root="service_requests",
        )
        (record,) = self._records(data, "POST Service Request", exactly_one=True)
        for name in ("service_request_id", "token", "service_notice", "account_id"):
            record.setdefault(name, None)
        has_id = record["service_request_id"] is not None
        if has_id == (record["token"] is not None):
            raise SpecViolation(
                "POST Service Request must answer a service_request_id or a token, not both "
                "nor neither"
            )
        return record

    def token(self, token: str, jurisdiction_id: str | None = None) -> dict[str, Any]:
        data = self._call(
            "GET",
            self._url(f"tokens/{urllib.parse.quote(token, safe='')}"),
            {"jurisdiction_id": jurisdiction_id},
            root="service_requests",
        )
        (record,) = self._records(data, "GET service_request_id from a token", exactly_one=True)
        record.setdefault("service_request_id", None)
        _require(record, ("token",), "the token's answer")
        if record["token"] != token:
            raise SpecViolation(f"asked for token {token!r}, got {record['token']!r}")
        return record

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """GET Service Requests. Filters: jurisdiction_id, service_request_id, service_code
        and status (a string or a list, sent comma-delimited), start_date and end_date (an
        aware datetime, or a string sent as it is)."""
        allowed = {
            "jurisdiction_id",
            "service_request_id",
            "service_code",
            "start_date",
            "end_date",
            "status",
        }
        unknown = set(filters) - allowed
        if unknown:
            raise TypeError(f"not a GeoReport v2 filter: {sorted(unknown)}")
        params: dict[str, str | None] = {}
        for name, value in filters.items():
            if isinstance(value, list | tuple):
                params[name] = ",".join(str(item) for item in value)
            elif isinstance(value, datetime):
                params[name] = format_datetime(value)
            else:
                params[name] = value
        data = self._call("GET", self._url("requests"), params, root="service_requests")
        records = self._records(data, "GET Service Requests")
        for record in records:
            self._check_record(record)
        return records

    def request(
        self, service_request_id: str, jurisdiction_id: str | None = None
    ) -> dict[str, Any]:
        data = self._call(
            "GET",
            self._url(f"requests/{urllib.parse.quote(service_request_id, safe='')}"),
            {"jurisdiction_id": jurisdiction_id},
            root="service_requests",
        )
        (record,) = self._records(data, "GET Service Request", exactly_one=True)
        self._check_record(record)
        if record["service_request_id"] != service_request_id:
            raise SpecViolation(
                f"asked for {service_request_id!r}, got {record['service_request_id']!r}"
            )
        return record

    # --- the wire ----------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | None] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        root: str | None = None,
    ) -> Any:
        """Any call on the endpoint (``path`` without the format), read as the others are:
        for what the named methods cannot send, such as a body in the wrong format."""
        return self._call(
            method, self._url(path), params, body=body, content_type=content_type, root=root
        )

    def _url(self, path: str) -> str:
        return f"{self.base}{path}.{self.fmt}"

    def _call(
        self,
        method: str,
        url: str,
        params: dict[str, str | None] | None = None,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        root: str | None = None,
        with_key: bool = True,
    ) -> Any:
        query = {key: value for key, value in (params or {}).items() if value is not None}
        if method == "GET" and with_key and self.api_key is not None:
            query.setdefault("api_key", self.api_key)
        if query:
            url = f"{url}?{urllib.parse.urlencode(query)}"
        headers = {"Accept": _mime(self.fmt)}
        if content_type:
            headers["Content-Type"] = content_type
        # The scheme is http or https: the base URL's, checked when the client is made.
        request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
                received = response.read()
                answer_headers = dict(response.headers.items())
        except urllib.error.HTTPError as error:
            status = error.code
            received = error.read()
            answer_headers = dict(error.headers.items())
        content = next(
            (value for key, value in answer_headers.items() if key.lower() == "content-type"), ""
        )
        self.transcript.append(
            Exchange(method, url, body or b"", status, content, received, answer_headers)
        )
        where = f"{method} {url} answered {status}"
        if status >= 400:
            raise Open311Error(status, self._errors(content, received, where))
        self._check_encoding(content, received, where)
        if not 200 <= status < 300:
            raise SpecViolation(f"{where}, which is neither a result nor an error")
        return self._parse(received, root, where)

    def _check_encoding(self, content_type: str, body: bytes, where: str) -> None:
        """The content type of the format asked for, and UTF-8 declared and used: "All
        text returned by the service … MUST be encoded as UTF-8. Appropriate HTTP headers
        must be set, and the root element must be preceded with the XML declaration
        including the encoding="UTF-8" attribute." """
        mime, _, parameters = content_type.partition(";")
        mime = mime.strip().lower()
        charset = ""
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()
        if self.fmt == "json":
            if mime != "application/json":
                raise SpecViolation(f"{where} with Content-Type {content_type!r}, not JSON")
            if charset and charset != "utf-8":
                raise SpecViolation(f"{where} with charset {charset!r}, not UTF-8")
        else:
            if mime not in ("text/xml", "application/xml"):
                raise SpecViolation(f"{where} with Content-Type {content_type!r}, not text/xml")
            if charset != "utf-8":
                raise SpecViolation(
                    f"{where} with Content-Type {content_type!r}: the charset must be utf-8"
                )
            if not XML_DECLARATION.match(body):
                raise SpecViolation(
                    f'{where} without the XML declaration with encoding="UTF-8" before the '
                    f"root element: {body[:60]!r}"
                )
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise SpecViolation(f"{where} with a body that is not UTF-8") from None

    def _parse(self, body: bytes, root: str | None, where: str) -> Any:
        if self.fmt == "json":
            try:
                data = json.loads(body.decode("utf-8"))
            except ValueError as error:
                raise SpecViolation(f"{where} with a body that is not JSON: {error}") from None
            return _normal(data, json_typed=True)
        try:
            element = _xml(body)
        except ET.ParseError as error:
            raise SpecViolation(f"{where} with a body that is not XML: {error}") from None
        if root is not None and _tag(element) != root:
            raise SpecViolation(f"{where} with the root element <{_tag(element)}>, not <{root}>")
        return _normal(_element(element))

    def _errors(self, content_type: str, body: bytes, where: str) -> list[tuple[int | str, str]]:
        """The specification's error format: a list of code and description."""
        try:
            self._check_encoding(content_type, body, where)
            data = self._parse(body, "errors", where)
        except SpecViolation as violation:
            raise SpecViolation(
                f"an error not in the specification's format: {violation}"
            ) from None
        if not isinstance(data, list) or not data:
            raise SpecViolation(
                f"{where} with an error body that is not a list of errors: {body[:200]!r}"
            )
        errors = []
        for error in data:
            if not isinstance(error, dict) or error.get("code") is None:
                raise SpecViolation(f"{where} with an error without a code: {error!r}")
            if not isinstance(error.get("description"), str):
                raise SpecViolation(f"{where} with an error without a description: {error!r}")
            errors.append((_error_code(error["code"]), error["description"]))
        return errors

    def _list(self, data: Any, what: str) -> list[dict[str, Any]]:
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise SpecViolation(f"{what} is not a list of records")
        return data

    def _records(self, data: Any, what: str, exactly_one: bool = False) -> list[dict[str, Any]]:
        records = self._list(data, what)
        if exactly_one and len(records) != 1:
            raise SpecViolation(f"{what} answered {len(records)} requests, not one")
        return records

    def _check_record(self, record: dict[str, Any]) -> None:
        for name in RECORD_FIELDS:
            record.setdefault(name, None)
        _require(record, RECORD_REQUIRED, f"service request {record.get('service_request_id')!r}")
        if record["status"] not in STATUSES:
            raise SpecViolation(f"status {record['status']!r} is not open or closed")


def _mime(fmt: str) -> str:
    return "application/json" if fmt == "json" else "text/xml"


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    return str(value)
