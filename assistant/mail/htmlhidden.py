"""HTML split into what a browser shows and what it hides (CSS, comments, alt text, links)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_HTML_CHARS = 2_000_000

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
_BLOCK = frozenset({"p", "div", "br", "tr", "li", "table", "h1", "h2", "h3", "h4", "blockquote"})
_HIDING = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)"
    r"|font-size\s*:\s*(?:0|0?\.\d+|1)(?:px|pt|em|rem|%)?\s*(?:;|!|$)"
    r"|(?:max-)?height\s*:\s*0(?:px)?\s*(?:;|!|$)[^\"]*overflow\s*:\s*hidden"
    r"|overflow\s*:\s*hidden[^\"]*(?:max-)?height\s*:\s*0(?:px)?\s*(?:;|!|$)"
    r"|(?:left|top|text-indent)\s*:\s*-\d{3,}|clip\s*:\s*rect\(\s*0|transform\s*:\s*scale\(\s*0\s*\)"
    r"|(?<![-\w])color\s*:\s*(?:transparent|rgba\([^)]*,\s*0(?:\.0+)?\s*\))",
    re.IGNORECASE,
)
_CLASS_RULE = re.compile(r"([.#])([\w-]+)\s*\{([^}]*)\}")
_COLOR = re.compile(r"(?<![-\w])color\s*:\s*([^;\"!]+)", re.IGNORECASE)
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([^;\"!]+)", re.IGNORECASE)
_NAMED = {"white": (255, 255, 255), "black": (0, 0, 0), "transparent": None}
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})\b", re.IGNORECASE)
_RGB = re.compile(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+([\d.]+))?", re.IGNORECASE)
_WHITE = (255, 255, 255)
_INVISIBLE_CONTRAST = 40  # colour distance under which text is not readable on its background

RGB = tuple[int, int, int]


@dataclass
class HtmlReading:
    """The text a reader sees, the text hidden from them, and the links' targets."""

    visible: str = ""
    hidden: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Frame:
    tag: str
    hidden: bool
    color: RGB | None
    background: RGB


def _colour(value: str) -> RGB | None:
    value = value.strip().lower()
    if value in _NAMED:
        return _NAMED[value]
    if match := _HEX.match(value):
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    if match := _RGB.match(value):
        if match.group(4) is not None and float(match.group(4)) == 0:
            return None
        r, g, b = (min(255, int(match.group(i))) for i in (1, 2, 3))
        return (r, g, b)
    return None


def _close(a: RGB, b: RGB) -> bool:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) < _INVISIBLE_CONTRAST


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Frame] = [_Frame("", False, (0, 0, 0), _WHITE)]
        self.visible: list[str] = []
        self.hidden: list[str] = []
        self.hrefs: list[str] = []
        self.hiding: set[str] = set()  # ".class" and "#id" names a style sheet hides
        self.raw_tag = ""
        self.quoted = 0  # blockquotes open: their text is marked "> " as a plain reply would be

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("style", "script", "title"):  # raw text: read apart below
            self.raw_tag = tag
            return
        parent = self.stack[-1]
        style = values.get("style", "")
        names = {f".{name}" for name in values.get("class", "").split()}
        names |= {f"#{values['id']}"} if values.get("id") else set()
        hidden = (
            parent.hidden
            or "hidden" in values
            or bool(_HIDING.search(style))
            or bool(names & self.hiding)
        )
        background = parent.background
        if (found := _BACKGROUND.search(style)) or values.get("bgcolor"):
            declared = _colour(found.group(1)) if found else _colour(values["bgcolor"])
            background = declared or background
        color = parent.color
        if found := _COLOR.search(style):
            color = _colour(found.group(1))
        elif values.get("color"):
            color = _colour(values["color"])
        for name in ("alt", "title", "aria-label"):
            if values.get(name, "").strip():
                self.hidden.append(values[name])
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])
        if tag == "meta" and values.get("content") and values.get("name") == "description":
            self.hidden.append(values["content"])
        self.quoted += tag == "blockquote"
        if tag in _BLOCK:
            self.visible.append("\n" + "> " * self.quoted)
        if tag not in _VOID:
            self.stack.append(_Frame(tag, hidden, color, background))

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw_tag:
            self.raw_tag = ""
            return
        self.quoted = max(0, self.quoted - (tag == "blockquote"))
        if tag in _BLOCK:
            self.visible.append("\n" + "> " * self.quoted)
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.raw_tag == "style":
            for kind, name, body in _CLASS_RULE.findall(data):
                if _HIDING.search(body) or _same_colours(body):
                    self.hiding.add(f"{kind}{name}")
            return
        if self.raw_tag == "title" and data.strip():
            self.hidden.append(data)  # a mail client shows no page title
            return
        if self.raw_tag:
            return
        frame = self.stack[-1]
        invisible = frame.hidden or (
            frame.color is not None and _close(frame.color, frame.background)
        )
        if invisible and data.strip():
            self.hidden.append(data)
        elif not invisible:
            self.visible.append(data.replace("\n", "\n" + "> " * self.quoted))

    def handle_comment(self, data: str) -> None:
        # Outlook's conditional comments hold markup, not prose; their text is read like any tag's.
        text = re.sub(r"<[^<>]*>", " ", data)
        if text.strip() and not text.strip().startswith("[if"):
            self.hidden.append(text)


def _same_colours(declarations: str) -> bool:
    colour = _COLOR.search(declarations)
    background = _BACKGROUND.search(declarations)
    ink = _colour(colour.group(1)) if colour else None
    paper = (_colour(background.group(1)) if background else None) or _WHITE
    return ink is not None and _close(ink, paper)


def read_html(markup: str) -> HtmlReading:
    """What a browser would show of `markup` and what it would not (each hidden run apart)."""
    reader = _Reader()
    reader.feed(markup[:MAX_HTML_CHARS])
    reader.close()
    visible = re.sub(r"[ \t\xa0]+", " ", "".join(reader.visible))
    visible = re.sub(r"\n(?:[ >]*\n)+", "\n\n", visible).strip()
    hidden = [" ".join(text.split()) for text in reader.hidden if text.strip()]
    return HtmlReading(visible, hidden, reader.hrefs)
