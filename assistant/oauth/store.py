"""Mailbox grants: one row per rep mailbox, its refresh token encrypted with a key from the env.

Access tokens are kept in memory only; a refresh token is written encrypted (Fernet: AES-CBC
with an HMAC) and decrypted only to refresh, so the database alone never yields a token.
"""

from __future__ import annotations

import enum
import os
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Boolean, Column, LargeBinary, String, Text, false, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel, select

from assistant.clock import now
from assistant.db import transaction
from assistant.errors import ConfigError, NotFound, StateError
from assistant.models import UTCDateTime


class GrantState(enum.StrEnum):
    ok = "ok"
    needs_reconnect = (
        "needs_reconnect"  # revoked or expired at the provider: the rep connects again
    )


class MailboxGrant(SQLModel, table=True):
    __tablename__ = "mailbox_grant"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    provider: str
    scopes: str = Field(default="", sa_column=Column(Text, nullable=False))
    refresh_token: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # Fernet token
    access_expires_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    state: str = GrantState.ok.value
    # Granted to the public client (Microsoft's device flow): refreshed without the secret,
    # which Entra refuses for such a grant.
    public_client: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False))
    # When the rep was told to reconnect; cleared on reconnect, so each revocation mails once.
    notified_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    connected_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


def cipher(env_name: str) -> Fernet:
    """The Fernet key the `[oauth] token_key_env` variable holds; a clear error when it does not."""
    key = os.environ.get(env_name)
    if not key:
        raise ConfigError(
            "environment",
            env_name,
            "is not set: make a key with `nurture reps token-key` and keep it in the environment",
        )
    try:
        return Fernet(key.encode())
    except ValueError:
        raise ConfigError(
            "environment", env_name, "is not a Fernet key (32 url-safe base64-encoded bytes)"
        ) from None


class GrantStore:
    """Reads and writes grants; the only place refresh tokens are encrypted or decrypted."""

    def __init__(self, engine: Engine, fernet: Fernet) -> None:
        self._engine = engine
        self._fernet = fernet

    def save(
        self,
        email: str,
        provider: str,
        scopes: str,
        refresh_token: str,
        *,
        public_client: bool = False,
    ) -> MailboxGrant:
        """A new or renewed grant: state ok, the reconnect notice armed again."""
        email = email.strip().lower()
        with transaction(self._engine) as session:
            row = session.exec(select(MailboxGrant).where(MailboxGrant.email == email)).first()
            row = row or MailboxGrant(email=email, provider=provider, refresh_token=b"")
            row.provider, row.scopes, row.public_client = provider, scopes, public_client
            row.refresh_token = self._fernet.encrypt(refresh_token.encode())
            row.state, row.last_error, row.notified_at = GrantState.ok.value, "", None
            row.connected_at = row.updated_at = now()
            session.add(row)
        return row

    def get(self, email: str) -> MailboxGrant | None:
        with transaction(self._engine) as session:
            return session.exec(
                select(MailboxGrant).where(MailboxGrant.email == email.strip().lower())
            ).first()

    def all(self) -> list[MailboxGrant]:
        with transaction(self._engine) as session:
            return list(session.exec(select(MailboxGrant).order_by(MailboxGrant.email)))

    def refresh_grant(self, email: str) -> tuple[str, bool]:
        """The decrypted refresh token of a usable grant, and whether a public client holds it."""
        row = self.get(email)
        if row is None:
            raise NotFound(f"{email} has no connected mailbox: connect it first")
        if row.state != GrantState.ok.value:
            raise StateError(f"the mailbox of {email} needs reconnecting: {row.last_error}")
        try:
            return self._fernet.decrypt(row.refresh_token).decode(), row.public_client
        except InvalidToken:
            raise ConfigError(
                "environment", "token key", f"does not decrypt the grant of {email} (key changed?)"
            ) from None

    def rotate(self, email: str, refresh_token: str | None, expires_at: datetime) -> None:
        """After a refresh: the new expiry, and the refresh token when the provider rotated it."""
        with transaction(self._engine) as session:
            row = session.exec(select(MailboxGrant).where(MailboxGrant.email == email)).one()
            if refresh_token:
                row.refresh_token = self._fernet.encrypt(refresh_token.encode())
            row.access_expires_at, row.updated_at = expires_at, now()
            session.add(row)

    def needs_reconnect(self, email: str, error: str) -> bool:
        """Mark the grant unusable, True when it was usable until now. The rep's notice is owed
        from then until `claim_notice` takes it."""
        with transaction(self._engine) as session:
            row = session.exec(
                select(MailboxGrant).where(MailboxGrant.email == email).with_for_update()
            ).one()
            changed = row.state != GrantState.needs_reconnect.value
            row.state, row.last_error, row.updated_at = (
                GrantState.needs_reconnect.value,
                error,
                now(),
            )
            session.add(row)
        return changed

    def owed_notices(self) -> list[str]:
        """The reps whose grant ended and who have not been told yet."""
        with transaction(self._engine) as session:
            return list(
                session.exec(
                    select(MailboxGrant.email).where(
                        MailboxGrant.state == GrantState.needs_reconnect.value,
                        MailboxGrant.notified_at.is_(None),  # type: ignore[union-attr]
                    )
                )
            )

    def claim_notice(self, email: str) -> bool:
        """Take the rep's notice, compare-and-set: True for one caller among every replica."""
        with transaction(self._engine) as session:
            taken = session.execute(
                update(MailboxGrant)
                .where(
                    MailboxGrant.email == email,  # type: ignore[arg-type]
                    MailboxGrant.state == GrantState.needs_reconnect.value,  # type: ignore[arg-type]
                    MailboxGrant.notified_at.is_(None),  # type: ignore[union-attr]
                )
                .values(notified_at=now())
            )
            return getattr(taken, "rowcount", 0) == 1

    def release_notice(self, email: str) -> None:
        """The notice did not go out: owed again, for the next pass to retry."""
        with transaction(self._engine) as session:
            session.execute(
                update(MailboxGrant)
                .where(MailboxGrant.email == email)  # type: ignore[arg-type]
                .values(notified_at=None)
            )
