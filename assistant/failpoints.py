"""Named points where fault-injection tests kill the process (NURTURE_FAILPOINT=name)."""

from __future__ import annotations

import os
import signal


def hit(name: str) -> None:
    if os.environ.get("NURTURE_FAILPOINT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
