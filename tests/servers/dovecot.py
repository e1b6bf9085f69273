"""A real Dovecot IMAP server in a temporary folder, run as a plain foreground process."""

import contextlib
import grp
import imaplib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bounds import HANG_SECONDS
from tests.servers import free_port

# Dovecot refuses to serve mail as root; scripts/bootstrap creates this user.
TEST_USER = "nurture-test"
DOMAIN = "acme.test"
START_TIMEOUT = HANG_SECONDS
STOP_TIMEOUT = 10.0

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = nurture-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = {uid}
last_valid_uid = 0
mail_uid = {user}
mail_gid = {group}
mail_location = maildir:~/Maildir
# No chroots, so that the server also runs without root.
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# Without this socket there is no growing delay after failed logins from 127.0.0.1,
# the address every test shares.
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {root}/users/%n
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {root}/users/%n
  default_fields = home={root}/mail/%n
}}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    auto = subscribe
    special_use = \\Sent
  }}
}}
"""

# With an authorization server: bearer tokens checked by token introspection (RFC 7662),
# before the passwd-file passdb, and only for the SASL mechanisms that carry tokens.
OAUTH2_PASSDB = """\
auth_mechanisms = plain login xoauth2 oauthbearer
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}
"""

OAUTH2_ARGS = """\
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
"""


@dataclass(frozen=True)
class MailboxUser:
    """A login on the test Dovecot and the address that goes with it."""

    name: str
    password: str
    address: str
    host: str
    port: int


class DovecotError(RuntimeError):
    """The test Dovecot did not start, stop or answer as expected."""


def _quote(mailbox: str) -> str:
    # imaplib sends arguments verbatim, so names with spaces need IMAP quoting.
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _run_user() -> pwd.struct_passwd:
    """The account the mail processes run as: the test user under root, else ourselves."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        raise DovecotError(
            f"user {TEST_USER!r} is missing: run scripts/bootstrap, or "
            f"useradd --system --no-create-home --shell /usr/sbin/nologin {TEST_USER}"
        ) from None


def _binary(name: str) -> str:
    # /usr/sbin is often missing from a non-root PATH.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise DovecotError(f"{name} not found: apt-get install dovecot-imapd")
    return found


