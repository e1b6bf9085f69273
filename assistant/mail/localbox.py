"""A mailbox kept as a folder of .eml files: the demo's stand-in for an IMAP server.

Each mail folder is a directory with one `<uid>.eml` per message and a UIDVALIDITY file,
so the pipeline runs against it exactly as it runs against IMAP.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.mail.imap import FolderInfo

_MESSAGE_ID = re.compile(rb"^message-id:\s*(<[^>\r\n]+>)", re.I | re.M)


class LocalMailbox:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._selected = "INBOX"

    def _folder(self, folder: str) -> Path:
        path = self.root / folder
        path.mkdir(parents=True, exist_ok=True)
        validity = path / "UIDVALIDITY"
        if not validity.exists():
            validity.write_text("1\n")
        return path

    def _uids(self, folder: str) -> list[int]:
        return sorted(int(p.stem) for p in self._folder(folder).glob("*.eml"))

    def deliver(self, folder: str, raw: bytes) -> int:
        uid = max(self._uids(folder), default=0) + 1
        (self._folder(folder) / f"{uid}.eml").write_bytes(raw)
        return uid

    async def select(self, folder: str) -> FolderInfo:
        path = self._folder(folder)
        self._selected = folder
        uids = self._uids(folder)
        validity = int((path / "UIDVALIDITY").read_text().strip())
        return FolderInfo(validity, max(uids, default=0) + 1, len(uids))

    async def fetch_headers(self, first_uid: int, last_uid: int) -> list[tuple[int, bytes]]:
        out = []
        for uid, raw in await self.fetch_messages(
            [u for u in self._uids(self._selected) if first_uid <= u <= last_uid]
        ):
            head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
            out.append((uid, head + b"\r\n\r\n"))
        return out

    async def fetch_messages(self, uids: list[int]) -> list[tuple[int, bytes]]:
        folder = self._folder(self._selected)
        return [
            (uid, (folder / f"{uid}.eml").read_bytes())
            for uid in uids
            if (folder / f"{uid}.eml").exists()
        ]

    async def append(self, folder: str, raw: bytes) -> None:
        self.deliver(folder, raw)

    async def contains_message_id(self, folder: str, message_id: str) -> bool:
        wanted = message_id.encode()
        for path in self._folder(folder).glob("*.eml"):
            head = re.split(rb"\r?\n\r?\n", path.read_bytes(), maxsplit=1)[0]
            m = _MESSAGE_ID.search(head)
            if m and m.group(1) == wanted:
                return True
        return False
