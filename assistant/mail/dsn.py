"""Bounces: RFC 3464 reports, the common non-DSN forms, and flufl.bounce's MTA detectors."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message

from flufl.bounce import all_failures

from assistant.language import alternatives
from assistant.mail.headers import Address, header_text, message_ids, parse_addresses
from assistant.mail.parse import ParsedMessage

# flufl.bounce logs each of its detectors at INFO: noise in a daemon's log.
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)

_BOUNCE_LOCALPARTS = frozenset(
    {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "post_master", "mailer_daemon"}
)
# Delivery-report subjects of the common MTAs, and Exchange's NDR prefix in its languages.
_BOUNCE_SUBJECT = re.compile(
    rf"^\s*(?:\[[^\]]{{0,40}}\]\s*)?(?:{alternatives('bounce.subject')})", re.IGNORECASE
)
# A From field a mail system writes, even without a domain ("MAILER-DAEMON").
_DAEMON_FROM = re.compile(
    r"^\W*(?:mailer[-_]?daemon|mail[-_]daemon|postmaster|post_master|"
    r"mail delivery (?:system|subsystem|service)|mail administrator)\b",
    re.IGNORECASE,
)
_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
_SMTP_CODE = re.compile(r"(?<![\d.])([45]\d\d)(?:[\s-]|$)", re.MULTILINE)
_COPY_MARKER = re.compile(
    r"(?:this is a copy of (?:the|your) message|below this line is a copy of the message|"
    r"original message headers|original message follows|message headers follow|"
    r"enclosed is a copy of the message|the header of the original message|"
    r"------ original message|----- original message -----|unsent message below|"
    r"the headers of the original message|text of the original message|"
    r"------- returned message|the first \d+ lines of your original message)",
    re.IGNORECASE,
)
_DIAGNOSTIC_CHARS = 6000
_MESSAGE_ID_LINE = re.compile(r"^\s*message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_ADDRESS = r"[^<>\s\"'(),;:@]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
# Where each MTA names the failed recipient in its own text.
_RECIPIENT_LINES = tuple(
    re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    for pattern in (
        rf"^\s*(?:>>>\s*)?<({_ADDRESS})>\s*(?:\(expanded from <({_ADDRESS})>\))?\s*[:.(]",
        rf"^\s*<({_ADDRESS})>\s*$",
        rf"^\s*({_ADDRESS})\s*(?:\(\1\))?\s*$",
        rf"^\s*>>>\s*({_ADDRESS})\s*<",
        rf"^\s*({_ADDRESS}) on \w{{3}}, ",
        rf"^\s*(?:\S[^<\n]{{0,60}})?<mailto:({_ADDRESS})>\s*$",
        rf"^\s*({_ADDRESS})\s*:\s*$",
        rf"failed to deliver to '<?({_ADDRESS})>?'",
        rf"delivery of email to this address\s*\"({_ADDRESS})\"",
        rf"^\s*RCPT TO:\s*<?({_ADDRESS})>?\s*$",
        rf"^\s*\S.{{0,80}}\(({_ADDRESS})\)\s+not\s",
        # GroupWise and others: "recipient@example.net (user not found)"
        rf"^\s*<?({_ADDRESS})>?\s*\([^()\n]{{1,80}}\)\s*$",
    )
)
_RCPT_IN_SESSION = re.compile(rf"RCPT TO:\s*<({_ADDRESS})>", re.IGNORECASE)
_ANY_ADDRESS = re.compile(rf"(?<![\w.+-])({_ADDRESS})")
# A virus or malware found in the message; not a gateway's "scanned for all viruses" banner.
_VIRUS = (
    r"virus(?:es)? (?:found|detected)|(?:found|detected|contains?|infected (?:with|by)) "
    r"(?:an? )?(?:virus|malware)|\bmalware\b|\binfected\b"
)
# Errors about the sender or the message, not the recipient's address: the address may live.
_SOFT_TEXT = re.compile(
    r"mailbox (?:is )?full|quota|disk ?space|insufficient (?:system )?storage|"
    r"not (?:have )?enough (?:storage|space)|too much mail data|full mailbox|account is full|"
    r"exceeds? (?:the )?(?:maximum|size|message size)|size limit|message (?:is )?too (?:large|big)|"
    r"message size|too large for|mesg(?:too)?big|"
    r"\bspam\b|\bUBE\b|blocked|black ?list|block ?list|DNSBL|\bRBL\b|reputation|"
    rf"DMARC|\bSPF\b|DKIM|content rejected|banned|{_VIRUS}|policy|service (?:is )?(?:currently |"
    r"temporarily )?unavailable|"
    r"reverse DNS|\bPTR\b|\brDNS\b|unverifi|"
    r"relay(?:ing)?\b|authenticat|access denied|not permitted|"
    r"rate limit|too many|try again|temporar|deferred|delayed|not yet been delivered|"
    r"will (?:keep|continue) trying|will retry|retrying|timed? ?out|connection (?:was )?dropped|"
    r"\d+ (?:delivery )?attempts|(?:retry|attempt) limit|max(?:imum)? (?:number of )?retries|"
    r"connection refused|could not initiate|unavailable to take delivery|loops? back|hops|"
    r"not unique|without to:? field|smtp server of your ISP|unroutable sender|sender address|"
    r"sender domain",
    re.IGNORECASE,
)
# Causes that leave the address alive, named concretely enough to outweigh a status code
# (servers answer "5.1.1 max message size exceeded" or a bare 5.0.0 for a full mailbox).
_SOFT_CAUSE = re.compile(
    r"quota|mailbox (?:is )?full|full mailbox|account is full|insufficient (?:system )?storage|"
    r"message (?:is )?too (?:large|big)|size (?:limit|exceed)|exceeds? (?:the )?(?:maximum|"
    r"allowed|size|message size)|(?:max(?:imum)?|message) size|mesg(?:too)?big|"
    r"\bspam\b|(?<!-)\bblocked\b|black ?list|block ?list|DNSBL|\bRBL\b|spamhaus|reputation|"
    r"DMARC|\bSPF\b|DKIM|not (?:allowed|authori[sz]ed|permitted) to send|"
    r"sender (?:verification|address verification|is not allowed|not allowed|blocked)|"
    r"white ?list|approved senders|confirm (?:that )?you are|awaiting verification|"
    r"gr[ae]y ?list|rate limit|too many (?:messages|connections|recipients|mails)|"
    r"have been failing for a long time|retry time not reached|retry timeout exceeded|"
    r"(?:disk|storage) (?:space|limit|full)|out of (?:disk |storage )?space|"
    rf"over (?:its |the )?(?:storage )?limit|{_VIRUS}|content (?:rejected|filter)|"
    r"\bpolicy\b|suspicious|\bUBE\b|not accepting (?:e-?)?mail with|"
    r"attachments? (?:are |is )?not (?:allowed|accepted|permitted)",
    re.IGNORECASE,
)
# Errors that say the recipient's address itself does not exist, or that the recipient's own
# servers no longer take mail for it ("relaying denied" from its MX).
_HARD_TEXT = re.compile(
    r"user(?:name)? unknown|unknown (?:user|recipient|address|local|mailbox)|"
    r"no such (?:user|mailbox|recipient|address|account|person)|no mailbox|"
    r"mailbox (?:unavailable|not found|disabled)|"
    r"(?:does not|doesn't) exist|doesn't have a .{0,20}account|"
    r"invalid (?:recipient|user|address|mailbox)|recipient not found|RecipNotFound|"
    r"not listed in|recipient name is not recognized|address unknown|unknown or illegal alias|"
    r"(?:user|recipient|mailbox|address|account) not found|"
    r"not a valid (?:user|recipient|address|mailbox|e-?mail address)|"
    # MessageLabs and others, for a domain they do not take mail for.
    r"(?:use|using) (?:me|this (?:server|host)|us)\s.{0,60}as a relay|"
    r"nonexistent user|host unknown|host or domain name not found|unrouteable mail domain|"
    r"domain (?:not found|does not exist)|account (?:has been )?(?:disabled|closed|deactivated)|"
    r"not our customer|no longer (?:active|valid|with)|email account that you tried to reach|"
    r"relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited)|"
    r"not an? (?:open |permitted )?relay|(?:we|I) do not relay|unable to relay|"
    # Office 365's directory-based edge blocking: no such recipient in the tenant.
    r"5\.4\.1 recipient address rejected: access denied|"
    r"rcpthosts|no relaying|unroute?able address|host not found|no (?:mx|mail exchanger) "
    r"(?:record|host)|NXDOMAIN|bad destination (?:mailbox )?address|does not accept (?:e-?)?mail|"
    r"(?:account|mailbox|address) (?:is |has been )?"
    r"(?:inactive|expired|deleted|removed|terminated)",
    re.IGNORECASE,
)
_SENDER_REJECTED = re.compile(
    r"after MAIL FROM\b|MAIL FROM:<[^>]*>\s*(?:SIZE=\d+)?\s*$", re.I | re.M
)
# Header fields of a returned copy ("X-Spam-Status: No") are not the failure's words.
_HEADER_LINE = re.compile(
    r"^(?:X-[\w-]+|Received(?:-SPF)?|Authentication-Results|DKIM-Signature|ARC-[\w-]+):.*"
    r"(?:\n[ \t].*)*",
    re.IGNORECASE | re.MULTILINE,
)
_HARD_STATUS = frozenset({"5.1.0", "5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.4.4"})
_SOFT_STATUS = re.compile(r"^5\.(?:1\.[78]|2\.[23]|3\.4|4\.6|7\.\d+)$")
_FAILURE_WORDS = re.compile(
    r"could not be delivered|couldn't be delivered|was not delivered|not been delivered|"
    r"delivery (?:has )?failed|failed permanently|permanent (?:fatal )?error|undeliverable|"
    r"did not reach|unable to deliver|wasn't able to deliver|failed to deliver|"
    r"addresses? failed|delivery to the following|nondelivery|non-delivery",
    re.IGNORECASE,
)


# A warning that delivery is still being tried, written in the report's text (no DSN part).
_DELAY_TEXT = re.compile(
    r"warning message only|still undelivered after|(?:has|have) been delayed|"
    r"delivery (?:is |has been )?delayed|will (?:keep|continue) trying|will be retried|"
    r"has not yet been delivered|no need to resend",
    re.IGNORECASE,
)
_PERMANENT_TEXT = re.compile(
    r"permanent|given up|giving up|could not be delivered|undeliverable|was not delivered",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Bounce:
    """A failed or delayed delivery of one of our messages."""

    recipients: tuple[str, ...]
    hard: bool
    status: str | None
    original_message_id: str | None


def is_bounce_sender(sender: Address | None) -> bool:
    """Whether the From address is a mail system's (MAILER-DAEMON, postmaster, Exchange)."""
    return sender is not None and is_bounce_address(sender.email)


