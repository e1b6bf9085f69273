"""What every stage is handed: settings, the database, and the adapters to the outside."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from assistant.config import RepSettings, Settings
from assistant.errors import ImapError
from assistant.llm.base import Drafter, ReplyClassifier
from assistant.mail.imap import Mailbox
from assistant.mail.polite import Manners, imap_throttled
from assistant.mail.smtp import SubmitResult


@dataclass
class Scope:
    """What one pass works on. The default is everything (`nurture tick`, a daemon's start).

    A wake for one mailbox syncs that mailbox and plans and drafts only the leads its new
    messages belong to: understanding adds each lead it reads to `leads`. A timer pass also
    takes the leads whose step, pause or failed attempt fell due, and those changed since
    `audit_after` (a person's action, a send), each found by a query on an indexed column.
    """

    mailboxes: frozenset[str] | None = None  # rep addresses to sync; None: every mailbox
    leads: set[int] | None = None  # leads to plan and draft; None: every lead
    timers: bool = False
    audit_after: int = 0  # the newest audit entry a timer pass has seen; advanced by plan

    @classmethod
    def mailbox(cls, email: str) -> Scope:
        return cls(mailboxes=frozenset({email}), leads=set())

    def touch(self, lead_id: int | None) -> None:
        """A lead's facts changed in this pass: plan and draft it."""
        if self.leads is not None and lead_id is not None:
            self.leads.add(lead_id)


OpenMailbox = Callable[[RepSettings], AbstractAsyncContextManager[Mailbox]]
Submit = Callable[[RepSettings, str, str | Sequence[str], bytes], Awaitable[SubmitResult]]


@dataclass
class Context:
    settings: Settings
    engine: Engine
    drafter: Drafter
    open_mailbox: OpenMailbox
    submit: Submit
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("nurture"))
    classifier: ReplyClassifier | None = None  # None: the offline rules read every reply
    # Set on SIGTERM: stages finish the item in hand and start no other; the rest waits in
    # the database for the next start.
    stopping: threading.Event = field(default_factory=threading.Event)
    progress: bool = False  # a bar on stderr while a folder is read (`nurture tick --progress`)
    # The mailboxes this process holds (the daemon's leases, see assistant.leases): only these
    # are opened, synced and their mail understood. None: every mailbox (`nurture tick`).
    held: frozenset[str] | None = None
    # Every mailbox the replicas share out; a lead whose owner's mailbox is among them is swept
    # (full and timer passes) by that mailbox's holder only, any other lead by every replica.
    shared_out: frozenset[str] = frozenset()

    manners: Manners = field(default_factory=Manners)
    # Run after each pass: what the process owes outside the stages (the OAuth reconnect
    # notices, retried until sent).
    after_pass: Callable[[], Awaitable[None]] | None = None
    # What the adapters keep open between calls (the model API's pooled connections): closed
    # by `aclose`, on the event loop that used them, when the process is done with the context.
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def holds(self, mailbox: str) -> bool:
        return self.held is None or mailbox in self.held

    async def aclose(self) -> None:
        """Close the adapters' connections; the context is not used after this."""
        closers, self.closers = self.closers, []
        for close in closers:
            await close()

    def __post_init__(self) -> None:
        # Every connection any stage or watcher opens goes through the mailbox's gate (once:
        # a context copied from another keeps the gate it has).
        if not getattr(self.open_mailbox, "mannerly", False):
            self.open_mailbox = mannerly(self.open_mailbox, self.manners, self.log)


def mannerly(open_mailbox: OpenMailbox, manners: Manners, log: logging.Logger) -> OpenMailbox:
    """`open_mailbox` with at most `manners.limit` connections per mailbox at once, and a rest
    for the mailbox whose server answers that it is throttling it."""

    @asynccontextmanager
    async def opened(rep: RepSettings) -> AsyncIterator[Mailbox]:
        async with manners.connection(rep.email):
            try:
                async with open_mailbox(rep) as mailbox:
                    yield mailbox
            except ImapError as exc:
                if imap_throttled(str(exc)):
                    manners.throttled(rep.email, str(exc), log)
                raise
            manners.recovered(rep.email)

    opened.mannerly = True  # type: ignore[attr-defined]
    return opened
