"""Manners towards mail providers: few connections per mailbox, a pause when they say so.

Gmail allows about 15 simultaneous IMAP connections per account and Microsoft 365 fewer;
both throttle an account that opens many or sends fast. Nurture opens at most two per
mailbox (the IDLE watch and one for sync, search and APPEND) and, when a provider answers
with a throttling reply, rests that one mailbox with a growing, jittered backoff, logging
once, while every other mailbox goes on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

MAX_CONNECTIONS = 2  # one for IDLE, one for sync, search and APPEND
FIRST_REST = 60.0
LONGEST_REST = 3600.0

# SMTP: enhanced status 4.7.x (Gmail's "421 4.7.0 Try again later", "451 4.7.0 ... rate
# limited"), Microsoft's "432 4.3.2 ... thread limit exceeded" and plain "try again later".
_SMTP = re.compile(
    r"\b4\.7\.\d{1,3}\b|try (again )?later|throttl|rate.limit|limit exceeded|too many|"
    r"server busy|requeststhrottled",
    re.IGNORECASE,
)
# IMAP: Gmail's "[THROTTLED]" and "Too many simultaneous connections", Microsoft's
# "RequestsThrottled" and "Server Busy", and the standard [UNAVAILABLE] code (RFC 5530).
_IMAP = re.compile(
    r"\[THROTTLED\]|too many simultaneous connections|requeststhrottled|server busy|"
    r"\[UNAVAILABLE\]|too many (connections|logins)",
    re.IGNORECASE,
)
_rng = random.SystemRandom()


def smtp_throttled(code: int | None, detail: str) -> bool:
    """A temporary SMTP answer that asks the sender to slow down, not a fault of the message."""
    return code is not None and 400 <= code < 500 and bool(_SMTP.search(detail))


def imap_throttled(detail: str) -> bool:
    return bool(_IMAP.search(detail))


def rest_seconds(strikes: int, rng: random.Random = _rng) -> float:
    """1, 2, 4 ... minutes up to an hour, each drawn between 80% and 120%."""
    return min(LONGEST_REST, FIRST_REST * 2 ** max(0, strikes - 1)) * rng.uniform(0.8, 1.2)


class Manners:
    """Per-mailbox connection gates and rests, for one process (each mailbox is watched by one
    daemon, so its connections are all here)."""

    def __init__(self, limit: int = MAX_CONNECTIONS, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self._clock = clock
        self._gates: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()
        self._until: dict[str, float] = {}
        self._strikes: Counter[str] = Counter()
        self.open: Counter[str] = Counter()  # connections open now, per mailbox
        self.most: Counter[str] = Counter()  # the most ever open at once, per mailbox

    @asynccontextmanager
    async def connection(self, mailbox: str) -> AsyncIterator[None]:
        """Hold one of the mailbox's connection places while the body runs."""
        gates = self._gates.setdefault(asyncio.get_running_loop(), {})
        gate = gates.setdefault(mailbox, asyncio.Semaphore(self.limit))
        async with gate:
            self.open[mailbox] += 1
            self.most[mailbox] = max(self.most[mailbox], self.open[mailbox])
            try:
                yield
            finally:
                self.open[mailbox] -= 1

    def resting(self, mailbox: str) -> float:
        """Seconds this mailbox still rests after a provider's throttling answer; 0 if none."""
        left = self._until.get(mailbox, 0.0) - self._clock()
        return max(0.0, left)

    def throttled(self, mailbox: str, answer: str, log: logging.Logger) -> float:
        """The provider throttled this mailbox: rest it, say so once, return how long."""
        was_resting = self.resting(mailbox) > 0
        self._strikes[mailbox] += 1
        rest = rest_seconds(self._strikes[mailbox])
        self._until[mailbox] = max(self._until.get(mailbox, 0.0), self._clock() + rest)
        if not was_resting:
            log.warning(
                "%s: the provider is throttling this mailbox (%s); resting it %.0f s",
                mailbox,
                answer,
                rest,
            )
        return rest

    def recovered(self, mailbox: str) -> None:
        """A command went through: the next throttle starts the backoff from the beginning."""
        self._strikes.pop(mailbox, None)