class Dovecot:
    """One Dovecot instance on 127.0.0.1 with passwd-file users and Maildir storage."""

    def __init__(self, introspection_url: str | None = None, sent_folder: str = "Sent") -> None:
        """`introspection_url` adds XOAUTH2 and OAUTHBEARER logins checked at that endpoint;
        `sent_folder` names the folder marked \\Sent (SPECIAL-USE), as localized servers do."""
        self.introspection_url = introspection_url
        self.sent_folder = sent_folder
        self.host = "127.0.0.1"
        self.port = free_port()
        self._account = _run_user()
        self.root = Path(tempfile.mkdtemp(prefix="nurture-dovecot-"))
        # Login and auth processes run as the test user and must reach these files.
        self.root.chmod(0o755)
        self.log_path = self.root / "dovecot.log"
        self.config_path = self.root / "dovecot.conf"
        self._users = self.root / "users"
        self._passwords: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None
        try:
            self._write_files()
            self.start()
        except BaseException:
            self.stop()
            raise

    def _write_files(self) -> None:
        (self.root / "state").mkdir()
        mail = self.root / "mail"
        mail.mkdir()
        os.chown(mail, self._account.pw_uid, self._account.pw_gid)
        self._users.mkdir()
        self._users.chmod(0o755)
        config = CONFIG.format(
            root=self.root,
            port=self.port,
            user=self._account.pw_name,
            group=grp.getgrgid(self._account.pw_gid).gr_name,
            uid=self._account.pw_uid,
        )
        if self.sent_folder != "Sent":
            config = config.replace("mailbox Sent {", f'mailbox "{self.sent_folder}" {{', 1)
        if self.introspection_url is not None:
            # Later settings win in dovecot.conf, and passdbs are asked in the order given.
            head, _, tail = config.partition("passdb {")
            config = head + OAUTH2_PASSDB.format(root=self.root) + "passdb {" + tail
            args = self.root / "dovecot-oauth2.conf.ext"
            args.write_text(OAUTH2_ARGS.format(url=self.introspection_url))
            args.chmod(0o644)
        self.config_path.write_text(config)

    def start(self) -> None:
        """Start the server process and wait until it greets IMAP clients."""
        if self._process is not None:
            raise DovecotError("Dovecot is already running")
        # A file, not a pipe: the daemon's children inherit the descriptor and keep it open.
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [_binary("dovecot"), "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_for_greeting()

    def _wait_for_greeting(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise DovecotError(f"Dovecot exited with {self._process.returncode}{self._log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=2) as sock,
            ):
                if sock.recv(200).startswith(b"* OK"):
                    return
            time.sleep(0.05)
        raise DovecotError(f"Dovecot did not greet on port {self.port}{self._log()}")

    def _log(self) -> str:
        if not self.log_path.exists():
            return ""
        tail = self.log_path.read_text(errors="replace").splitlines()[-20:]
        return "\n" + "\n".join(tail)

    def _stop_process(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        # The master leaves its log, stats and mail processes running when it exits, so
        # the whole process group is stopped, as a machine shutdown would.
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        deadline = time.monotonic() + STOP_TIMEOUT
        while _signal_group(process.pid, 0) and time.monotonic() < deadline:
            time.sleep(0.02)
        # Bounded: under an init that does not reap orphans, their zombies stay in the group.
        _signal_group(process.pid, signal.SIGKILL)

    def restart(self) -> None:
        """Stop and start the server on the same port; users and mail are kept."""
        self._stop_process()
        self.start()

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        self._stop_process()
        shutil.rmtree(self.root, ignore_errors=True)

    def new_user(self) -> MailboxUser:
        """Add a login with a unique name and password."""
        name = f"rep-{uuid.uuid4().hex[:10]}"
        password = secrets.token_urlsafe(12)
        self.add_user(name, password)
        return MailboxUser(name, password, f"{name}@{DOMAIN}", self.host, self.port)

    def add_user(self, name: str, password: str = "secret") -> None:
        """Add a login that works at once; ``name@acme.test`` logs in as the same user."""
        if not re.fullmatch(r"[a-z0-9._-]+", name) or ":" in password or "\n" in password:
            raise ValueError(f"unusable test login {name!r}")
        # One passwd-file per user: Dovecot rereads a changed file at most once a second,
        # but opens a file it has not seen yet on first use.
        path = self._users / name
        path.write_text(f"{name}:{{PLAIN}}{password}::::::\n")
        path.chmod(0o644)
        self._passwords[name] = password

    @contextlib.contextmanager
    def _imap(self, user: str) -> Iterator[imaplib.IMAP4]:
        with imaplib.IMAP4(self.host, self.port, timeout=10) as imap:
            imap.login(user, self._passwords[user])
            yield imap

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> int:
        """Append a message to a folder and return its UID.

        imaplib turns bare LF into CRLF, so fetched bytes equal ``raw`` when it uses CRLF.
        """
        with self._imap(user) as imap:
            status, data = imap.append(_quote(folder), None, None, raw)
        reply = _text(data)
        found = re.search(r"\[APPENDUID \d+ (\d+)\]", reply)
        if status != "OK" or found is None:
            raise DovecotError(f"APPEND to {folder} for {user} failed: {status} {reply}")
        return int(found.group(1))

    def fill(self, user: str, raws: Iterable[bytes], folder: str = "INBOX") -> int:
        """Put many messages straight into the folder's Maildir, as years of mail would be;
        Dovecot numbers them on the next SELECT. Far faster than one APPEND each."""
        with self._imap(user) as imap:  # the first login makes the Maildir
            _check(imap.select(_quote(folder)), f"SELECT {folder}")
        maildir = self.root / "mail" / user / "Maildir"
        target = (maildir if folder.upper() == "INBOX" else maildir / f".{folder}") / "cur"
        stamp = int(time.time())
        count = 0
        for count, raw in enumerate(raws, 1):
            path = target / f"{stamp}.M{count:07d}P{os.getpid()}.nurture,S={len(raw)}:2,S"
            path.write_bytes(raw.replace(b"\r\n", b"\n"))
            os.chown(path, self._account.pw_uid, self._account.pw_gid)
        return count

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Every message in the folder, raw, in UID order."""
        with self._imap(user) as imap:
            status, data = imap.select(_quote(folder), readonly=True)
            if status != "OK":
                raise DovecotError(f"cannot open {folder} for {user}: {_text(data)}")
            if int(_text(data)) == 0:
                return []
            status, response = imap.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
        if status != "OK":
            raise DovecotError(f"FETCH in {folder} for {user} failed: {_text(response)}")
        fetched: list[tuple[int, bytes]] = []
        for item in response:
            if isinstance(item, tuple):
                uid = re.search(rb"UID (\d+)", item[0])
                assert uid is not None, item[0]
                fetched.append((int(uid.group(1)), item[1]))
        return [raw for _, raw in sorted(fetched)]

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        """The folder's current UIDVALIDITY."""
        with self._imap(user) as imap:
            status, data = imap.status(_quote(folder), "(UIDVALIDITY)")
        found = re.search(r"UIDVALIDITY (\d+)", _text(data))
        if status != "OK" or found is None:
            raise DovecotError(f"STATUS {folder} for {user} failed: {_text(data)}")
        return int(found.group(1))

    def recreate_folder(self, user: str, folder: str) -> None:
        """Empty the folder and give it a new UIDVALIDITY, as when a server rebuilds it.

        UIDs start again at 1, so old UIDs now name different messages. IMAP cannot delete
        INBOX, so for INBOX the server restarts and connected clients are dropped.
        """
        before = self.uidvalidity(user, folder)
        if folder.upper() == "INBOX":
            self._reset_inbox(user)
        else:
            with self._imap(user) as imap:
                _check(imap.delete(_quote(folder)), f"DELETE {folder}")
                _check(imap.create(_quote(folder)), f"CREATE {folder}")
                _check(imap.subscribe(_quote(folder)), f"SUBSCRIBE {folder}")
        after = self.uidvalidity(user, folder)
        if after == before:
            raise DovecotError(f"UIDVALIDITY of {folder} stayed {before}")

    def _reset_inbox(self, user: str) -> None:
        # With the server down, removing the Maildir's UID list and indexes makes Dovecot
        # build new ones with a fresh UIDVALIDITY, as after a server migration. Doing it
        # live corrupts the indexes that open sessions hold.
        self._stop_process()
        maildir = self.root / "mail" / user / "Maildir"
        for pattern in ("cur/*", "new/*", "tmp/*", "dovecot-uidlist", "dovecot.*index*"):
            for path in maildir.glob(pattern):
                path.unlink()
        self.start()


def _signal_group(pgid: int, signum: int) -> bool:
    """Signal a process group; False once no process is left in it."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    return True


def _text(data: Sequence[object]) -> str:
    first = data[0] if data else b""
    return first.decode(errors="replace") if isinstance(first, bytes) else str(first)


def _check(result: tuple[str, Sequence[object]], what: str) -> None:
    status, data = result
    if status != "OK":
        raise DovecotError(f"{what} failed: {_text(data)}")
