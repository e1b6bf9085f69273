"""Logging: plain text or one JSON object per line, with ids from context and secrets masked."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from assistant.config import Settings

IDS = ("mailbox", "lead_id", "draft_id")
_ids: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_ids", default={})  # noqa: B039
QUIET = ("aioimaplib", "apscheduler", "httpx", "anthropic", "mail.log", "alembic", "bm25s")
MASK = "[secret]"


@contextmanager
def ids(**values: Any) -> Iterator[None]:
    """Put mailbox / lead_id / draft_id on every record logged inside the block."""
    token = _ids.set({**_ids.get(), **{k: v for k, v in values.items() if v is not None}})
    try:
        yield
    finally:
        _ids.reset(token)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    found = dict(_ids.get())
    for key in IDS:  # extra= on the call wins over the surrounding context
        if getattr(record, key, None) is not None:
            found[key] = getattr(record, key)
    return found


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, the ids present, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain format, with the ids in brackets when there are any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        found = _fields(record)
        return line + (" [" + " ".join(f"{k}={v}" for k, v in found.items()) + "]" if found else "")


class Masking(logging.Formatter):
    """Wraps a formatter and replaces every configured secret's value in what it writes."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for value in self.secrets:
            line = line.replace(value, MASK)
            line = line.replace(json.dumps(value)[1:-1], MASK)  # as escaped inside JSON
        return line


def secret_values(settings: Settings | None) -> list[str]:
    """The values of every environment variable the settings name as holding a secret."""
    if settings is None:
        return []
    oauth = settings.oauth
    names: list[str | None] = [
        settings.llm.api_key_env,
        settings.web.secret_key_env,
        oauth.token_key_env,
        oauth.notice_smtp.password_env if oauth.notice_smtp else None,
    ]
    for client in (oauth.google, oauth.microsoft, oauth.custom):
        names.append(client.client_secret_env if client else None)
    for rep in settings.reps:
        names.append(rep.imap.password_env if rep.imap else None)
        names.append(rep.smtp.password_env if rep.smtp else None)
    return [os.environ[n] for n in names if n and os.environ.get(n)]


def configure(
    *, verbose: bool = False, fmt: str = "text", settings: Settings | None = None
) -> None:
    """Log to stderr in `fmt` ("text" or "json"), masking the settings' secrets."""
    inner = JsonFormatter() if fmt == "json" else TextFormatter()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Masking(inner, secret_values(settings)))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "nurture", False)]:
        root.removeHandler(old)  # called again with the settings once they are read
    handler.nurture = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)
