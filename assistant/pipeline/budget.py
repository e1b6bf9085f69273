"""Each mailbox's send budget: the provider's own limits, which no cadence cap can exceed.

Google Workspace takes 2,000 messages a day from one user; Microsoft 365 10,000 recipients a
day and 30 messages a minute; other servers get `[sending] other_messages_per_day`. The
provider is the one the configuration names, else the one whose grant connected the mailbox,
else the one whose IMAP or SMTP host it is. A rep's `send_budget` overrides field by field.
Counts come from the mailbox's sends in the database, so they hold across restarts and
replicas; pure functions here, the queries in `schedule`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import accumulate

from assistant.config import RepSettings, Settings

DAY = timedelta(hours=24)
MINUTE = timedelta(seconds=60)
GOOGLE_HOSTS = ("gmail.com", "googlemail.com")
MICROSOFT_HOSTS = ("outlook.office365.com", "smtp.office365.com", "outlook.office.com")
LABELS = {"google": "Google Workspace", "microsoft": "Microsoft 365", "other": "the mail server"}


@dataclass(frozen=True)
class Budget:
    provider: str  # google | microsoft | other
    messages_per_day: int | None = None
    recipients_per_day: int | None = None
    messages_per_minute: int | None = None

    @property
    def label(self) -> str:
        return LABELS[self.provider]


@dataclass(frozen=True)
class Send:
    """One send of the mailbox, done or scheduled, and how many recipients it had."""

    at: datetime
    recipients: int = 1


def provider_of(rep: RepSettings, granted: str | None = None) -> str:
    """google, microsoft or other: from the file, the mailbox's OAuth grant, then the hosts."""
    named = rep.send_budget.provider
    if named is not None:
        return named
    for said in (
        rep.imap.provider if rep.imap else None,
        rep.smtp.provider if rep.smtp else None,
        granted,
    ):
        if said in ("google", "microsoft"):
            return said
    hosts = [s.host.lower().rstrip(".") for s in (rep.imap, rep.smtp) if s is not None]
    for host in hosts:
        if any(host == h or host.endswith("." + h) for h in GOOGLE_HOSTS):
            return "google"
        if host in MICROSOFT_HOSTS:
            return "microsoft"
    return "other"


def budget_for(settings: Settings, rep: RepSettings, granted: str | None = None) -> Budget:
    """The provider's defaults for this mailbox, with the rep's own settings on top."""
    provider = provider_of(rep, granted)
    if provider == "google":
        base = Budget("google", messages_per_day=2000)
    elif provider == "microsoft":
        base = Budget("microsoft", recipients_per_day=10000, messages_per_minute=30)
    else:
        base = Budget("other", messages_per_day=settings.sending.other_messages_per_day)
    own = rep.send_budget.model_dump(exclude_none=True, exclude={"provider"})
    return replace(base, **own)


def room(
    sends: Sequence[Send], moment: datetime, cap: int, span: timedelta, weight: int = 1
) -> datetime:
    """The first moment from `moment` when `weight` more keeps every `span` within `cap`.

    `sends` may hold mail scheduled after `moment`: every window that would contain the new
    send counts, on either side of it, so a send never pushes a later window over. Sums come
    from prefix sums, so a budget of thousands a day is checked in milliseconds.
    """
    if sum(s.recipients for s in sends) + weight <= cap:
        return moment  # the common case: far from the limit
    ordered = sorted(sends, key=lambda s: s.at)
    times = [s.at for s in ordered]
    prefix = [0, *accumulate(s.recipients for s in ordered)]

    def between(low: datetime, high: datetime) -> int:
        """Recipients sent in low < t <= high."""
        return prefix[bisect_right(times, high)] - prefix[bisect_right(times, low)]

    def from_(start: datetime) -> int:
        """Recipients sent in start <= t < start + span."""
        return prefix[bisect_left(times, start + span)] - prefix[bisect_left(times, start)]

    candidates = [moment, *(t + span for t in times if t + span > moment)]
    for candidate in candidates:
        if between(candidate - span, candidate) + weight > cap:
            continue  # the day that ends here is full already
        first = bisect_right(times, candidate - span)
        starts = [candidate, *times[first : bisect_right(times, candidate)]]
        if all(from_(start) + weight <= cap for start in starts):
            return candidate
    return candidates[-1]


def earliest(
    budget: Budget, sends: Sequence[Send], moment: datetime, recipients: int
) -> tuple[datetime, str]:
    """The first moment from `moment` the budget allows this send, and why it waits if it does."""
    limits = (
        (budget.messages_per_minute, MINUTE, False, "messages a minute"),
        (budget.messages_per_day, DAY, False, "messages a day"),
        (budget.recipients_per_day, DAY, True, "recipients a day"),
    )
    for cap, span, by_recipient, unit in limits:
        if cap is None:
            continue
        counted = sends if by_recipient else [Send(s.at) for s in sends]
        later = room(counted, moment, cap, span, recipients if by_recipient else 1)
        if later > moment:
            return later, f"the mailbox's {budget.label} send budget ({cap:,} {unit}) is reached"
    return moment, ""