def is_bounce_address(email: str) -> bool:
    """Whether a lower-case address is a mail system's (MAILER-DAEMON, postmaster, Exchange)."""
    local = email.split("@", 1)[0]
    return local in _BOUNCE_LOCALPARTS or local.startswith("microsoftexchange")


def names_mail_system(value: str) -> bool:
    """Whether a raw From field starts with a mail system's name ("MAILER-DAEMON", …)."""
    return bool(_DAEMON_FROM.match(value))


def is_bounce_from(value: str) -> bool:
    """Whether a raw From field names a mail system, with or without an address."""
    if names_mail_system(value):
        return True
    senders = parse_addresses(value)
    return is_bounce_sender(senders[0] if senders else None)


def is_probable_bounce(headers: Mapping[str, str], senders: Iterable[str] | None = None) -> bool:
    """Whether a message is probably a delivery report, from its header fields alone.

    `headers` maps field names (any case) to values; the one rule ingest and
    understanding share to decide what to fetch and read as a bounce. `senders`, when
    given, are the lower-case address-like tokens of the From field (a header triage's):
    checked instead of parsing the field, they may say yes to more, never to less.
    """
    # Only the fields read below are looked up: a parsed message decodes a field on access.
    lower = all(name.islower() for name in headers)
    fields = headers if lower else {name.lower(): value for name, value in headers.items()}
    ctype = fields.get("content-type", "").lower()
    if "multipart/report" in ctype and "delivery-status" in ctype:
        return True
    if fields.get("x-failed-recipients", "").strip() or "x-ms-exchange-message-is-ndr" in fields:
        return True
    author = fields.get("from", "")
    if senders is None and is_bounce_from(author):
        return True
    if senders is not None and (names_mail_system(author) or any(map(is_bounce_address, senders))):
        return True
    # The null sender as the author too ("From: <>"): only a mail system writes that.
    if author.strip() == "<>" and fields.get("return-path", "").strip() == "<>":
        return True
    return bool(_BOUNCE_SUBJECT.match(header_text(fields.get("subject", ""))))


