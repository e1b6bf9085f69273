"""How long a test waits for a process or a server before calling it hung.

Generous on purpose: a busy machine must never fail a test. Speed is measured in bench/.
"""

HANG_SECONDS = 900.0
