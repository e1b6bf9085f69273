"""The only code that changes a lead's status or a draft's state.

Each transition is a named function: a compare-and-set from the states that allow it, its
audit entry, and the side effects that belong to it (the content ledger on every `mark_sent`,
cancelled drafts and suppression on every stop, opt-out and hard bounce). Stages decide what
should happen; these functions make it so, the same way from the daemon, the web app and the
CLI.
"""

from assistant.lifecycle import drafts, leads, notices

__all__ = ["drafts", "leads", "notices"]