def looks_like_bounce(msg: ParsedMessage) -> bool:
    """Whether the message presents itself as a delivery report."""
    if is_probable_bounce(msg.raw_headers):
        return True
    return any(p.content_type == "message/delivery-status" for p in msg.parts)


def _recipient(value: str) -> str | None:
    found = parse_addresses(value.split(";", 1)[-1].strip())
    return found[0].email if found else None


def _add(found: list[str], addresses: Iterable[str | None]) -> None:
    for address in addresses:
        if address and address.lower() not in found:
            found.append(address.lower())


@dataclass(frozen=True)
class _Report:
    """What the delivery-status parts say: failed recipients and their status and diagnostic."""

    recipients: list[str]
    statuses: list[str]
    diagnostics: str
    delayed_only: bool
    delivered_only: bool


def _from_dsn(msg: ParsedMessage) -> _Report | None:
    """The failed and delayed recipients of the delivery-status parts, if the message has any."""
    failed: list[str] = []
    statuses: list[str] = []
    diagnostics: list[str] = []
    actions: set[str] = set()
    seen = False
    for part in msg.parts:
        if part.content_type != "message/delivery-status":
            continue
        seen = True
        for block in part.fields:
            fields = dict(block)
            action = fields.get("action", "").split(";", 1)[0].strip().lower()
            code_match = _STATUS.search(fields.get("status", ""))
            code = ".".join(code_match.groups()) if code_match else None
            if not action and not code and "final-recipient" not in fields:
                continue
            actions.add(action or "failed")
            if action in ("delivered", "relayed", "expanded") or (code or "").startswith("2"):
                continue
            final = _recipient(fields.get("final-recipient", ""))
            original = _recipient(fields.get("original-recipient", ""))
            _add(failed, (final, original))
            if code:
                statuses.append(code)
            diagnostics.append(fields.get("diagnostic-code", "") + " " + fields.get("status", ""))
    if not seen:
        return None
    failing = actions - {"delivered", "relayed", "expanded"}
    return _Report(
        failed,
        statuses,
        "\n".join(diagnostics),
        delayed_only=failing == {"delayed"},
        delivered_only=bool(actions) and not failing,
    )


