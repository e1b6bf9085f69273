"""A stand-in OAuth 2.0 authorization server on loopback: consent page, token, revoke, introspect,
and Microsoft Entra's device-code flow with its OpenID discovery document.

Authorization codes need PKCE (S256). Device codes (RFC 8628) are approved by a test in the
rep's place (`approve_device`); their grants belong to a public client, with no secret. Given
`certificates`, the server also listens over HTTPS (`tls_url`), as msal requires of an
authority; Entra's paths live under `/{tenant}/` there and on plain HTTP alike.

Access tokens expire after `access_lifetime` seconds or when a test calls
`expire_access_tokens`; revoking any token of a grant ends the whole grant, as Google and
Microsoft do. Dovecot's oauth2 passdb and the test SMTP server ask `/introspect` (RFC 7662)
whether a bearer token is good.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.servers.tls import Certificates

CLIENT_ID = "nurture-standin-client"
CLIENT_SECRET = "standin-client-secret"
TENANT_ID = "00000000-0000-4000-8000-000000000001"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEVICE_LIFETIME = 900  # seconds a device code waits for the user


@dataclass
class Grant:
    """One user's consent to one client; its tokens live and die together."""

    user: str
    scope: str
    refresh_token: str
    access_tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry (epoch)
    revoked: bool = False
    public: bool = False  # a device-flow grant: its client has no secret


@dataclass
class _Device:
    """A device code waiting for the user to type its user code and sign in."""

    user_code: str
    scope: str
    expires: float
    user: str | None = None
    declined: bool = False


@dataclass
class _Code:
    user: str
    scope: str
    redirect_uri: str
    challenge: str


