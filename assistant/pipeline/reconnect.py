"""The one email that tells a rep their mailbox needs reconnecting, sent through the operator's
notice account: the rep's own account may be the very grant that ended."""

from __future__ import annotations

import logging
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from assistant.clock import now
from assistant.config import Settings, secret
from assistant.mail import smtp
from assistant.mail.compose import new_message_id
from assistant.oauth.store import GrantStore

log = logging.getLogger("nurture.oauth")


def reconnect_message(settings: Settings, sender: str, rep_email: str) -> bytes:
    page = f"{settings.web.public_url}/mailbox" if settings.web.public_url else "the Mailbox page"
    msg = EmailMessage()
    msg["From"] = Address("Nurture", addr_spec=sender)
    msg["To"] = rep_email
    msg["Subject"] = "Reconnect your mailbox to Nurture"
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = new_message_id(sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        "Your mail provider no longer accepts Nurture's access to your mailbox (the access was\n"
        "withdrawn or has expired). Nothing is lost: syncing and sending wait for you.\n\n"
        f"Open {page} in Nurture and click Reconnect.\n"
    )
    return msg.as_bytes()


async def tell_owed(settings: Settings, store: GrantStore) -> int:
    """Send every owed notice, each once across replicas; one that fails is owed again and the
    next pass retries it. Without [oauth.notice_smtp] the web app alone shows it."""
    if settings.oauth.notice_smtp is None:
        for email in store.owed_notices():
            if store.claim_notice(email):
                log.warning(
                    "%s needs to reconnect; no [oauth.notice_smtp] to tell them by email", email
                )
        return 0
    told = 0
    for email in store.owed_notices():
        if not store.claim_notice(email):
            continue  # another replica has it
        if await tell_rep(settings, email):
            told += 1
        else:
            store.release_notice(email)
    return told


async def tell_rep(settings: Settings, rep_email: str) -> bool:
    """Send the notice through the operator's account; True when the server accepted it."""
    account = settings.oauth.notice_smtp
    if account is None:
        return False
    password = secret(str(settings.path), "oauth.notice_smtp.password_env", account.password_env)
    sender = settings.oauth.notice_from or account.username or rep_email
    result = await smtp.submit(
        smtp.SmtpAccount(
            account.host,
            account.port,
            account.security,
            account.username,
            password,
            account.timeout_seconds,
        ),
        sender,
        rep_email,
        reconnect_message(settings, sender, rep_email),
    )
    if result.outcome == "accepted":
        log.info("told %s to reconnect their mailbox", rep_email)
        return True
    log.warning(
        "could not tell %s to reconnect (%s); the next pass retries", rep_email, result.detail
    )
    return False
