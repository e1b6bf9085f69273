"""Fresh access tokens for a mailbox: refreshed before expiry, the grant marked when revoked."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from assistant.clock import now
from assistant.errors import NotFound, StateError
from assistant.oauth import flow
from assistant.oauth.flow import GrantError
from assistant.oauth.providers import Provider
from assistant.oauth.store import GrantStore

log = logging.getLogger("nurture.oauth")

# Called once per revocation with the rep's address and why: sends what
# `pipeline.reconnect.tell_owed` owes.
OnRevoked = Callable[[str, str], Awaitable[None]]


class TokenSource:
    """Hands IMAP and SMTP a live access token for one rep; one refresh at a time."""

    def __init__(
        self,
        store: GrantStore,
        provider: Provider,
        email: str,
        *,
        margin: float = 300.0,
        on_revoked: OnRevoked | None = None,
    ) -> None:
        self.email = email.strip().lower()
        self._store = store
        self._provider = provider
        self._margin = timedelta(seconds=margin)
        self._on_revoked = on_revoked
        self._token: str | None = None
        self._expires = now()
        self._lock = asyncio.Lock()

    async def access_token(self) -> str:
        """The cached token while it has more than the margin left, else a refreshed one."""
        async with self._lock:
            if self._token is None or now() + self._margin >= self._expires:
                await self._refresh()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """The server refused the token (expired early, or revoked): refresh before the next use."""
        self._token = None

    async def _refresh(self) -> None:
        self._token = None
        try:
            refresh_token, public = self._store.refresh_grant(self.email)
        except (NotFound, StateError) as exc:
            raise GrantError(str(exc), revoked=True) from None
        provider = replace(self._provider, client_secret=None) if public else self._provider
        try:
            answer = await flow.refresh(provider, refresh_token)
        except GrantError as exc:
            if exc.revoked:
                await self._revoked(str(exc))
            raise
        lifetime = float(answer.get("expires_in") or 3600)
        self._expires = now() + timedelta(seconds=lifetime)
        self._token = str(answer["access_token"])
        rotated = answer.get("refresh_token")
        self._store.rotate(self.email, rotated if rotated != refresh_token else None, self._expires)
        log.info("refreshed the access token of %s, valid %.0f s", self.email, lifetime)

    async def _revoked(self, reason: str) -> None:
        changed = self._store.needs_reconnect(self.email, reason)
        log.warning("the mailbox grant of %s ended: %s; it needs reconnecting", self.email, reason)
        if changed and self._on_revoked is not None:
            await self._on_revoked(self.email, reason)
