"""Every message of CPython's own email test data goes through parse and classify."""

from __future__ import annotations

import sysconfig
from datetime import date
from pathlib import Path

from assistant.errors import ParseError
from assistant.mail.classify import classify_bytes
from assistant.mail.parse import parse_message

DATA = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"


def test_cpython_email_test_messages_never_crash() -> None:
    messages = sorted(DATA.glob("msg_*.txt"))
    assert messages, f"CPython's email test data is missing from this Python: {DATA}"
    kinds: dict[str, str] = {}
    for path in messages:
        raw = path.read_bytes()
        try:
            parse_message(raw)
        except ParseError as exc:
            assert exc.reason
        result = classify_bytes(raw, today=date(2025, 3, 4))
        kinds[path.name] = result["kind"]
    assert len(kinds) == len(messages) >= 40
    assert kinds["msg_16.txt"] == "bounce"
