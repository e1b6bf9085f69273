"""HTML mail bodies to plain text in linear time; blockquotes become `>` quoted lines."""

from __future__ import annotations

import html
import re

MAX_HTML_CHARS = 2_000_000

# `[^<>]` keeps each match from running past the next tag: the scan stays linear.
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9:-]{0,30})(?=[\s/>])[^<>]*>|<!--|<!\[CDATA\[|<[!?][^<>]*>"
)
_BLOCK = frozenset(
    {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"hr", "pre", "address", "section", "article", "header", "footer", "blockquote", "dd"}
)
_SKIP = frozenset({"script", "style", "head", "title"})
# The box a mail client puts the sender's signature in (Gmail, Thunderbird, Outlook on the web):
# marked with a signature delimiter line, which the reply reader cuts at.
_SIGNATURE_BOX = re.compile(
    r"""\s(?:class\s*=\s*["']?[^"'<>]*\b(?:gmail_signature|moz-signature)\b|"""
    r"""id\s*=\s*["']?signature["'\s>])""",
    re.IGNORECASE,
)
_SIGNATURE_DELIMITER = "-- "
_SPACE_RUN = re.compile(r"[ \t\r\f\v\xa0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _close_of(text: str, start: int, name: str) -> int:
    """Index just past the closing tag of a raw-text element, or len(text)."""
    lowered_close = f"</{name}"
    pos = start
    while True:
        found = text.find("<", pos)
        if found < 0:
            return len(text)
        if text[found : found + len(lowered_close)].lower() == lowered_close:
            end = text.find(">", found)
            return len(text) if end < 0 else end + 1
        pos = found + 1


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body: tags dropped, blocks on their own lines, quotes marked."""
    markup = markup[:MAX_HTML_CHARS]
    lines: list[str] = []
    current: list[str] = []
    depth = 0
    in_pre = False
    pos = 0

    def flush() -> None:
        text = _SPACE_RUN.sub(" ", html.unescape("".join(current))).strip()
        current.clear()
        if not text:
            return
        prefix = "> " * depth
        for line in text.split("\n"):
            lines.append(prefix + line.strip() if line.strip() else "")

    while pos < len(markup):
        match = _TAG.search(markup, pos)
        chunk = markup[pos : match.start() if match else len(markup)]
        current.append(chunk if in_pre else chunk.replace("\n", " "))
        if match is None:
            break
        token = match.group(0)
        pos = match.end()
        if token == "<!--":
            end = markup.find("-->", pos)
            pos = len(markup) if end < 0 else end + 3
            continue
        if token == "<![CDATA[":
            end = markup.find("]]>", pos)
            pos = len(markup) if end < 0 else end + 3
            continue
        name = (match.group(2) or "").lower()
        closing = match.group(1) == "/"
        if not closing and name in _SKIP:
            pos = _close_of(markup, pos, name)
            continue
        if name in _BLOCK:
            flush()
            if not closing and _SIGNATURE_BOX.search(token):
                lines.append("> " * depth + _SIGNATURE_DELIMITER)
        if name == "pre":
            in_pre = not closing
        if name == "blockquote":
            depth = max(0, depth - 1) if closing else depth + 1
        elif name == "td" and not closing:
            current.append(" ")
    flush()
    text = "\n".join(lines)
    return _BLANK_LINES.sub("\n\n", text).strip()
