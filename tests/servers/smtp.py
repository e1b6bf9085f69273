"""A real SMTP server (aiosmtpd) that records what it receives and fails on request."""

import asyncio
import base64
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.bounds import HANG_SECONDS
from tests.servers import free_port


@dataclass(frozen=True)
class Received:
    """One DATA transaction as the server saw it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes


# A queued fault: an SMTP reply code, or DROP to hang up after reading DATA.
DROP = 0


class _Recorder:
    """The aiosmtpd handler: records messages and applies the queued faults in order."""

    def __init__(self, login: tuple[str, str] | None) -> None:
        self.login = login
        self.changed = threading.Condition()
        self.messages: list[Received] = []
        self.dropped: list[Received] = []
        self.refused: list[Received] = []  # answered with a queued failure code
        self.faults: list[int | tuple[int, str]] = []  # a code, or a code and its text

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            self.login is not None
            and isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.login
        )
        return AuthResult(success=ok, handled=False)

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        # aiosmtpd's own auth_required warns without TLS, and warnings are errors in tests.
        if (
            self.login is not None or isinstance(self, _BearerRecorder)
        ) and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        received = Received(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(envelope.original_content or b""),
        )
        with self.changed:
            queued = self.faults.pop(0) if self.faults else None
            fault, text = queued if isinstance(queued, tuple) else (queued, None)
            if fault is None:
                self.messages.append(received)
            elif fault == DROP:
                self.dropped.append(received)
            else:
                self.refused.append(received)
            self.changed.notify_all()
        if fault is None:
            return "250 OK"
        if fault == DROP:
            await _hang_up(server)
        if fault == 421:
            # 421 means the server closes the channel right after the reply.
            await server.push(f"421 {text or '4.3.0 Service shutting down (injected)'}")
            await _hang_up(server)
        return f"{fault} {text or f'{fault // 100}.0.0 Injected failure'}"

    def wait(self, count: int, timeout: float) -> list[Received]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


class _BearerRecorder(_Recorder):
    """A recorder that also takes XOAUTH2 and OAUTHBEARER, asking `bearer` whose a token is."""

    def __init__(self, bearer: Callable[[str], str | None]) -> None:
        super().__init__(None)
        self.bearer = bearer
        self.bearer_logins: list[str] = []

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._check(server, args, "user=")

    async def auth_OAUTHBEARER(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._check(server, args, "n,a=")

    async def _check(self, server: SMTP, args: list[str], user_prefix: str) -> AuthResult:
        fields = base64.b64decode(args[1]).decode().split("\x01") if len(args) > 1 else []
        user = next((f for f in fields if f.startswith(user_prefix)), "")
        user = user.removeprefix(user_prefix).rstrip(",")
        token = next((f for f in fields if f.startswith("auth=Bearer ")), "")[12:]
        owner = self.bearer(token) if token else None
        if owner is not None and owner == user.partition("@")[0]:
            with self.changed:
                self.bearer_logins.append(user)
            return AuthResult(success=True, auth_data=user)
        # RFC 7628: the error as a challenge, then the client's empty answer, then the code.
        await server.challenge_auth(base64.b64encode(b'{"status":"invalid_token"}'), False)
        return AuthResult(success=False, handled=False, message="535 5.7.8 invalid token")


async def _hang_up(server: SMTP) -> NoReturn:
    assert server.transport is not None
    server.transport.close()
    # Closing cancels this session's task; waiting here keeps aiosmtpd from replying.
    await asyncio.Future()
    raise AssertionError("the session task was not cancelled")


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with an optional AUTH PLAIN/LOGIN login."""

    def __init__(
        self,
        login: tuple[str, str] | None = None,
        bearer: Callable[[str], str | None] | None = None,
    ) -> None:
        """`bearer` turns on XOAUTH2 and OAUTHBEARER: it names the user a token belongs to."""
        self.host = "127.0.0.1"
        self.port = free_port()
        self.login = login
        self._recorder = _Recorder(login) if bearer is None else _BearerRecorder(bearer)
        kwargs: dict[str, Any] = {}
        if login is not None or bearer is not None:
            kwargs = {"authenticator": self._recorder.authenticate, "auth_require_tls": False}
        self._controller = Controller(self._recorder, hostname=self.host, port=self.port, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening and end open sessions."""
        self._controller.stop()

    @property
    def messages(self) -> list[Received]:
        """Messages accepted with 250, in order."""
        with self._recorder.changed:
            return list(self._recorder.messages)

    @property
    def refused(self) -> list[Received]:
        """Messages whose DATA was answered with a queued failure code."""
        with self._recorder.changed:
            return list(self._recorder.refused)

    @property
    def dropped(self) -> list[Received]:
        """Messages whose DATA was read but never answered."""
        with self._recorder.changed:
            return list(self._recorder.dropped)

    def wait_for_messages(self, count: int, timeout: float = HANG_SECONDS) -> list[Received]:
        """Block until ``count`` messages were accepted or the timeout passed; return them.

        This blocks the calling thread: from async code use ``asyncio.to_thread``.
        """
        return self._recorder.wait(count, timeout)

    @property
    def bearer_logins(self) -> list[str]:
        """Users that authenticated with a bearer token, in order."""
        assert isinstance(self._recorder, _BearerRecorder)
        with self._recorder.changed:
            return list(self._recorder.bearer_logins)

    def fail_next(self, code: int, times: int = 1, text: str | None = None) -> None:
        """Answer the next ``times`` DATA commands with ``code`` (and ``text``, e.g. a
        provider's "4.7.0 Try again later"); 421 also hangs up.

        Faults queued with this and ``drop_after_data_next`` apply in the order queued.
        """
        if not 400 <= code <= 599:
            raise ValueError(f"not an SMTP failure code: {code}")
        with self._recorder.changed:
            self._recorder.faults.extend([(code, text) if text else code] * times)

    def drop_after_data_next(self, times: int = 1) -> None:
        """Read the next ``times`` messages, then close the connection without a reply."""
        with self._recorder.changed:
            self._recorder.faults.extend([DROP] * times)
