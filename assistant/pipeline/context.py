"""What every stage is handed: settings, the database, and the adapters to the outside."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from assistant.config import RepSettings, Settings
from assistant.llm.base import Drafter, ReplyClassifier
from assistant.mail.imap import Mailbox
from assistant.mail.smtp import SubmitResult

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
