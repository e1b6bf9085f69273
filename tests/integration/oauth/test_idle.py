"""The IMAP IDLE watch on an OAuth mailbox: an access token that expires while the watch is
open is refreshed at the reconnect and the watch goes on; a revoked grant parks the mailbox
until the rep reconnects, then the watch resumes with a catch-up pass."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from assistant.config import ImapSettings, RepSettings
from assistant.mail import imap
from assistant.oauth.providers import Provider
from assistant.oauth.store import GrantState, GrantStore
from assistant.oauth.tokens import TokenSource
from assistant.watch import watch
from tests.servers.dovecot import Dovecot
from tests.servers.oauth_standin import OAuthStandIn

MAIL = b"From: lead@example.com\r\nSubject: ping\r\nMessage-ID: <%d@example.com>\r\n\r\nhi\r\n"


class Wakes:
    """The reasons the watch woke the pipeline, awaited one by one."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self._changed = asyncio.Event()

    def __call__(self, reason: str) -> None:
        self.reasons.append(reason)
        self._changed.set()

    async def next(self, timeout: float = 30.0) -> str:
        seen = len(self.reasons)
        async with asyncio.timeout(timeout):
            while len(self.reasons) == seen:
                self._changed.clear()
                await self._changed.wait()
        return self.reasons[seen]


async def test_expiry_during_idle_is_refreshed_and_a_revoked_grant_resumes_after_reconnect(
    authz: OAuthStandIn,
    oauth_dovecot: Dovecot,
    grants: GrantStore,
    standin_provider: Provider,
) -> None:
    user = oauth_dovecot.new_user()
    _, refresh = authz.issue(user.name)
    grants.save(user.address, "custom", "mail", refresh)
    told: list[str] = []

    async def on_revoked(email: str, reason: str) -> None:
        told.append(email)

    tokens = TokenSource(grants, standin_provider, user.address, on_revoked=on_revoked)
    settings = ImapSettings(
        host=user.host, port=user.port, security="none", username=user.name,
        auth="xoauth2", provider="custom",
    )  # fmt: skip
    rep = RepSettings(email=user.address, name="Ana", imap=settings)

    @asynccontextmanager
    async def open_mailbox(_rep: RepSettings) -> AsyncIterator[imap.Mailbox]:
        account = imap.ImapAccount(
            user.host, user.port, "none", user.name, "", 10.0, "xoauth2", tokens
        )
        async with imap.connect(account) as mailbox:
            yield mailbox

    wakes = Wakes()
    log = logging.getLogger("test.watch")
    task = asyncio.create_task(
        watch(rep, open_mailbox, wakes, renew=2.0, reconnect_cap=0.5, log=log)
    )
    try:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(oauth_dovecot.deliver, user.name, MAIL % 1)
        assert (await wakes.next()).endswith("new mail")

        # The token runs out while the watch idles; the provider then ends the session, as
        # Microsoft does at expiry. The watch reconnects with a refreshed token.
        first_token = await tokens.access_token()
        refreshes = len(authz.token_requests)
        authz.expire_access_tokens()
        await asyncio.to_thread(oauth_dovecot.restart)
        assert (await wakes.next()).endswith("reconnected")
        assert authz.token_requests[refreshes:] == [{"grant_type": "refresh_token"}]
        assert await tokens.access_token() != first_token
        await asyncio.to_thread(oauth_dovecot.deliver, user.name, MAIL % 2)
        assert (await wakes.next()).endswith("new mail")

        # Revoked: the watch keeps trying with backoff, the rep is told once, mail waits.
        before_revoke = len(wakes.reasons)
        authz.revoke_user(user.name)
        authz.expire_access_tokens()
        await asyncio.to_thread(oauth_dovecot.restart)
        await asyncio.to_thread(oauth_dovecot.deliver, user.name, MAIL % 3)
        async with asyncio.timeout(30):
            while (row := grants.get(user.address)) is None or row.state == GrantState.ok:
                await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # several more reconnect attempts
        assert told == [user.address]
        assert not wakes.reasons[before_revoke:]

        # The rep connects again: the watch resumes and catches up on the waiting mail.
        _, refresh = authz.issue(user.name)
        grants.save(user.address, "custom", "mail", refresh)
        assert (await wakes.next()).endswith("reconnected")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert told == [user.address]
    assert len(oauth_dovecot.messages(user.name)) == 3
