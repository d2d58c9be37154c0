"""Single sign-on through an OpenID Connect provider (settings.OIDC), as an option.

mozilla-django-oidc runs the authorization code flow (state, nonce, PKCE S256). It wants
fixed endpoint settings; here they come from the provider's discovery document, read at
first use and kept in the process. The library decodes the ID token without checking its
audience or issuer, so :class:`Backend` verifies the token itself. Which user the
verified claims name is oidc_accounts.py's to say.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from yingji.config import LOOPBACK_HOSTS, OidcConfig

logger = logging.getLogger(__name__)

# Asymmetric signatures only: a shared-secret (HS256) token could be made by anyone
# holding the client secret, and "none" by anyone.
SIGNING_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}
SCOPES = "openid profile email"
# How far ahead of this server's clock a provider's may run: a token issued "in the
# future" by that much still passes. Expiry is checked without it.
CLOCK_SKEW_SECONDS = 60
CALLBACK_URL = "accounts:oidc_callback"


class Refused(Exception):
    """A single sign-on that signs nobody in: ``reason`` goes to the log (never a claim
    value or a token), ``message`` to the person on the sign-in page."""

    def __init__(self, reason: str, message: str | Promise, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.status = status


UNAVAILABLE = _(
    "Single sign-on is unavailable: the identity provider cannot be reached. "
    "Try again later or ask an administrator."
)
NOT_VERIFIED = _(
    "Single sign-on failed: the identity provider's answer could not be verified. "
    "Try again or ask an administrator."
)
BAD_REQUEST = _(
    "Single sign-on failed: the sign-in request is not valid or has expired. Try again."
)
NO_ACCOUNT = _("This single sign-on identity has no account in this system. Ask an administrator.")
CANCELLED = _("The identity provider did not sign you in. Try again or use another way in.")


def enabled() -> bool:
    return getattr(settings, "OIDC", None) is not None


def config() -> OidcConfig:
    """The single sign-on settings, read at each use (tests override them)."""
    found = getattr(settings, "OIDC", None)
    if found is None:
        raise Refused("not_configured", UNAVAILABLE, 404)
    return found


DEFAULT_LABEL = _("Sign in with single sign-on")


def button_label() -> str:
    return config().label or str(DEFAULT_LABEL)


# --- the discovery document -------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    algorithms: frozenset[str]


_providers: dict[str, Provider] = {}
_providers_lock = threading.Lock()


def _endpoint(document: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = document.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Refused("discovery_incomplete", UNAVAILABLE, 503)
    parts = urlsplit(value)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not parts.hostname or (parts.scheme != "https" and not loopback):
        raise Refused("discovery_insecure_endpoint", UNAVAILABLE, 503)
    return value


def provider() -> Provider:
    """The configured provider's endpoints, from its discovery document (read once per
    process: a failure is not kept, so the next sign-in tries again)."""
    issuer = config().issuer
    found = _providers.get(issuer)
    if found is not None:
        return found
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError):
        logger.warning("oidc: discovery document unavailable", exc_info=True)
        raise Refused("discovery_unavailable", UNAVAILABLE, 503) from None
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        # The issuer a provider names must be the one configured (OpenID Connect
        # Discovery 4.3): otherwise another provider's tokens could pass as its.
        raise Refused("discovery_issuer_mismatch", UNAVAILABLE, 503)
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = frozenset(a for a in offered if isinstance(a, str)) & SIGNING_ALGORITHMS
    if not algorithms:
        raise Refused("discovery_no_usable_algorithm", UNAVAILABLE, 503)
    found = Provider(
        issuer=issuer,
        authorization_endpoint=_endpoint(document, "authorization_endpoint"),
        token_endpoint=_endpoint(document, "token_endpoint"),
        jwks_uri=_endpoint(document, "jwks_uri"),
        userinfo_endpoint=_endpoint(document, "userinfo_endpoint", required=False),
        algorithms=algorithms,
    )
    with _providers_lock:
        _providers[issuer] = found
    return found


def forget_providers() -> None:
    """Drop the cached discovery documents (tests; a provider that moved its endpoints)."""
    with _providers_lock:
        _providers.clear()


def library_setting(name: str, *default: Any) -> Any:
    """What mozilla-django-oidc asks ``get_settings`` for, from settings.OIDC and the
    discovery document instead of fixed OIDC_* settings."""
    values: dict[str, Any] = {
        "OIDC_RP_CLIENT_ID": config().client_id,
        "OIDC_RP_CLIENT_SECRET": config().client_secret,
        "OIDC_RP_SCOPES": SCOPES,
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_AUTHENTICATION_CALLBACK_URL": CALLBACK_URL,
        "OIDC_TIMEOUT": settings.OIDC_TIMEOUT,
        "OIDC_VERIFY_SSL": True,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_CREATE_USER": False,
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {},
        # The signature is checked in Backend._verify_jws against the discovery's list.
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_VERIFY_KID": True,
    }
    if name in {"OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT"} | {
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
    }:
        found = provider()
        return {
            "OIDC_OP_AUTHORIZATION_ENDPOINT": found.authorization_endpoint,
            "OIDC_OP_TOKEN_ENDPOINT": found.token_endpoint,
            "OIDC_OP_JWKS_ENDPOINT": found.jwks_uri,
            "OIDC_OP_USER_ENDPOINT": found.userinfo_endpoint,
        }[name]
    if name in values:
        return values[name]
    if default:
        return default[0]
    return getattr(settings, name)


# --- the ID token ------------------------------------------------------------------

JWT_REASONS: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "token_expired"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.ImmatureSignatureError, "token_not_yet_valid"),
    (jwt.InvalidIssuedAtError, "token_issued_in_future"),
    (jwt.MissingRequiredClaimError, "token_claim_missing"),
    (jwt.InvalidSignatureError, "bad_signature"),
]


class Backend(OIDCAuthenticationBackend):
    """Exchanges the code and verifies the ID token. Used by oidc_views.CallbackView
    through :meth:`identify`, not through AUTHENTICATION_BACKENDS: Django's authenticate()
    would swallow the reason a sign-in was refused."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return library_setting(attr, *args)

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.DecodeError:
            raise Refused("malformed_token", NOT_VERIFIED) from None
        found = provider()
        alg = header.get("alg")
        if alg not in found.algorithms:
            raise Refused("algorithm_not_allowed", NOT_VERIFIED)
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=config().client_id,
                issuer=found.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.InvalidTokenError as error:
            reason = next((r for kind, r in JWT_REASONS if isinstance(error, kind)), None)
            raise Refused(reason or "invalid_token", NOT_VERIFIED) from None
        if claims["exp"] <= time.time():
            raise Refused("token_expired", NOT_VERIFIED)
        # With several audiences the token must also be meant for this client (OIDC
        # Core 3.1.3.7, azp).
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != config().client_id:
            raise Refused("wrong_authorized_party", NOT_VERIFIED)
        return claims

    def retrieve_matching_jwk(self, token: Any) -> jwt.PyJWK:
        """The provider's published key for ``token``: the one its ``kid`` names or,
        without a ``kid``, the only signing key for its algorithm (a provider with one
        key need not name it; the library's version requires the name)."""
        header = jwt.get_unverified_header(token)
        response = requests.get(provider().jwks_uri, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = response.json().get("keys")
        if not isinstance(keys, list):
            raise SuspiciousOperation("no keys")
        kty = {"R": "RSA", "P": "RSA", "E": "EC"}.get(str(header.get("alg", " "))[0])
        candidates = [
            key
            for key in keys
            if isinstance(key, dict)
            and key.get("kty") == kty
            and key.get("use", "sig") == "sig"
            and key.get("alg", header.get("alg")) == header.get("alg")
            and ("kid" not in header or key.get("kid") == header["kid"])
        ]
        if len(candidates) != 1:
            raise SuspiciousOperation("no single matching key")
        return jwt.PyJWK(candidates[0])

    def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(token, str) or not token:
            raise Refused("no_id_token", NOT_VERIFIED)
        try:
            key = self.retrieve_matching_jwk(token)
        except SuspiciousOperation:
            raise Refused("unknown_signing_key", NOT_VERIFIED) from None
        except jwt.PyJWTError:
            raise Refused("malformed_token", NOT_VERIFIED) from None
        claims = self._verify_jws(token, key)
        nonce = kwargs.get("nonce")
        token_nonce = claims.get("nonce")
        if not (
            isinstance(nonce, str)
            and isinstance(token_nonce, str)
            and hmac.compare_digest(nonce, token_nonce)
        ):
            raise Refused("bad_nonce", NOT_VERIFIED)
        return claims

    def get_userinfo(self, access_token: Any, id_token: Any, payload: Any) -> dict[str, Any]:
        """The ID token's claims, with the user info endpoint's added when there is one;
        the two must be about the same subject (OIDC Core 5.3.2)."""
        claims = dict(payload)
        if not provider().userinfo_endpoint or not access_token:
            return claims
        info = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            raise Refused("userinfo_subject_mismatch", NOT_VERIFIED)
        return {**info, **claims}

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        # Who the claims name is oidc_accounts' to say: the verified claims go back.
        return self.get_userinfo(access_token, id_token, payload)

    def identify(self, request: HttpRequest, *, nonce: Any, code_verifier: Any) -> dict[str, Any]:
        """The verified claims of the identity the provider's answer names."""
        try:
            claims = super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else None
            logger.warning("oidc: the provider answered %s", status)
            raise Refused("provider_refused_token_request", NOT_VERIFIED) from None
        except (requests.RequestException, ValueError):
            logger.warning("oidc: the provider cannot be reached", exc_info=True)
            raise Refused("provider_unreachable", UNAVAILABLE, 503) from None
        if not isinstance(claims, dict):
            raise Refused("code_or_state_missing", BAD_REQUEST)
        return claims
