"""Identity providers on loopback for the single sign-on tests.

:func:`mock_provider` runs the real oidc-provider-mock (an Authlib OpenID provider) in a
thread; :class:`ShapedProvider` is a small provider whose ID tokens a test shapes (another
audience, an expiry in the past, a key its JWKS does not hold). yingji reaches both over
HTTP as it would a real one: discovery, authorization, token exchange, keys.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
import werkzeug.serving
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

# The mock is an Authlib server, which refuses plain HTTP unless told it is a test.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")


@contextmanager
def mock_provider(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[str]:
    """The real oidc-provider-mock on 127.0.0.1 and a free port; yields its issuer."""
    import oidc_provider_mock

    app = oidc_provider_mock.app(require_nonce=True, access_token_max_age=token_max_age)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def set_claims(issuer: str, sub: str, claims: dict[str, Any]) -> None:
    """The claims the mock provider gives the subject ``sub``."""
    answer = requests.put(f"{issuer}/users/{sub}", json=claims, timeout=5)
    assert answer.status_code == 204, answer.text


def start(client: Client, next_url: str = "") -> str:
    """Opens yingji's single sign-on and returns where it sends the browser."""
    answer = client.get("/accounts/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert answer.status_code == 302, answer.content[:500]
    return str(answer["Location"])


def authorize(location: str, sub: str) -> str:
    """Submits the mock provider's authorization form as ``sub``; returns the path and
    query of yingji's callback it sends the browser back to."""
    answer = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def sign_in(client: Client, issuer: str, sub: str, claims: dict[str, Any], next_url: str = ""):
    """The whole round trip through the mock provider, returning yingji's answer."""
    set_claims(issuer, sub, claims)
    return client.get(authorize(start(client, next_url), sub))


class ShapedProvider:
    """A provider whose ID token a test shapes through ``claims`` (a value of None
    removes that claim) and ``signing_key`` (the key in its JWKS unless replaced)."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key
        self.claims: dict[str, Any] = {}
        self._nonces: dict[str, str] = {}
        self.issuer = ""
        # The issuer its discovery document names, when not its own address.
        self.announced_issuer = ""

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "subject-1",
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "preferred_username": "clerk",
        }
        claims.update(self.claims)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": "k1"})

    def document(self) -> dict[str, Any]:
        return {
            "issuer": self.announced_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    def handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _json(self, body: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    return self._json(provider.document())
                if parts.path == "/jwks":
                    return self._json(provider.jwks())
                if parts.path == "/authorize":
                    # Approves at once, as a provider does for a signed-in user.
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    code = secrets.token_urlsafe(16)
                    provider._nonces[code] = query.get("nonce", "")
                    back = urlencode({"code": code, "state": query["state"]})
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{back}")
                    self.end_headers()
                    return None
                return self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                nonce = provider._nonces.pop(form.get("code", ""), None)
                if urlsplit(self.path).path != "/token" or nonce is None:
                    return self._json({"error": "invalid_grant"}, 400)
                return self._json(
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(nonce),
                    }
                )

        return Handler

    @contextmanager
    def running(self) -> Iterator[ShapedProvider]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.issuer = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)

    def sign_in(self, client: Client) -> Any:
        """The round trip through this provider, returning yingji's answer."""
        answer = requests.get(start(client), allow_redirects=False, timeout=5)
        back = urlsplit(answer.headers["Location"])
        return client.get(f"{back.path}?{back.query}")
