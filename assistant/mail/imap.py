"""The IMAP side of a rep's mailbox: folder state, header and body fetches, APPEND, search.

Returns bytes and plain values only; parsing is assistant.mail.parse's job. Every response is
kept small (UID ranges of a few hundred) and every await has a timeout: aioimaplib 2.0.3
fails on single reads of more than ~1,000 lines.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import aioimaplib

from assistant.errors import ImapError
from assistant.oauth import sasl

HEADER_FIELDS = (
    "FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES "
    "AUTO-SUBMITTED X-AUTOREPLY PRECEDENCE RETURN-PATH CONTENT-TYPE X-FAILED-RECIPIENTS "
    "X-MS-EXCHANGE-MESSAGE-IS-NDR"
)
HEADER_CHUNK = 200
BODY_CHUNK = 25

T = TypeVar("T")


@dataclass(frozen=True)
class FolderInfo:
    uidvalidity: int
    uidnext: int
    exists: int


class BearerTokens(Protocol):
    """Where an OAuth mailbox gets its access token (assistant.oauth.tokens.TokenSource)."""

    async def access_token(self) -> str: ...

    def invalidate(self) -> None: ...


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str
    password: str
    timeout: float = 30.0
    auth: str = "password"  # password | xoauth2 | oauthbearer
    tokens: BearerTokens | None = None


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


SPECIAL_USES = ("\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", "\\All")
_LIST = re.compile(rb'^\(([^)]*)\) (?:"(?:[^"\\]|\\.)*"|NIL) (.+)$')

_CHANGE = re.compile(rb"^\d+ (EXISTS|EXPUNGE|RECENT|FETCH)\b")


class ImapMailbox:
    def __init__(
        self, client: aioimaplib.IMAP4, account: ImapAccount, lost: asyncio.Event | None = None
    ) -> None:
        self._client = client
        self._account = account
        self._selected: str | None = None
        self._folders: dict[str, str] | None = None
        self.lost = lost or asyncio.Event()  # set by the transport when the link drops

    @property
    def supports_idle(self) -> bool:
        return bool(self._client.has_capability("IDLE"))

    async def wait_for_change(self, folder: str, renew: float) -> bool:
        """One IDLE round of at most `renew` seconds; True when the server announced a change.

        `* BYE`, a dropped link and a DONE that gets no answer (a half-open connection) all
        raise ImapError, so the caller reconnects instead of waiting forever.
        """
        if self._selected != folder:
            await self.select(folder)
        idle = await self._call("IDLE", self._client.idle_start(timeout=renew))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + renew
        changed = False
        try:
            while not changed and (remaining := deadline - loop.time()) > 0:
                push = await self._push(remaining)
                if push is None or push == aioimaplib.STOP_WAIT_SERVER_PUSH:
                    break
                for line in push:
                    if isinstance(line, bytes) and line.startswith(b"BYE"):
                        raise ImapError(
                            f"IMAP server {self._where} said {line.decode(errors='replace')}"
                        )
                    changed = changed or bool(isinstance(line, bytes) and _CHANGE.match(line))
        finally:
            if not self.lost.is_set():
                self._client.idle_done()
        try:
            await asyncio.wait_for(asyncio.shield(idle), self._account.timeout)
        except TimeoutError:
            raise ImapError(
                f"IMAP {self._where} did not answer DONE: the link is half-open"
            ) from None
        except (aioimaplib.AioImapException, OSError) as exc:
            raise ImapError(f"IMAP IDLE on {self._where} failed: {exc}") from None
        if self.lost.is_set():
            raise ImapError(f"IMAP connection to {self._where} was lost")
        return changed

    async def _push(self, timeout: float) -> list[Any] | None:
        """The next server push, None when `timeout` passes; ImapError when the link drops."""
        getter = asyncio.ensure_future(self._client.wait_server_push(timeout))
        dropped = asyncio.ensure_future(self.lost.wait())
        try:
            done, _ = await asyncio.wait({getter, dropped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (getter, dropped):
                task.cancel()
        if getter in done and not getter.cancelled():
            try:
                return list(getter.result())
            except TimeoutError:
                return None
        raise ImapError(f"IMAP connection to {self._where} was lost during IDLE")

    async def _call(self, what: str, awaitable: Awaitable[T]) -> T:
        """Await one command: its answer, else ImapError on timeout or a dropped link.

        aioimaplib leaves a command waiting when the connection drops, so the link's loss
        is raced against it rather than waiting out the whole timeout.
        """
        command = asyncio.ensure_future(awaitable)
        dropped = asyncio.ensure_future(self.lost.wait())
        try:
            done, _ = await asyncio.wait(
                {command, dropped}, timeout=self._account.timeout, return_when="FIRST_COMPLETED"
            )
        finally:
            dropped.cancel()
        if command not in done:
            command.cancel()
            if dropped in done:
                raise ImapError(f"IMAP {what} on {self._where}: the connection was lost")
            raise ImapError(f"IMAP {what} on {self._where} timed out")
        try:
            return command.result()
        except (TimeoutError, aioimaplib.CommandTimeout):
            raise ImapError(f"IMAP {what} on {self._where} timed out") from None
        except (aioimaplib.AioImapException, OSError, RecursionError) as exc:
            raise ImapError(f"IMAP {what} on {self._where} failed: {exc}") from None

    @property
    def _where(self) -> str:
        return f"{self._account.username}@{self._account.host}:{self._account.port}"

    async def special_use(self) -> dict[str, str]:
        """Folders by SPECIAL-USE attribute (RFC 6154), e.g. {"\\Sent": "[Gmail]/Sent Mail"}."""
        if self._folders is None:
            response = await self._call("LIST", self._client.list('""', "*"))
            self._folders = {}
            for line in self._ok("LIST", response):
                if isinstance(line, bytes) and (m := _LIST.match(line)):
                    for flag in m.group(1).split():
                        if flag.decode() in SPECIAL_USES:
                            self._folders.setdefault(flag.decode(), _unquote(m.group(2)))
        return self._folders

    async def _resolve(self, folder: str) -> str:
        """A folder name; a SPECIAL-USE attribute such as \\Sent becomes that folder's name."""
        if folder not in SPECIAL_USES:
            return folder
        found = (await self.special_use()).get(folder)
        if found is None:
            raise ImapError(f"IMAP server {self._where} marks no folder as {folder} (SPECIAL-USE)")
        return found

    def _ok(self, what: str, response: Any) -> list[Any]:
        if response.result != "OK":
            text = b" ".join(x for x in response.lines if isinstance(x, bytes)).decode(
                errors="replace"
            )
            raise ImapError(f"IMAP {what} on {self._where} refused: {text}")
        return list(response.lines)

    async def select(self, folder: str) -> FolderInfo:
        name = await self._resolve(folder)
        lines = self._ok(
            f"SELECT {name}", await self._call("SELECT", self._client.select(_quote(name)))
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
        return max(_search_uids(lines), default=0) + 1

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
        """UID FETCH of one literal per message, read by `_FetchReader` off the wire.

        aioimaplib splits and rescans its buffer line by line (and once held a first sync of
        years of mail to its pace), so for this one command the reader takes the connection's
        incoming bytes, and hands them back, with anything after the answer, when it is done.
        """
        protocol = self._client.protocol
        if protocol.transport is None or protocol.pending_sync_command is not None:
            raise ImapError(f"IMAP UID FETCH on {self._where}: the connection is not ready")
        if protocol.pending_async_commands or protocol.incomplete_line:
            raise ImapError(f"IMAP UID FETCH on {self._where}: another command is running")
        tag = protocol.new_tag()
        reader = _FetchReader(tag.encode(), asyncio.get_running_loop())
        protocol.data_received = reader.feed  # an instance attribute: the class's is kept
        try:
            protocol.transport.write(f"{tag} UID FETCH {uid_set} {parts}\r\n".encode())
            result, text, fetched = await self._call("UID FETCH", reader.done)
        finally:
            del protocol.data_received
            if reader.rest:
                protocol.data_received(bytes(reader.rest))
        if result != b"OK":
            said = text.decode(errors="replace")
            raise ImapError(f"IMAP UID FETCH on {self._where} refused: {said}")
        return fetched

    async def append(self, folder: str, raw: bytes) -> None:
        name = await self._resolve(folder)
        response = await self._call(
            "APPEND", self._client.append(raw, mailbox=_quote(name), flags="(\\Seen)")
        )
        self._ok(f"APPEND to {folder}", response)

    async def contains_message_id(self, folder: str, message_id: str) -> bool:
        if self._selected != folder:
            await self.select(folder)
        safe = message_id.replace("\\", "").replace('"', "")
        response = await self._call(
            "UID SEARCH", self._client.uid_search(f'HEADER Message-ID "{safe}"', charset=None)
        )
        return bool(_search_uids(self._ok("UID SEARCH", response)))

    async def folders(self) -> dict[str, set[str]]:
        """Every folder's name with its flags, SPECIAL-USE ones (\\Sent ...) among them."""
        lines = self._ok("LIST", await self._call("LIST", self._client.list('""', "*")))
        found: dict[str, set[str]] = {}
        for line in lines[:-1]:
            if isinstance(line, bytes) and (m := _LIST.match(line)):
                found[_unquote(m.group(2))] = set(m.group(1).decode(errors="replace").split())
        return found

    async def delete_message_id(self, folder: str, message_id: str) -> int:
        """Delete the messages with this Message-ID from the folder; how many there were."""
        await self.select(folder)
        safe = message_id.replace("\\", "").replace('"', "")
        response = await self._call(
            "UID SEARCH", self._client.uid_search(f'HEADER Message-ID "{safe}"', charset=None)
        )
        uids = ",".join(str(u) for u in _search_uids(self._ok("UID SEARCH", response)))
        if not uids:
            return 0
        store = self._client.uid("store", uids, "+FLAGS.SILENT (\\Deleted)")
        self._ok("UID STORE", await self._call("UID STORE", store))
        if self._client.has_capability("UIDPLUS"):
            expunge = self._client.uid("expunge", uids)
        else:
            expunge = self._client.expunge()
        self._ok("EXPUNGE", await self._call("EXPUNGE", expunge))
        return uids.count(",") + 1


def _search_uids(lines: list[Any]) -> list[int]:
    """UIDs from a SEARCH response; aioimaplib hands back the untagged line without its
    "* SEARCH" prefix ("12 15"), an empty one when nothing matched, then the tagged text."""
    uids: list[int] = []
    for line in lines[:-1]:
        if not isinstance(line, bytes):
            continue
        words = line.split()
        if words[:1] == [b"SEARCH"]:
            words = words[1:]
        if words and all(w.isdigit() for w in words):
            uids += [int(w) for w in words]
    return uids


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(name: bytes) -> str:
    text = name.decode("utf-8", errors="replace").strip()
    if text.startswith('"') and text.endswith('"'):
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


@asynccontextmanager
async def connect(account: ImapAccount) -> AsyncIterator[ImapMailbox]:
    """A logged-in mailbox, logged out (or dropped) on the way out, whatever happened."""
    lost = asyncio.Event()
    try:
        client = await asyncio.wait_for(_open(account, lambda _exc: lost.set()), account.timeout)
    except TimeoutError:
        raise ImapError(f"IMAP connection to {account.host}:{account.port} timed out") from None
    except (aioimaplib.AioImapException, OSError, ssl.SSLError) as exc:
        raise ImapError(f"IMAP connection to {account.host}:{account.port} failed: {exc}") from None
    try:
        yield ImapMailbox(client, account, lost)
    finally:
        try:
            await asyncio.wait_for(client.logout(), 5)
        except (Exception, asyncio.CancelledError):  # a dead link has nothing left to log out of
            pass
        finally:  # the server hangs up after LOGOUT; the socket is not left to it
            _hang_up(client)


def _hang_up(client: aioimaplib.IMAP4) -> None:
    """Close the client's connection, or stop it being made: no socket outlives its mailbox."""
    connecting = getattr(client, "_client_task", None)
    if connecting is not None and not connecting.done():
        connecting.cancel()
    transport = getattr(client.protocol, "transport", None)
    if transport is not None:
        transport.close()


async def _open(account: ImapAccount, on_lost: Callable[[Any], None]) -> aioimaplib.IMAP4:
    # IMAP4 with an SSL context, not IMAP4_SSL: only IMAP4 reports a lost connection.
    client = aioimaplib.IMAP4(
        host=account.host,
        port=account.port,
        timeout=account.timeout,
        conn_lost_cb=on_lost,
        ssl_context=ssl.create_default_context() if account.security == "ssl" else None,
    )
    try:
        await client.wait_hello_from_server()
        if account.security == "starttls":
            await _starttls(client, account)
        if account.auth == "password":
            response = await client.login(account.username, account.password)
            if response.result != "OK":
                said = b" ".join(x for x in response.lines if isinstance(x, bytes)).decode(
                    errors="replace"
                )
                raise ImapError(
                    f"IMAP login as {account.username} on {account.host} was refused: {said}"
                )
        else:
            await _authenticate(client, account)
    except BaseException:  # no greeting, a refused login or token, a timeout: not logged in
        _hang_up(client)
        raise
    return client


async def _authenticate(client: aioimaplib.IMAP4, account: ImapAccount) -> None:
    """SASL with a bearer token; a refused token is refreshed and offered once more, since a
    token can end before its stated expiry (revoked sessions, clock skew)."""
    assert account.tokens is not None, "an OAuth mailbox needs its token source"
    mechanism = account.auth.upper()
    if f"AUTH={mechanism}" not in client.protocol.capabilities:
        raise ImapError(f"IMAP server {account.host} does not offer AUTH={mechanism}")
    for _attempt in range(2):
        token = await account.tokens.access_token()
        if mechanism == "XOAUTH2":
            initial = sasl.xoauth2(account.username, token)
        else:
            initial = sasl.oauthbearer(account.username, account.host, account.port, token)
        protocol = client.protocol
        command = _SaslCommand(protocol, mechanism, initial)
        response = await asyncio.wait_for(protocol.execute(command, scrub=initial), account.timeout)
        if response.result == "OK":
            protocol.state = aioimaplib.AUTH
            return
        account.tokens.invalidate()
    raise ImapError(f"IMAP {mechanism} login as {account.username} on {account.host} was refused")


class _FetchReader:
    """Reads a UID FETCH answer in which each message carries one literal: "* n FETCH (UID u
    BODY[...] {size}", the literal's bytes, then the item's closing line, which may hold the
    UID instead. Linear in the bytes read; untagged lines of other kinds are passed over."""

    def __init__(self, tag: bytes, loop: asyncio.AbstractEventLoop) -> None:
        self.tag = tag + b" "
        self.done: asyncio.Future[tuple[bytes, bytes, list[tuple[int, bytes]]]] = (
            loop.create_future()
        )
        self.rest = bytearray()  # what came after the tagged answer: aioimaplib's again
        self._buffer = bytearray()
        self._literal = 0  # bytes of the literal still to come
        self._uid: int | None = None
        self._body: bytes | None = None
        self._fetched: list[tuple[int, bytes]] = []

    def feed(self, data: bytes) -> None:
        if self.done.done():
            self.rest += data
            return
        buffer = self._buffer
        buffer += data
        at = 0
        while True:
            if self._literal:
                if len(buffer) - at < self._literal:
                    break
                self._body = bytes(buffer[at : at + self._literal])
                at += self._literal
                self._literal = 0
                continue
            end = buffer.find(b"\r\n", at)
            if end < 0:
                break
            line = bytes(buffer[at:end])
            at = end + 2
            if self._body is not None:  # the line that closes a FETCH item
                uid = self._uid
                if uid is None and (m := _UID.search(line)):
                    uid = int(m.group(1))
                if uid is not None:
                    self._fetched.append((uid, self._body))
                self._body, self._uid = None, None
            if line.startswith(self.tag):
                result, _, text = line[len(self.tag) :].partition(b" ")
                self.rest += buffer[at:]
                buffer.clear()
                self.done.set_result((result.upper(), text, self._fetched))
                return
            if b" FETCH " in line and (m := _LITERAL.search(line)):
                self._literal = int(m.group(1))
                uid_match = _UID.search(line)
                self._uid = int(uid_match.group(1)) if uid_match else None
                self._body = None if self._literal else b""
        del buffer[:at]


class _SaslCommand(aioimaplib.Command):
    """AUTHENTICATE with an initial response. A server that refuses the token sends its error
    as a continuation and waits for an empty answer (RFC 7628 section 3.2.3); aioimaplib's own
    xoauth2 waits forever there, so this answers it."""

    def __init__(self, protocol: aioimaplib.IMAP4ClientProtocol, mechanism: str, initial: str):
        super().__init__("AUTHENTICATE", protocol.new_tag(), mechanism, initial, loop=protocol.loop)
        self._protocol = protocol

    def append_to_resp(self, line: bytes, result: str = "Pending") -> None:
        if line.startswith(b"+") and self._protocol.transport is not None:
            self._protocol.transport.write(b"\r\n")
            return
        super().append_to_resp(line, result)


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
