"""Where each mailbox's sync stands, for people: synced, syncing n of N, or needs attention.

Read from the database alone (folder marks, the server's UIDNEXT at the last SELECT, the last
sync error, the OAuth grant), so any replica or the web app alone tells the same story.
Pages include `_sync_status.html` with the rows `statuses` returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from assistant.config import Settings
from assistant.models import FolderState, Rep
from assistant.oauth.store import GrantState, MailboxGrant


@dataclass(frozen=True)
class SyncStatus:
    email: str
    state: str  # synced | syncing | needs attention | waiting
    done: int = 0  # messages (by UID) gone through, over every folder
    total: int = 0
    reason: str = ""

    @property
    def text(self) -> str:
        if self.state == "syncing":
            return f"syncing {self.done:,} of {self.total:,}"
        if self.state == "needs attention":
            return f"needs attention: {self.reason}"
        if self.state == "waiting":
            return "waiting for its first sync"
        return "synced"


def statuses(
    session: Session, settings: Settings, now: datetime, emails: list[str] | None = None
) -> list[SyncStatus]:
    """One status per configured mailbox (or per address in `emails`), in the file's order."""
    from assistant import roster

    wanted = [r.email for r in roster.reps(session, roster.ANY) if r.imap is not None]
    if emails is not None:
        wanted = [e for e in wanted if e in emails]
    rows = session.exec(
        select(Rep.email, FolderState)
        .join(FolderState, col(FolderState.rep_id) == col(Rep.id))
        .where(col(Rep.email).in_(wanted))
    ).all()
    folders: dict[str, list[FolderState]] = {}
    for email, state in rows:
        folders.setdefault(email, []).append(state)
    revoked = dict(
        session.exec(
            select(MailboxGrant.email, MailboxGrant.last_error).where(
                col(MailboxGrant.email).in_(wanted),
                MailboxGrant.state == GrantState.needs_reconnect.value,
            )
        ).all()
    )
    lag = settings.daemon.max_sync_lag_seconds
    return [_status(e, folders.get(e, []), revoked.get(e), now, lag) for e in wanted]


def _status(
    email: str, folders: list[FolderState], revoked: str | None, now: datetime, lag: float
) -> SyncStatus:
    if revoked is not None:
        return SyncStatus(email, "needs attention", reason=f"reconnect the mailbox ({revoked})")
    error = next((f.last_error for f in folders if f.last_error), None)
    if error:
        return SyncStatus(email, "needs attention", reason=error)
    if not folders:
        return SyncStatus(email, "waiting")
    done = sum(f.last_uid for f in folders)
    total = sum(max(f.last_uid, (f.uidnext or 1) - 1) for f in folders)
    if done < total:
        return SyncStatus(email, "syncing", done, total)
    synced = [f.synced_at for f in folders if f.synced_at is not None]
    oldest = min(synced) if len(synced) == len(folders) else None
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    if oldest is None or (now - oldest).total_seconds() > lag:
        return SyncStatus(email, "needs attention", done, total, "no sync lately")
    return SyncStatus(email, "synced", done, total)
