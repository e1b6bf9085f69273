"""The authorization-code flow with PKCE (RFC 7636), through Authlib's OAuth 2.0 client."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from assistant.errors import MailError
from assistant.oauth.providers import Provider


class GrantError(MailError):
    """The provider refused to grant or renew a token; `revoked` when the rep must reconnect."""

    def __init__(self, message: str, revoked: bool = False) -> None:
        super().__init__(message)
        self.revoked = revoked


@dataclass(frozen=True)
class Started:
    """Where to send the rep's browser, and what the callback needs to finish."""

    url: str
    state: str
    verifier: str


def client(provider: Provider, redirect_uri: str | None = None) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=" ".join(provider.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post" if provider.client_secret else "none",
        timeout=30.0,
    )


def start(provider: Provider, redirect_uri: str, login_hint: str = "") -> Started:
    """The authorization URL with a fresh state and PKCE verifier."""
    verifier = secrets.token_urlsafe(64)
    extra = dict(provider.extra)
    if login_hint:
        extra["login_hint"] = login_hint
    url, state = client(provider, redirect_uri).create_authorization_url(
        provider.authorize_url, code_verifier=verifier, **extra
    )
    return Started(url, state, verifier)


async def finish(provider: Provider, redirect_uri: str, code: str, verifier: str) -> dict[str, Any]:
    """Trade the code for tokens; a refresh token is required, since the daemon runs unattended."""
    async with client(provider, redirect_uri) as oauth:
        try:
            token = await oauth.fetch_token(
                provider.token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
            )
        except (AuthlibBaseError, httpx.HTTPError, OSError) as exc:
            raise GrantError(f"{provider.name} did not grant access: {_reason(exc)}") from None
    if not token.get("refresh_token"):
        raise GrantError(f"{provider.name} granted no refresh token (offline access not allowed?)")
    return dict(token)


async def refresh(provider: Provider, refresh_token: str) -> dict[str, Any]:
    """A new access token; GrantError(revoked=True) when the grant is gone for good."""
    async with client(provider) as oauth:
        try:
            token = await oauth.refresh_token(provider.token_url, refresh_token=refresh_token)
        except AuthlibBaseError as exc:
            revoked = getattr(exc, "error", "") in ("invalid_grant", "unauthorized_client")
            raise GrantError(
                f"{provider.name} refused the refresh: {_reason(exc)}", revoked
            ) from None
        except (httpx.HTTPError, OSError) as exc:
            raise GrantError(f"{provider.name} token endpoint unreachable: {exc}") from None
    return dict(token)


async def revoke(provider: Provider, token: str) -> None:
    """Ask the provider to end the grant, where it has a revocation endpoint (RFC 7009)."""
    if provider.revoke_url is None:
        return
    async with client(provider) as oauth:
        try:
            await oauth.revoke_token(provider.revoke_url, token=token)
        except (AuthlibBaseError, httpx.HTTPError, OSError) as exc:
            raise GrantError(f"{provider.name} did not revoke the grant: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    # Only the error code and description: the exception text may quote the request.
    error = getattr(exc, "error", None)
    description = getattr(exc, "description", None)
    return " ".join(str(x) for x in (error, description) if x) or type(exc).__name__
