"""Watches each rep's INBOX with IMAP IDLE and wakes a pass for that mailbox when mail arrives.

One long-lived connection per rep. IDLE is renewed before the server's 30-minute limit,
which also proves the link alive; `* BYE`, a dropped or half-open link and a restarted
server end in a reconnect after a capped, jittered backoff; every login, the first included,
is followed by a catch-up sync of that mailbox.
Servers without IDLE are left to the daemon's regular polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable

from assistant.config import RepSettings
from assistant.errors import MailError
from assistant.mail.imap import ImapMailbox
from assistant.metrics import IDLE
from assistant.pipeline.context import OpenMailbox

_rng = random.SystemRandom()


def reconnect_delay(failures: int, cap: float, rng: random.Random = _rng) -> float:
    """1, 2, 4 ... seconds up to `cap`, drawn between half and all of it ("equal jitter")."""
    ceiling = min(cap, 2.0 ** max(0, failures - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


async def watch(
    rep: RepSettings,
    open_mailbox: OpenMailbox,
    wake: Callable[[str], None],
    *,
    renew: float,
    reconnect_cap: float,
    log: logging.Logger,
    delay: float = 0.0,
    resting: Callable[[str], float] = lambda _email: 0.0,
) -> None:
    """Run until cancelled; call `wake(reason)` whenever this mailbox should be synced now.

    `delay` staggers the first login, so a daemon with hundreds of mailboxes does not open
    them all in the same second; `resting` tells how long the mailbox's provider asked it to
    pause, which a reconnect waits out.
    """
    try:
        await _watch(rep, open_mailbox, wake, renew, reconnect_cap, log, delay, resting)
    finally:  # the mailbox went to another replica, or the daemon stops: no longer watched here
        with contextlib.suppress(KeyError):
            IDLE.remove(rep.email)


async def _watch(
    rep: RepSettings,
    open_mailbox: OpenMailbox,
    wake: Callable[[str], None],
    renew: float,
    reconnect_cap: float,
    log: logging.Logger,
    delay: float,
    resting: Callable[[str], float],
) -> None:
    folder = rep.imap.inbox if rep.imap else "INBOX"
    failures = 0
    idle = IDLE.labels(rep.email)
    await asyncio.sleep(delay)
    while True:
        idle.set(0)
        try:
            async with open_mailbox(rep) as mailbox:
                if not isinstance(mailbox, ImapMailbox) or not mailbox.supports_idle:
                    log.info("%s: the server has no IDLE; polling instead", rep.email)
                    return
                # Mail that came before IDLE began announces nothing: sync once on every
                # login, the first one included.
                if failures:
                    log.info("%s: IMAP watch reconnected; catching up", rep.email)
                    wake(f"{rep.email}: reconnected")
                else:
                    wake(f"{rep.email}: watching")
                failures = 0
                idle.set(1)
                while True:
                    if await mailbox.wait_for_change(folder, renew):
                        wake(f"{rep.email}: new mail")
        except MailError as exc:
            failures += 1
            delay = max(reconnect_delay(failures, reconnect_cap), resting(rep.email))
            log.warning("%s: IMAP watch lost (%s); reconnecting in %.1f s", rep.email, exc, delay)
            await asyncio.sleep(delay)
