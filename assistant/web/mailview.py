"""Lead mail made safe to show: HTML through nh3, no remote resources, quoted history folded."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import nh3
from markupsafe import Markup, escape

from assistant.errors import ParseError
from assistant.mail.parse import parse_message
from assistant.models import Message, MessageState

# No img, no style, no forms or media: nothing in a lead's mail can fetch a remote resource,
# run script or restyle the page around it. Links stay, marked so they leak no referrer.
_TAGS = {
    "a", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "title", "head", "template", "noscript"},
    attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"a": {"target": "_blank"}},
    strip_comments=True,
)
# Where mail clients start the quoted history in an HTML reply.
_HTML_QUOTE = re.compile(
    r"<blockquote|<div[^>]*\b(?:class|id)=[\"']?(?:gmail_quote|divRplyFwdMsg|appendonsend|"
    r"moz-cite-prefix|yahoo_quoted|OLK_SRC_BODY_SECTION)|-{3,}\s*Original Message",
    re.IGNORECASE,
)
MAX_SHOWN_CHARS = 100_000
CACHED_VIEWS = 2_000
_views: OrderedDict[tuple[int | None, str, int, int], MailView] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class MailView:
    """What a page shows of one message: the new part, and the quoted history behind a fold."""

    new: Markup
    quoted: Markup | None
    problem: str | None = None


def sanitise(html: str) -> Markup:
    """Untrusted HTML reduced to harmless markup."""
    return Markup(_CLEANER.clean(html[:MAX_SHOWN_CHARS]))


def _text(text: str) -> Markup:
    return Markup('<div class="mail-text">{}</div>').format(escape(text.strip()))


def view(message: Message) -> MailView:
    """The message as the rep should read it; never raises on bad mail."""
    # A stored message never changes its bytes, so its view is kept for the next page.
    key = (message.id, message.state, len(message.raw), len(message.reply_text))
    with _lock:
        found = _views.get(key)
        if found is not None:
            _views.move_to_end(key)
            return found
    shown = _view(message)
    if message.id is not None:
        with _lock:
            _views[key] = shown
            while len(_views) > CACHED_VIEWS:
                _views.popitem(last=False)
    return shown


def _view(message: Message) -> MailView:
    if message.state == MessageState.quarantined:
        reason = message.quarantine_reason or "it could not be parsed"
        return MailView(Markup(""), None, f"This message could not be read: {reason}.")
    html: str | None = None
    if message.raw:
        try:
            html = parse_message(message.raw).html
        except ParseError:
            html = None
    if html and html.strip():
        match = _HTML_QUOTE.search(html)
        if match and match.start() > 0:
            return MailView(sanitise(html[: match.start()]), sanitise(html[match.start() :]))
        return MailView(sanitise(html), None)
    full = message.text or ""
    new = message.reply_text or full
    quoted = _text(full[:MAX_SHOWN_CHARS]) if full.strip() != new.strip() else None
    return MailView(_text(new[:MAX_SHOWN_CHARS]), quoted)
