"""What a lead has already received, and what colleagues at the same company received lately.

The ledger (ContentDelivery) learns from Nurture's own sends and from the rep's mail found in
the Sent folder: a link to a library item's address, however the rep's mail client or
marketing tools dressed it up, or an attached file with the same SHA-256 as the item's file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from assistant.content.vocabulary import wordset
from assistant.models import (
    OPEN_DRAFT_STATES,
    ContentDelivery,
    ContentItem,
    Draft,
    DraftState,
    Lead,
)

_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+", re.IGNORECASE)
# Parameters that say who clicked or which campaign sent the link, never which page it is.
_TRACKING = re.compile(
    r"utm_\w+|gclid|dclid|fbclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|__hs\w+|hsctatracking|"
    r"mkt_tok|trk|trkcampaign|sc_cid|cmpid|ref|ref_src|source|vero_\w+|_ga|_gl|yclid|igshid|"
    r"li_fat_id|oly_\w+|wickedid|s_cid|elqtrack\w*|elq\w*|pi_\w+|sfmc_\w+",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# A shared address book says nothing about who works together.
FREE_MAIL = wordset(
    """
    gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com ymail.com
    icloud.com me.com mac.com aol.com proton.me protonmail.com gmx.de gmx.net gmx.com web.de
    t-online.de freenet.de orange.fr free.fr laposte.net wanadoo.fr sfr.fr mail.com yandex.ru
    yandex.com qq.com 163.com hotmail.co.uk yahoo.co.uk btinternet.com libero.it virgilio.it
    hotmail.fr hotmail.es yahoo.es yahoo.fr telefonica.net zoho.com fastmail.com hey.com
    """
)


def url_key(url: str) -> str:
    """One spelling per page: no scheme, no www, no default port, no tracking, no end slash."""
    parts = urlsplit(html.unescape(url.strip()).rstrip(".,;:!?"))
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = (
        f":{parts.port}"
        if parts.port and str(parts.port) != _DEFAULT_PORTS.get(parts.scheme.lower())
        else ""
    )
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.fullmatch(k)
    )
    return f"{host}{port}{path}" + (f"?{urlencode(query)}" if query else "")


def links(*texts: str) -> set[str]:
    """Every web address in plain text or HTML (entities decoded), as found."""
    found: set[str] = set()
    for text in texts:
        found.update(_URL.findall(html.unescape(text)))
    return found


def items_in_mail(
    session: Session, urls: Iterable[str], hashes: Iterable[str]
) -> list[ContentItem]:
    """The library items a mail carries: a link to the item's address or its attached file."""
    keys = {url_key(u) for u in urls}
    digests = set(hashes)
    if not keys and not digests:
        return []
    rows = session.exec(select(ContentItem).order_by(col(ContentItem.id))).all()
    return [
        item
        for item in rows
        if url_key(item.url) in keys
        or (item.file_sha256 is not None and item.file_sha256 in digests)
    ]


def company_recent(session: Session, lead: Lead, days: int, now: datetime) -> set[str]:
    """Slugs that others at the lead's company received, or have in open drafts, lately."""
    if days <= 0:
        return set()
    same = _same_company(lead)
    if same is None:
        return set()
    colleagues = select(Lead.id).where(Lead.id != lead.id, same)
    delivered = session.exec(
        select(ContentItem.slug)
        .join(ContentDelivery, col(ContentDelivery.content_id) == ContentItem.id)
        .where(
            col(ContentDelivery.lead_id).in_(colleagues),
            col(ContentDelivery.delivered_at) >= now - timedelta(days=days),
        )
    ).all()
    riding = session.exec(
        select(ContentItem.slug)
        .join(Draft, col(Draft.content_id) == ContentItem.id)
        .where(
            col(Draft.lead_id).in_(colleagues),
            col(Draft.state).in_([*(s.value for s in OPEN_DRAFT_STATES), DraftState.sending.value]),
        )
    ).all()
    return set(delivered) | set(riding)


def _same_company(lead: Lead) -> ColumnElement[bool] | None:
    """A condition matching leads of the same company: its mail domain or its name."""
    conditions: list[ColumnElement[bool]] = []
    domain = lead.email.rpartition("@")[2].lower()
    if domain and domain not in FREE_MAIL:
        conditions.append(func.lower(col(Lead.email)).endswith(f"@{domain}", autoescape=True))
    name = " ".join(lead.company.split()).lower()
    if name:
        conditions.append(func.lower(func.trim(col(Lead.company))) == name)
    return or_(*conditions) if conditions else None
