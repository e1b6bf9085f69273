"""One token source per OAuth mailbox for a running process, built from the settings."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from assistant.config import Settings
from assistant.oauth.providers import provider
from assistant.oauth.store import GrantStore, cipher
from assistant.oauth.tokens import OnRevoked, TokenSource

log = logging.getLogger("nurture.oauth")


class TokenSources:
    """Keeps each mailbox's access token in memory for the life of the process."""

    def __init__(
        self, settings: Settings, engine: Engine, on_revoked: OnRevoked | None = None
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._on_revoked = on_revoked
        self._store: GrantStore | None = None
        self._sources: dict[str, TokenSource] = {}

    @property
    def store(self) -> GrantStore:
        if self._store is None:
            self._store = GrantStore(self._engine, cipher(self._settings.oauth.token_key_env))
        return self._store

    @property
    def used(self) -> bool:
        """Whether this process has an OAuth mailbox (and so a token key to open the store)."""
        return bool(self._sources)

    def get(self, email: str, provider_name: str) -> TokenSource:
        """The source for this rep's mailbox; IMAP and SMTP share it, and so its token."""
        found = self._sources.get(email)
        if found is None:
            oauth = self._settings.oauth
            found = TokenSource(
                self.store,
                provider(oauth, provider_name, str(self._settings.path)),
                email,
                margin=oauth.refresh_margin_seconds,
                on_revoked=self._on_revoked,
            )
            self._sources[email] = found
        return found
