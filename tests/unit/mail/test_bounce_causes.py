"""Hard or soft from what the report says, delay warnings, and challenge-response mail."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from assistant.mail.classify import classify_bytes
from assistant.mail.dsn import is_probable_bounce

TODAY = date(2025, 1, 7)
DAEMON = "Mail Delivery System <MAILER-DAEMON@mx.ours.example>"


def _message(subject: str, body: str, sender: str = DAEMON) -> bytes:
    head = (
        f"From: {sender}\nTo: rep@ours.example\nSubject: {subject}\n"
        "Date: Tue, 7 Jan 2025 10:00:00 +0000\nMessage-ID: <r1@mx.ours.example>\n\n"
    )
    return (head + body).replace("\n", "\r\n").encode()


def _report(rcpt: str, status: str, diagnostic: str) -> bytes:
    head = (
        f"From: {DAEMON}\nTo: rep@ours.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Date: Tue, 7 Jan 2025 10:00:00 +0000\nMessage-ID: <r2@mx.ours.example>\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
    )
    body = (
        "--b\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.ours.example\n\n"
        f"Final-Recipient: rfc822; {rcpt}\nAction: failed\nStatus: {status}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n\n--b--\n"
    )
    return (head + body).replace("\n", "\r\n").encode()


def _bounce(raw: bytes) -> dict[str, Any]:
    got = classify_bytes(raw, today=TODAY)
    assert got["kind"] == "bounce"
    bounce: dict[str, Any] = got["bounce"]
    return bounce


@pytest.mark.parametrize(
    ("status", "diagnostic", "hard"),
    [
        ("5.1.1", "552 5.1.1 Max message size exceeded", False),
        ("5.0.0", "552 5.0.0 Mailbox full: user is over quota", False),
        ("5.0.0", "550 5.0.0 Message rejected: SPF check failed", False),
        ("5.7.1", "550 5.7.1 Unauthenticated email is not accepted due to DMARC policy", False),
        ("5.7.1", "550 5.7.1 Sender is not allowed to send to this list", False),
        ("5.0.0", "550 5.0.0 Greylisted, please try again later", False),
        ("5.0.0", "550 5.0.0 Rate limit exceeded for this sender", False),
        ("5.7.1", "554 5.7.1 <bob@example.org>: Relay access denied", True),
        ("5.7.1", "554 5.7.1 we do not relay for example.org", True),
        ("5.0.0", "550 5.0.0 <bob@example.org>... No such user", True),
        ("5.0.0", "550 Requested action not taken: mailbox unavailable", True),
        ("5.0.0", "550 5.0.0 domain not found", True),
        ("5.0.0", "550 5.0.0 No such recipient here", True),
        ("5.0.0", "550 Unrouteable address", True),
        ("5.1.2", "550 5.1.2 Host not found", True),
        ("5.1.10", "556 5.1.10 Recipient domain does not accept mail (null MX)", True),
        ("5.0.0", "550 5.0.0 Mailbox has been deleted", True),
        ("5.4.1", "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", True),
        ("5.7.1", "554 5.7.1 <bob@example.org>: Recipient address rejected: Access denied", False),
        ("5.0.0", "550 5.0.0 Message rejected: virus found in attachment", False),
        ("5.7.1", "550 5.7.1 Message rejected due to local policy", False),
        ("5.0.0", "552 5.0.0 Insufficient disk space for the mailbox", False),
    ],
)
def test_the_diagnostic_text_decides_hard_or_soft(status: str, diagnostic: str, hard: bool) -> None:
    bounce = _bounce(_report("bob@example.org", status, diagnostic))
    assert bounce["recipients"] == ["bob@example.org"]
    assert bounce["hard"] is hard


def test_all_hosts_failing_for_a_long_time_is_soft() -> None:
    body = (
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  ian@example.org\n"
        "    all hosts for 'example.org' have been failing for a long time\n"
    )
    bounce = _bounce(_message("Mail delivery failed: returning message to sender", body))
    assert (bounce["recipients"], bounce["hard"]) == (["ian@example.org"], False)


def test_a_qmail_rcpthosts_refusal_is_hard() -> None:
    body = (
        "Hi. This is the qmail-send program at mx.example.org.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<jo@example.org>:\nSorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\n"
    )
    bounce = _bounce(_message("failure notice", body))
    assert (bounce["recipients"], bounce["hard"]) == (["jo@example.org"], True)


def test_a_report_naming_no_recipient_and_no_code_is_soft() -> None:
    bounce = _bounce(_message("Mail delivery failed", "Your message could not be delivered.\n"))
    assert (bounce["recipients"], bounce["hard"]) == ([], False)


def test_a_returned_copys_spam_headers_do_not_soften_an_unknown_user() -> None:
    body = (
        "Delivery has failed to these recipients or groups:\n\nbob@example.org\n"
        "550 5.1.1 User unknown\n\nOriginal message headers:\n\n"
        "X-Spam-Status: No, score=-3.4\nX-Spam-Checker-Version: SpamAssassin 3.1.0\n"
    )
    bounce = _bounce(_message("Undeliverable: Demo", body))
    assert (bounce["recipients"], bounce["hard"]) == (["bob@example.org"], True)


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Warning: message still undelivered after 4 hours",
            "    **      THIS IS A WARNING MESSAGE ONLY      **\n\n"
            "   ----- Transcript of session follows -----\n"
            "<lou@example.org>... Deferred: Connection timed out with mx.example.org.\n"
            "Warning: message still undelivered after 4 hours\n"
            "Will keep trying until message is 5 days old\n",
        ),
        (
            "Delivery Status Notification (Delay)",
            "THIS IS A WARNING MESSAGE ONLY.\n\n"
            "Delivery to the following recipient has been delayed:\n\n     lou@example.org\n\n"
            "Message will be retried for 2 more day(s)\n",
        ),
    ],
)
def test_a_delay_warning_is_a_soft_bounce_with_its_recipient(subject: str, body: str) -> None:
    assert is_probable_bounce({"Subject": subject})
    bounce = _bounce(_message(subject, body))
    assert (bounce["recipients"], bounce["hard"]) == (["lou@example.org"], False)


@pytest.mark.parametrize(
    ("sender", "subject", "body"),
    [
        (
            "Boxbe <notify@boxbe.com>",
            "Request to join Pat Lee's Guest List (Action Required)",
            "Please click the link below to request to be added to Pat Lee's Guest List.\n",
        ),
        (
            "Pat <pat-verify@spamarrest.com>",
            "Re: Demo",
            "To control spam, I now allow incoming messages only from senders I have approved.\n",
        ),
        (
            "Pat Lee <pat@corp.example>",
            "Re: Demo",
            "Your message is being held. Please confirm you are a human by replying.\n",
        ),
        (
            "postmaster-verify@corp.example",
            "Your message is awaiting verification",
            "Your message could not be delivered yet: it is awaiting verification.\n",
        ),
    ],
)
def test_a_challenge_response_request_is_automated_mail(
    sender: str, subject: str, body: str
) -> None:
    got = classify_bytes(_message(subject, body, sender=sender), today=TODAY)
    assert (got["kind"], got["bounce"]) == ("auto_reply", None)


def test_a_person_mentioning_verification_is_still_a_person() -> None:
    body = "We still need to finish the security verification before we can sign.\n"
    got = classify_bytes(_message("Re: Demo", body, sender="Pat <pat@corp.example>"), today=TODAY)
    assert got["kind"] == "human"


def test_a_failed_sender_callout_is_a_soft_bounce_not_a_challenge() -> None:
    body = (
        "This is a permanent error. The following address(es) failed:\n\n  bob@example.org\n"
        "    550 5.7.1 Sender verification failed for <rep@ours.example>\n"
    )
    bounce = _bounce(_message("Mail delivery failed: returning message to sender", body))
    assert (bounce["recipients"], bounce["hard"]) == (["bob@example.org"], False)
