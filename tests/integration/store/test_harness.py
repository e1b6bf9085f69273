"""The test servers behave like the real thing: Dovecot, SMTP and both databases."""

import base64
import imaplib
import smtplib
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from assistant.db import make_engine, schema_revisions
from assistant.models import Lead
from tests.bounds import HANG_SECONDS
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

MESSAGE = (
    b"From: Lead <lead@client.test>\r\n"
    b"To: Rep <rep@acme.test>\r\n"
    b"Subject: Pricing question\r\n"
    b"Message-ID: <harness-1@client.test>\r\n"
    b"\r\n"
    b"What does the enterprise plan cost?\r\n"
    b".a line that starts with a dot\r\n"
)


def test_dovecot_logs_in_and_returns_the_delivered_bytes(
    dovecot: Dovecot, mailbox_user: MailboxUser
) -> None:
    with imaplib.IMAP4(mailbox_user.host, mailbox_user.port) as imap:
        imap.login(mailbox_user.address, mailbox_user.password)
        _, capabilities = imap.capability()
        imap.logout()
    assert {b"IDLE", b"CONDSTORE", b"UIDPLUS"} <= set(capabilities[0].split())

    assert dovecot.deliver(mailbox_user.name, MESSAGE) == 1
    assert dovecot.deliver(mailbox_user.name, MESSAGE, folder="Sent") == 1
    assert dovecot.messages(mailbox_user.name) == [MESSAGE]
    assert dovecot.messages(mailbox_user.name, "Sent") == [MESSAGE]


def test_dovecot_idle_announces_new_mail(dovecot: Dovecot, mailbox_user: MailboxUser) -> None:
    # The socket timeout only catches a hang: a busy machine may be slow to announce the mail.
    with imaplib.IMAP4(mailbox_user.host, mailbox_user.port, timeout=HANG_SECONDS) as imap:
        imap.login(mailbox_user.name, mailbox_user.password)
        imap.select("INBOX")
        imap.send(b"t1 IDLE\r\n")
        assert imap.readline().startswith(b"+ ")

        dovecot.deliver(mailbox_user.name, MESSAGE)

        assert _read_until(imap, b"* 1 EXISTS")
        imap.send(b"DONE\r\n")
        assert _read_until(imap, b"t1 OK")


def _read_until(imap: imaplib.IMAP4, prefix: bytes) -> bytes:
    """Read response lines until one starts with ``prefix``; the socket timeout bounds it."""
    while not (line := imap.readline()).startswith(prefix):
        pass
    return line


def test_dovecot_refuses_a_wrong_password(mailbox_user: MailboxUser) -> None:
    with (
        imaplib.IMAP4(mailbox_user.host, mailbox_user.port) as imap,
        pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"),
    ):
        imap.login(mailbox_user.name, mailbox_user.password + "x")


def test_dovecot_restart_keeps_mail_and_port(dovecot: Dovecot, mailbox_user: MailboxUser) -> None:
    dovecot.deliver(mailbox_user.name, MESSAGE)
    port = dovecot.port
    before = dovecot.uidvalidity(mailbox_user.name)

    dovecot.restart()

    assert dovecot.port == port
    assert dovecot.messages(mailbox_user.name) == [MESSAGE]
    assert dovecot.uidvalidity(mailbox_user.name) == before


@pytest.mark.parametrize("folder", ["INBOX", "Sent"])
def test_recreated_folder_has_new_uidvalidity_and_reuses_uids(
    dovecot: Dovecot, mailbox_user: MailboxUser, folder: str
) -> None:
    first_uid = dovecot.deliver(mailbox_user.name, MESSAGE, folder)
    before = dovecot.uidvalidity(mailbox_user.name, folder)

    dovecot.recreate_folder(mailbox_user.name, folder)

    assert dovecot.uidvalidity(mailbox_user.name, folder) != before
    assert dovecot.messages(mailbox_user.name, folder) == []
    assert dovecot.deliver(mailbox_user.name, MESSAGE, folder) == first_uid


def test_smtp_records_envelope_and_exact_bytes(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        client.sendmail("rep@acme.test", ["lead@client.test", "cc@client.test"], MESSAGE)

    [received] = smtp_server.messages
    assert received.mail_from == "rep@acme.test"
    assert received.rcpt_tos == ("lead@client.test", "cc@client.test")
    assert received.data == MESSAGE


def test_smtp_fail_next_answers_the_code_once(smtp_server: SmtpServer) -> None:
    smtp_server.fail_next(451)
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("rep@acme.test", ["lead@client.test"], MESSAGE)
        assert refused.value.smtp_code == 451
        client.sendmail("rep@acme.test", ["lead@client.test"], MESSAGE)

    assert [m.data for m in smtp_server.messages] == [MESSAGE]


def test_smtp_421_closes_the_connection(smtp_server: SmtpServer) -> None:
    smtp_server.fail_next(421)
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("rep@acme.test", ["lead@client.test"], MESSAGE)
        assert refused.value.smtp_code == 421
        with pytest.raises(smtplib.SMTPServerDisconnected):
            client.noop()
    assert smtp_server.messages == []


def test_smtp_drop_after_data_reads_the_message_but_never_answers(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.drop_after_data_next()
    with (
        smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=5) as client,
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        client.sendmail("rep@acme.test", ["lead@client.test"], MESSAGE)

    assert [m.data for m in smtp_server.dropped] == [MESSAGE]
    assert smtp_server.messages == []


def test_smtp_auth_is_required_and_checked(
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server(login=("rep@acme.test", "s3cret"))
    with smtplib.SMTP(server.host, server.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPSenderRefused):
            client.sendmail("rep@acme.test", ["lead@client.test"], MESSAGE)
        assert client.docmd("AUTH", "PLAIN " + _plain("rep@acme.test", "wrong"))[0] == 535
        assert client.docmd("AUTH", "PLAIN " + _plain("rep@acme.test", "s3cret"))[0] == 235
        client.sendmail("rep@acme.test", ["lead@client.test"], MESSAGE)

    assert [m.data for m in server.messages] == [MESSAGE]


def _plain(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def test_empty_db_url_gives_an_empty_writable_database(empty_db_url: str) -> None:
    metadata = sa.MetaData()
    lead = sa.Table(
        "lead",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
    )
    engine = sa.create_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            assert sa.inspect(conn).get_table_names() == []
            metadata.create_all(conn)
            conn.execute(lead.insert().values(email="lead@client.test"))
        with engine.connect() as conn:
            assert conn.execute(sa.select(lead.c.email)).scalar_one() == "lead@client.test"
    finally:
        engine.dispose()


@pytest.mark.parametrize("lead", ["first@client.test", "second@client.test"])
def test_db_url_is_at_the_newest_schema_with_no_rows_and_each_test_has_its_own(
    db_url: str, lead: str
) -> None:
    engine = make_engine(db_url)
    try:
        current, head = schema_revisions(engine)
        assert current == head
        with Session(engine) as session:
            assert session.exec(select(Lead)).all() == []  # the other test's row is not here
            session.add(Lead(email=lead))
            session.commit()
    finally:
        engine.dispose()


def test_sqlite_url_is_a_file_database(sqlite_url: str) -> None:
    assert sqlite_url.startswith("sqlite:///") and sqlite_url.endswith("/nurture.db")
