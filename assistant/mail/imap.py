"""The IMAP side of a rep's mailbox: folder state, header and body fetches, APPEND, search.

Returns bytes and plain values only; parsing is assistant.mail.parse's job. Every response is
kept small (UID ranges of a few hundred) and every await has a timeout: aioimaplib 2.0.3
fails on single reads of more than ~1,000 lines.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import aioimaplib

from assistant.errors import ImapError

HEADER_FIELDS = (
    "FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES "
    "AUTO-SUBMITTED X-AUTOREPLY PRECEDENCE RETURN-PATH CONTENT-TYPE"
)
HEADER_CHUNK = 200
BODY_CHUNK = 25

T = TypeVar("T")


@dataclass(frozen=True)
class FolderInfo:
    uidvalidity: int
    uidnext: int
    exists: int


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str
    password: str
    timeout: float = 30.0


class Mailbox(Protocol):
    """What the pipeline needs of a mailbox; IMAP here, a local folder in the demo."""

    async def select(self, folder: str) -> FolderInfo: ...

    async def fetch_headers(self, first_uid: int, last_uid: int) -> list[tuple[int, bytes]]: ...

    async def fetch_messages(self, uids: list[int]) -> list[tuple[int, bytes]]: ...

    async def append(self, folder: str, raw: bytes) -> None: ...

    async def contains_message_id(self, folder: str, message_id: str) -> bool: ...


_UID = re.compile(rb"\bUID (\d+)")
_LITERAL = re.compile(rb"\{(\d+)\}$")
_CODE = {
    "uidvalidity": re.compile(rb"\[UIDVALIDITY (\d+)\]"),
    "uidnext": re.compile(rb"\[UIDNEXT (\d+)\]"),
}
_EXISTS = re.compile(rb"^(\d+) EXISTS")


class ImapMailbox:
    def __init__(self, client: aioimaplib.IMAP4, account: ImapAccount) -> None:
        self._client = client
        self._account = account
        self._selected: str | None = None

    async def _call(self, what: str, awaitable: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(awaitable, self._account.timeout)
        except TimeoutError:
            raise ImapError(f"IMAP {what} on {self._where} timed out") from None
        except (aioimaplib.AioImapException, OSError, RecursionError) as exc:
            raise ImapError(f"IMAP {what} on {self._where} failed: {exc}") from None

    @property
    def _where(self) -> str:
        return f"{self._account.username}@{self._account.host}:{self._account.port}"

    def _ok(self, what: str, response: Any) -> list[Any]:
        if response.result != "OK":
            text = b" ".join(x for x in response.lines if isinstance(x, bytes)).decode(
                errors="replace"
            )
            raise ImapError(f"IMAP {what} on {self._where} refused: {text}")
        return list(response.lines)

    async def select(self, folder: str) -> FolderInfo:
        lines = self._ok(
            f"SELECT {folder}", await self._call("SELECT", self._client.select(_quote(folder)))
        )
        self._selected = folder
        found: dict[str, int] = {}
        exists = 0
        for line in lines:
            if not isinstance(line, bytes):
                continue
            for name, pattern in _CODE.items():
                if m := pattern.search(line):
                    found[name] = int(m.group(1))
            if m := _EXISTS.match(line):
                exists = int(m.group(1))
        if "uidvalidity" not in found:
            raise ImapError(f"IMAP SELECT {folder} on {self._where} gave no UIDVALIDITY")
        uidnext = found.get("uidnext") or await self._uidnext_by_search()
        return FolderInfo(found["uidvalidity"], uidnext, exists)

    async def _uidnext_by_search(self) -> int:
        lines = self._ok(
            "UID SEARCH", await self._call("UID SEARCH", self._client.uid_search("ALL"))
        )
        uids = [
            int(x)
            for line in lines
            if isinstance(line, bytes) and line.startswith(b"SEARCH")
            for x in line.split()[1:]
        ]
        return max(uids, default=0) + 1

    async def fetch_headers(self, first_uid: int, last_uid: int) -> list[tuple[int, bytes]]:
        """Headers for lead triage of UIDs first..last, in bounded chunks."""
        out: list[tuple[int, bytes]] = []
        for start in range(first_uid, last_uid + 1, HEADER_CHUNK):
            end = min(start + HEADER_CHUNK - 1, last_uid)
            out += await self._fetch(
                f"{start}:{end}", f"(UID BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})])"
            )
        return out

    async def fetch_messages(self, uids: list[int]) -> list[tuple[int, bytes]]:
        out: list[tuple[int, bytes]] = []
        for i in range(0, len(uids), BODY_CHUNK):
            chunk = ",".join(str(u) for u in uids[i : i + BODY_CHUNK])
            out += await self._fetch(chunk, "(UID BODY.PEEK[])")
        return out

    async def _fetch(self, uid_set: str, parts: str) -> list[tuple[int, bytes]]:
        response = await self._call("UID FETCH", self._client.uid("fetch", uid_set, parts))
        return _fetched_literals(self._ok("UID FETCH", response))

    async def append(self, folder: str, raw: bytes) -> None:
        response = await self._call(
            "APPEND", self._client.append(raw, mailbox=_quote(folder), flags="(\\Seen)")
        )
        self._ok(f"APPEND to {folder}", response)

    async def contains_message_id(self, folder: str, message_id: str) -> bool:
        if self._selected != folder:
            await self.select(folder)
        safe = message_id.replace("\\", "").replace('"', "")
        response = await self._call(
            "UID SEARCH", self._client.uid_search(f'HEADER Message-ID "{safe}"', charset=None)
        )
        lines = self._ok("UID SEARCH", response)
        return any(
            isinstance(line, bytes) and line.startswith(b"SEARCH") and len(line.split()) > 1
            for line in lines
        )


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetched_literals(lines: list[Any]) -> list[tuple[int, bytes]]:
    """(uid, literal) pairs from FETCH response lines; the UID may stand before or after it."""
    out: list[tuple[int, bytes]] = []
    pending: bytes | None = None
    pending_uid: int | None = None
    for line in lines:
        if isinstance(line, bytearray):
            pending = bytes(line)
            continue
        if not isinstance(line, bytes):
            continue
        if pending is not None:  # the line closing the previous FETCH item
            uid = pending_uid
            if uid is None and (m := _UID.search(line)):
                uid = int(m.group(1))
            if uid is not None:
                out.append((uid, pending))
            pending, pending_uid = None, None
        if b" FETCH " in line and _LITERAL.search(line):
            m = _UID.search(line)
            pending_uid = int(m.group(1)) if m else None
    return out


@asynccontextmanager
async def connect(account: ImapAccount) -> AsyncIterator[ImapMailbox]:
    """A logged-in mailbox, logged out (or dropped) on the way out, whatever happened."""
    try:
        client = await asyncio.wait_for(_open(account), account.timeout)
    except TimeoutError:
        raise ImapError(f"IMAP connection to {account.host}:{account.port} timed out") from None
    except (aioimaplib.AioImapException, OSError, ssl.SSLError) as exc:
        raise ImapError(f"IMAP connection to {account.host}:{account.port} failed: {exc}") from None
    try:
        yield ImapMailbox(client, account)
    finally:
        try:
            await asyncio.wait_for(client.logout(), 5)
        except (Exception, asyncio.CancelledError):  # a dead link has nothing left to log out of
            transport = getattr(client.protocol, "transport", None)
            if transport is not None:
                transport.close()


async def _open(account: ImapAccount) -> aioimaplib.IMAP4:
    client: aioimaplib.IMAP4
    if account.security == "ssl":
        client = aioimaplib.IMAP4_SSL(
            host=account.host,
            port=account.port,
            timeout=account.timeout,
            ssl_context=ssl.create_default_context(),
        )
    else:
        client = aioimaplib.IMAP4(host=account.host, port=account.port, timeout=account.timeout)
    await client.wait_hello_from_server()
    if account.security == "starttls":
        await _starttls(client, account)
    response = await client.login(account.username, account.password)
    if response.result != "OK":
        raise ImapError(f"IMAP login as {account.username} on {account.host} was refused")
    return client


async def _starttls(client: aioimaplib.IMAP4, account: ImapAccount) -> None:
    """Upgrade the plain connection in place (aioimaplib has no STARTTLS of its own)."""
    protocol = client.protocol
    if "STARTTLS" not in protocol.capabilities:
        raise ImapError(f"IMAP server {account.host} does not offer STARTTLS")
    response = await protocol.simple_command("STARTTLS")
    if response.result != "OK":
        raise ImapError(f"IMAP STARTTLS on {account.host} was refused")
    loop = asyncio.get_running_loop()
    protocol.transport = await loop.start_tls(
        protocol.transport, protocol, ssl.create_default_context(), server_hostname=account.host
    )
    await protocol.capability()
