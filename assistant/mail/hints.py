"""Turns a mail server's low-level refusal into one sentence naming the setting to change."""

from __future__ import annotations


def tls_mismatch(detail: str, key: str, security: str, port: int) -> str | None:
    """The sentence for TLS spoken to a plain-text port, or None when that is not the problem."""
    if "WRONG_VERSION_NUMBER" not in detail.upper():
        return None
    return (
        f'{key} is "{security}", but the server on port {port} answers in plain text: '
        f'set {key} = "starttls" (or "none" on a trusted local link), or use the TLS port.'
    )