def _diagnostic_text(text: str) -> tuple[str, str]:
    """The bounce's own text and the returned copy below its marker."""
    marker = _COPY_MARKER.search(text)
    if marker is None:
        return text, ""
    line_start = text.rfind("\n", 0, marker.start()) + 1
    return text[:line_start], text[line_start:]


def _text_recipients(own: str) -> list[str]:
    found: list[str] = []
    for pattern in _RECIPIENT_LINES:
        for match in pattern.finditer(own):
            _add(found, (_recipient(g) for g in match.groups() if g))
    if not found:
        _add(found, (_recipient(m.group(1)) for m in _RCPT_IN_SESSION.finditer(own)))
    if not found and (_FAILURE_WORDS.search(own) or _HARD_TEXT.search(own)):
        # A one-line report ("You sent mail to x@y. That's not a valid user here."): the one
        # address it names that is not a mail system's.
        named: list[str] = []
        _add(named, (m.group(1).rstrip(".") for m in _ANY_ADDRESS.finditer(own)))
        named = [a for a in named if a.split("@", 1)[0] not in _BOUNCE_LOCALPARTS]
        if len(named) == 1:
            found = named
    return found


def _library_recipients(source: Message | None) -> tuple[list[str], bool]:
    """flufl.bounce's recipients and whether it read them as temporary failures only."""
    if source is None:
        return [], False
    try:
        temporary, permanent = all_failures(source)
    # Its detectors are third-party regex code over hostile input: a failure in one must
    # leave the message to our own reading rather than stop understanding.
    except Exception:
        return [], False
    found: list[str] = []
    _add(found, (_recipient(a.decode("utf-8", "replace")) for a in sorted(permanent | temporary)))
    return found, bool(temporary) and not permanent


