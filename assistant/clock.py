"""The one clock. Every tick reads it once and passes `now` inward.

Tests and the demo move time with `NURTURE_NOW` (an ISO timestamp, read by every process)
or with `fast_forward()` inside one process.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    frozen = os.environ.get("NURTURE_NOW")
    if frozen:
        base = datetime.fromisoformat(frozen)
        if base.tzinfo is None:
            base = base.replace(tzinfo=UTC)
        return base.astimezone(UTC) + _offset
    return datetime.now(UTC) + _offset


def wall() -> datetime:
    """The machine's real time, never moved: what daemons on several hosts agree on (leases)."""
    return datetime.now(UTC)


def fast_forward(delta: timedelta) -> None:
    """Move this process's clock forward (used by the demo and tests)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)