class OAuthStandIn:
    """The server and its state; `start()`/`stop()` or use as a context manager."""

    def __init__(
        self, *, access_lifetime: float = 3600.0, certificates: Certificates | None = None
    ) -> None:
        self.access_lifetime = access_lifetime
        self.grants: list[Grant] = []
        self.token_requests: list[dict[str, str]] = []
        self.introspections = 0
        self._codes: dict[str, _Code] = {}
        self._devices: dict[str, _Device] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler("http"))
        self._servers = [self._server]
        if certificates is not None:
            secure = ThreadingHTTPServer(("127.0.0.1", 0), self._handler("https"))
            secure.socket = certificates.server_context().wrap_socket(
                secure.socket, server_side=True
            )
            self._servers.append(secure)
        for server in self._servers:
            server.daemon_threads = True
        self._threads = [
            threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            for server in self._servers
        ]

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def tls_url(self) -> str:
        """The HTTPS listener's address (given `certificates`)."""
        host, port = self._servers[-1].server_address[:2]
        assert len(self._servers) == 2, "no certificates given"
        return f"https://{host!s}:{port}"

    def start(self) -> OAuthStandIn:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server, thread in zip(self._servers, self._threads, strict=True):
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

    def __enter__(self) -> OAuthStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests do ------------------------------------------------------------------
    def issue(self, user: str, scope: str = "mail") -> tuple[str, str]:
        """A grant made without the browser: (access token, refresh token)."""
        with self._lock:
            grant = Grant(user, scope, "rt-" + secrets.token_urlsafe(24))
            self.grants.append(grant)
            return self._access(grant), grant.refresh_token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working now; refresh tokens still work."""
        with self._lock:
            for grant in self.grants:
                grant.access_tokens = dict.fromkeys(grant.access_tokens, 0.0)

    def approve_device(self, user_code: str, user: str, *, allow: bool = True) -> None:
        """What the rep does on another machine: type the user code, sign in, allow (or not)."""
        with self._lock:
            device = next(d for d in self._devices.values() if d.user_code == user_code)
            device.user, device.declined = user, not allow

    def revoke_user(self, user: str) -> None:
        """The user withdraws consent (or an admin does): every grant of theirs ends."""
        with self._lock:
            for grant in self.grants:
                if grant.user == user:
                    grant.revoked = True

    def active(self, token: str) -> str | None:
        """The user a live access token belongs to, else None."""
        with self._lock:
            self.introspections += 1
            for grant in self.grants:
                expiry = grant.access_tokens.get(token)
                if expiry is not None and not grant.revoked and expiry > time.time():
                    return grant.user
        return None

    # --- the protocol -------------------------------------------------------------------
    def _access(self, grant: Grant) -> str:
        token = "at-" + secrets.token_urlsafe(24)
        grant.access_tokens[token] = time.time() + self.access_lifetime
        return token

    def _token_answer(self, grant: Grant) -> dict[str, Any]:
        return {
            "access_token": self._access(grant),
            "token_type": "Bearer",
            "expires_in": int(self.access_lifetime),
            "refresh_token": grant.refresh_token,
            "scope": grant.scope,
        }

    def _client_ok(self, form: dict[str, str]) -> bool:
        """A confidential client shows its secret; a device-flow (public) client cannot."""
        if form.get("client_id") != CLIENT_ID:
            return False
        if form.get("grant_type") == DEVICE_GRANT:
            return True
        if form.get("grant_type") == "refresh_token":
            refresh = form.get("refresh_token")
            grant = next((g for g in self.grants if g.refresh_token == refresh), None)
            if grant is not None and grant.public:
                # Entra (AADSTS700025): a public client's grant takes no secret.
                return not form.get("client_secret")
        return form.get("client_secret") == CLIENT_SECRET

    def _device_answer(self, form: dict[str, str], base: str) -> tuple[int, dict[str, Any]]:
        """The device authorization request (RFC 8628 section 3.1)."""
        if form.get("client_id") != CLIENT_ID:
            return 400, {"error": "invalid_client"}
        device_code = "dc-" + secrets.token_urlsafe(24)
        user_code = secrets.token_hex(4).upper()
        with self._lock:
            self._devices[device_code] = _Device(
                user_code, form.get("scope", ""), time.time() + DEVICE_LIFETIME
            )
        return 200, {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": f"{base}/devicelogin",
            "expires_in": DEVICE_LIFETIME,
            "interval": 1,
            "message": f"To sign in, use a web browser to open the page {base}/devicelogin "
            f"and enter the code {user_code} to authenticate.",
        }

    def _device_token(self, form: dict[str, str], issuer: str) -> tuple[int, dict[str, Any]]:
        device = self._devices.get(form.get("device_code", ""))
        if device is None or device.expires < time.time():
            return 400, {"error": "expired_token"}
        if device.declined:
            del self._devices[form["device_code"]]
            return 400, {"error": "authorization_declined"}
        if device.user is None:
            return 400, {"error": "authorization_pending"}
        del self._devices[form["device_code"]]
        grant = Grant(device.user, device.scope, "rt-" + secrets.token_urlsafe(24), public=True)
        self.grants.append(grant)
        now = int(time.time())
        claims = {
            "aud": CLIENT_ID,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + int(self.access_lifetime),
            "sub": device.user,
            "oid": device.user,
            "tid": TENANT_ID,
            "preferred_username": device.user,
        }
        return 200, {
            **self._token_answer(grant),
            "id_token": ".".join((_b64(b'{"alg":"none"}'), _b64(json.dumps(claims).encode()), "")),
            "client_info": _b64(json.dumps({"uid": device.user, "utid": TENANT_ID}).encode()),
        }

    def _token(self, form: dict[str, str], issuer: str = "") -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.token_requests.append({k: v for k, v in form.items() if k == "grant_type"})
            if not self._client_ok(form):
                return 401, {"error": "invalid_client"}
            kind = form.get("grant_type")
            if kind == DEVICE_GRANT:
                return self._device_token(form, issuer)
            if kind == "authorization_code":
                code = self._codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                if (
                    code is None
                    or code.redirect_uri != form.get("redirect_uri")
                    or _s256(verifier) != code.challenge
                ):
                    return 400, {"error": "invalid_grant"}
                grant = Grant(code.user, code.scope, "rt-" + secrets.token_urlsafe(24))
                self.grants.append(grant)
                return 200, self._token_answer(grant)
            if kind == "refresh_token":
                refresh = form.get("refresh_token")
                found = next((g for g in self.grants if g.refresh_token == refresh), None)
                if found is None or found.revoked:
                    return 400, {"error": "invalid_grant", "error_description": "revoked"}
                return 200, self._token_answer(found)
            return 400, {"error": "unsupported_grant_type"}

    def _revoke(self, token: str) -> None:
        with self._lock:
            for grant in self.grants:
                if token == grant.refresh_token or token in grant.access_tokens:
                    grant.revoked = True

    def _consent_page(self, query: dict[str, str]) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        return (
            "<!doctype html><title>Stand-in sign in</title><h1>Allow access to your mail?</h1>"
            f'<form method="post" action="/authorize">{hidden}'
            '<label>User <input name="user" value="'
            f'{html.escape(query.get("login_hint", ""))}"></label>'
            '<button name="decision" value="allow">Allow</button>'
            '<button name="decision" value="deny">Deny</button></form>'
        )

    def _authorize(self, form: dict[str, str]) -> tuple[int, str]:
        """The consent form's answer: (status, redirect location or error text)."""
        if form.get("client_id") != CLIENT_ID or form.get("code_challenge_method") != "S256":
            return 400, "unknown client or no PKCE"
        redirect = form.get("redirect_uri", "")
        state = form.get("state", "")
        if form.get("decision") != "allow":
            return 302, f"{redirect}?{urlencode({'error': 'access_denied', 'state': state})}"
        code = "code-" + secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = _Code(
                form.get("user", ""), form.get("scope", ""), redirect, form["code_challenge"]
            )
        return 302, f"{redirect}?{urlencode({'code': code, 'state': state})}"

    def _handler(self, scheme: str) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            @property
            def base(self) -> str:
                address = self.server.server_address
                assert isinstance(address, tuple)
                return f"{scheme}://{address[0]!s}:{address[1]}"

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                tenant, _, rest = url.path.strip("/").partition("/")
                if url.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    self._send(200, standin._consent_page(query), "text/html")
                elif rest == "v2.0/.well-known/openid-configuration":
                    self._send(200, json.dumps(_discovery(self.base, tenant)), "application/json")
                else:
                    self._send(404, "not found", "text/plain")

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                basic = self.headers.get("authorization", "")
                if basic.startswith("Basic "):
                    ident, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                    form.setdefault("client_id", ident)
                    form.setdefault("client_secret", secret)
                path = urlsplit(self.path).path
                tenant, _, rest = path.strip("/").partition("/")
                if rest == "oauth2/v2.0/devicecode":
                    code, body = standin._device_answer(form, self.base)
                    self._send(code, json.dumps(body), "application/json")
                elif rest == "oauth2/v2.0/token":
                    issuer = f"{self.base}/{tenant}/v2.0"
                    code, body = standin._token(form, issuer)
                    self._send(code, json.dumps(body), "application/json")
                elif path == "/authorize":
                    status, where = standin._authorize(form)
                    if status == 302:
                        self.send_response(302)
                        self.send_header("location", where)
                        self.send_header("content-length", "0")
                        self.end_headers()
                    else:
                        self._send(status, where, "text/plain")
                elif path == "/token":
                    code, body = standin._token(form)
                    self._send(code, json.dumps(body), "application/json")
                elif path == "/revoke":
                    standin._revoke(form.get("token", ""))
                    self._send(200, "", "text/plain")
                elif path == "/introspect":
                    user = standin.active(form.get("token", ""))
                    body = {"active": True, "username": user} if user else {"active": False}
                    self._send(200, json.dumps(body), "application/json")
                else:
                    self._send(404, "not found", "text/plain")

            def _send(self, status: int, body: str, kind: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _discovery(base: str, tenant: str) -> dict[str, str]:
    """Entra's OpenID configuration for a tenant, as msal reads it before any flow."""
    root = f"{base}/{tenant}"
    return {
        "issuer": f"{root}/v2.0",
        "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
        "token_endpoint": f"{root}/oauth2/v2.0/token",
        "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