def _hard(statuses: list[str], text: str, *, delayed: bool, named: bool) -> bool:
    """Whether the failure says the address is dead: a concrete cause, status codes, words.

    `named` is whether the report names a failed recipient; one that names none and gives
    no code says nothing about any address.
    """
    temporary = any(s.startswith("4") for s in statuses) and not any(
        s.startswith("5") for s in statuses
    )
    if delayed or temporary or _SENDER_REJECTED.search(text):
        return False
    if not named and _first_status(statuses, text) is None:
        return False
    if _SOFT_CAUSE.search(_HEADER_LINE.sub("", text)):
        return False
    if _HARD_TEXT.search(text) or any(s in _HARD_STATUS for s in statuses):
        return True
    return not (_SOFT_TEXT.search(text) or any(_SOFT_STATUS.match(s) for s in statuses))


def _first_status(statuses: list[str], text: str) -> str | None:
    if statuses:
        return statuses[0]
    found = _STATUS.search(text)
    if found:
        return ".".join(found.groups())
    code = _SMTP_CODE.search(text)
    return f"{code.group(1)[0]}.0.0" if code else None


def _original_id(msg: ParsedMessage, returned_text: str) -> str | None:
    for part in msg.parts:
        if part.returned is not None and part.returned.message_id:
            return part.returned.message_id
    found = _MESSAGE_ID_LINE.search(returned_text)
    if found:
        ids = message_ids(found.group(1))
        if ids:
            return ids[0]
    # Exchange and Office 365 reports thread themselves under the message that bounced.
    return msg.headers.in_reply_to or (
        msg.headers.references[-1] if msg.headers.references else None
    )


def _others(recipients: list[str], msg: ParsedMessage) -> tuple[str, ...]:
    """The recipients without the report's own sender and addressee."""
    h = msg.headers
    ours = {a.email.lower() for a in (h.from_, *h.to) if a is not None}
    return tuple(r for r in recipients if r not in ours)


def find_bounce(msg: ParsedMessage) -> Bounce | None:
    """The bounce this message reports, or None when it reports no failed delivery."""
    own, returned = _diagnostic_text(msg.text)
    report = _from_dsn(msg)
    if report is not None and report.delivered_only:
        return None
    failed_header = msg.raw_headers.get("x-failed-recipients", "")
    recipients: list[str] = list(report.recipients) if report else []
    if not recipients:
        _add(recipients, (a.email for a in parse_addresses(failed_header)))
    library_temporary = False
    if not recipients:
        # A report without RFC 3464 fields: flufl.bounce's MTA detectors answer rarely wrongly
        # when they answer at all, so they go first and our reading of the text fills in.
        library, library_temporary = _library_recipients(msg.source)
        recipients = library or _text_recipients(own)
    recipients = list(_others(recipients, msg))
    statuses = report.statuses if report else []
    text = (
        f"{report.diagnostics if report else ''}\n{own[:_DIAGNOSTIC_CHARS]}\n{msg.headers.subject}"
    )
    delayed = bool(report and report.delayed_only) or (
        not report
        and (
            (library_temporary and not _FAILURE_WORDS.search(own))
            or (bool(_DELAY_TEXT.search(own)) and not _PERMANENT_TEXT.search(own))
        )
    )
    announced = report or failed_header or _BOUNCE_SUBJECT.match(msg.headers.subject)
    if not recipients and not announced and not _FAILURE_WORDS.search(own):
        return None
    if not returned and _MESSAGE_ID_LINE.search(msg.text):
        returned = msg.text
    return Bounce(
        tuple(recipients),
        _hard(statuses, text, delayed=delayed, named=bool(recipients)),
        _first_status(statuses, text),
        _original_id(msg, returned),
    )
