"""The content library: one Markdown file with YAML front matter per item, read into specs."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from tqdm import tqdm

from assistant.errors import ContentError, InputError

STAGES = ("awareness", "consideration", "decision")
TYPES = (
    "white_paper",
    "webinar",
    "video",
    "case_study",
    "blog_post",
    "infographic",
    "checklist",
    "calculator",
    "ebook",
    "report",
)
# The persona families the ranker knows; an item may also name any other role ("fleet manager").
PERSONAS = (
    "finance",
    "technical",
    "sales_leader",
    "marketing",
    "operations",
    "executive",
    "hr",
    "legal",
)

REQUIRED = ("slug", "title", "type", "url", "stage", "topics")
# Personas and industries may be left out: the item is then for anyone. Without a summary
# the body's first point stands for it.
OPTIONAL = ("summary", "personas", "industries", "file", "date", "expires", "retired", "timezone")
# Other names authors give the same fields: `audience` for the personas, a webinar's
# `starts_at` for its date, a `description` for the summary.
FIELD_ALIASES = {"audience": "personas", "starts_at": "date", "description": "summary"}
SUMMARY_WORDS = 40
# A webinar whose body says it is not recorded: once aired there is nothing left to offer.
_LIVE_ONLY = re.compile(
    r"\b(?:live only|not (?:be )?recorded|no recording|won't be recorded|will not be recorded"
    r"|keine aufzeichnung|nicht aufgezeichnet|pas d'enregistrement|pas enregistré"
    r"|sin grabación|no se grabará|no (?:será|queda) grabad[oa])\b",
    re.I,
)
# Other spellings of the types that authors write ("white paper", "tool"). Any other type
# ("podcast", "one pager") is kept as written: the list of kinds is the marketer's to extend.
TYPE_ALIASES = {
    "whitepaper": "white_paper",
    "paper": "white_paper",
    "tool": "calculator",
    "calculator/tool": "calculator",
    "calculator_tool": "calculator",
    "roi_calculator": "calculator",
    "interactive_tool": "calculator",
    "assessment": "calculator",
    "blog": "blog_post",
    "blogpost": "blog_post",
    "article": "blog_post",
    "e_book": "ebook",
    "webcast": "webinar",
    "on_demand_webinar": "webinar",
    "customer_story": "case_study",
    "casestudy": "case_study",
    "success_story": "case_study",
    "research": "report",
    "case": "case_study",
    "white": "white_paper",
    "pricing_page": "pricing",
    "pricing_guide": "pricing",
    "price_list": "pricing",
    "prices": "pricing",
    "plans": "pricing",
    "plans_and_pricing": "pricing",
}
# Funnel names some teams use for the three stages.
STAGE_ALIASES = {
    "tofu": "awareness",
    "top_of_funnel": "awareness",
    "mofu": "consideration",
    "middle_of_funnel": "consideration",
    "evaluation": "consideration",
    "bofu": "decision",
    "bottom_of_funnel": "decision",
    "purchase": "decision",
}
# An item for every industry is written with no industries, or with one of these.
ANY_INDUSTRY = frozenset({"all", "any", "general", "horizontal", "cross_industry"})
_TYPE_WORD = re.compile(r"[a-z][a-z0-9_]{1,39}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


class LibraryErrors(InputError):
    """Every bad file of a library folder, in file order."""

    def __init__(self, folder: Path, errors: list[ContentError]) -> None:
        self.errors = tuple(errors)
        lines = "\n".join(f"  {error}" for error in errors)
        super().__init__(str(folder), f"{len(errors)} file problem(s):\n{lines}")


@dataclass(frozen=True)
class ContentSpec:
    """One validated library item."""

    slug: str
    title: str
    type: str
    url: str
    stage: str
    topics: tuple[str, ...]
    personas: tuple[str, ...]
    industries: tuple[str, ...]
    summary: str
    body: str
    file: Path | None
    file_sha256: str | None
    event_date: datetime | None
    expires: date | None
    retired: bool
    source: Path

    def is_available(self, today: date) -> bool:
        """True unless retired or past its expiry date (the expiry day itself still counts)."""
        return not self.retired and (self.expires is None or today <= self.expires)


def load_item(path: Path) -> ContentSpec:
    """Read and validate one item file; raise ContentError naming the file and the field."""
    where = str(path)  # errors name the file as the caller gave it
    path = path.resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(where, "", f"cannot be read as UTF-8 text ({exc})") from exc
    meta, body = _split_front_matter(text, where)
    for alias, name in FIELD_ALIASES.items():
        if alias in meta and name not in meta:
            meta[name] = meta.pop(alias)

    # Extra fields (an author, a language) are the author's own notes and are left alone;
    # one that looks like a misspelt known field would silently lose its meaning, so it stops.
    for name in sorted(set(meta) - set(REQUIRED) - set(OPTIONAL) - set(FIELD_ALIASES)):
        close = difflib.get_close_matches(name.lower(), (*REQUIRED, *OPTIONAL), n=1, cutoff=0.75)
        if close:
            raise ContentError(where, name, f"unknown field: did you mean '{close[0]}'?")
    for name in REQUIRED:
        if meta.get(name) in (None, ""):
            raise ContentError(where, name, "is missing")

    slug = _text(meta, "slug", where)
    if not _SLUG.fullmatch(slug) or len(slug) > 80:
        raise ContentError(
            where, "slug", f"'{slug}' must be lowercase letters, digits and single hyphens"
        )
    kind = _type(meta, where)
    event_date = _event_date(meta, where)
    if kind != "webinar":
        event_date = None  # a publication date: only a webinar's date changes how it is offered
    attached, digest = _attachment(meta, path, where)
    expires = _expires(meta, where)
    if event_date is not None and expires is None and _LIVE_ONLY.search(body):
        expires = event_date.date()  # a webinar nobody recorded is over once it has aired

    return ContentSpec(
        slug=slug,
        title=_text(meta, "title", where),
        type=kind,
        url=_url(meta, where),
        stage=_stage(meta, where),
        topics=_words(meta, "topics", where, required=True),
        personas=_words(meta, "personas", where, required=False),
        industries=tuple(
            i for i in _words(meta, "industries", where, required=False) if i not in ANY_INDUSTRY
        ),
        summary=_text(meta, "summary", where) if meta.get("summary") else _summary(body, meta),
        body=body.strip(),
        file=attached,
        file_sha256=digest,
        event_date=event_date,
        expires=expires,
        retired=_retired(meta, where),
        source=path,
    )


def load_library_report(
    folder: Path, *, progress: bool = False
) -> tuple[list[ContentSpec], list[ContentError]]:
    """Load every *.md in the folder; return the good items and every error, in file order."""
    if not folder.is_dir():
        raise ContentError(str(folder), "", "is not a folder of content files")
    items: list[ContentSpec] = []
    errors: list[ContentError] = []
    first_seen: dict[str, Path] = {}
    paths = sorted(folder.glob("*.md"))
    for path in tqdm(paths, desc="Reading", unit=" files", disable=not progress):
        try:
            item = load_item(path)
        except ContentError as exc:
            errors.append(exc)
            continue
        if item.slug in first_seen:
            used = f"'{item.slug}' is already used by {first_seen[item.slug]}"
            errors.append(ContentError(str(path), "slug", used))
            continue
        first_seen[item.slug] = path
        items.append(item)
    return items, errors


def load_library(folder: Path) -> list[ContentSpec]:
    """Load the folder and raise the first error, for callers that need a clean library."""
    items, errors = load_library_report(folder)
    if errors:
        raise errors[0]
    return items


def _split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    text = text.removeprefix("\ufeff")
    first = _FENCE.match(text)
    if first is None:
        raise ContentError(where, "", "has no front matter: the first line must be '---'")
    closing = _FENCE.search(text, first.end())
    if closing is None:
        raise ContentError(where, "", "front matter is not closed by a second '---' line")
    raw = text[first.end() : closing.start()]
    try:
        meta = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        # The front matter starts right after the opening '---', on the file's first line.
        line = f" on line {mark.line + 1}" if mark is not None else ""
        hint = ""
        if problem == "mapping values are not allowed here":
            hint = " (a value with ': ' in it needs quotes around it)"
        raise ContentError(where, "", f"YAML syntax error{line}: {problem}{hint}") from exc
    if not isinstance(meta, dict):
        raise ContentError(where, "", "front matter must be a mapping of 'field: value' lines")
    return {str(key): value for key, value in meta.items()}, text[closing.end() :]


def _text(meta: dict[str, Any], name: str, where: str) -> str:
    value = meta[name]
    if not isinstance(value, str) or not value.strip():
        raise ContentError(where, name, "must be a non-empty text")
    return " ".join(value.split())


def stage_name(written: str) -> str | None:
    """The stage a written stage names ("Decision", "BOFU"); None when it names none."""
    key = re.sub(r"[\s-]+", "_", written.strip().lower())
    key = STAGE_ALIASES.get(key, key)
    return key if key in STAGES else None


def _stage(meta: dict[str, Any], where: str) -> str:
    value = _text(meta, "stage", where)
    stage = stage_name(value)
    if stage is None:
        raise ContentError(where, "stage", f"'{value}' is not one of: {', '.join(STAGES)}")
    return stage


def _url(meta: dict[str, Any], where: str) -> str:
    value = _text(meta, "url", where)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ContentError(where, "url", f"'{value}' must be an http:// or https:// address")
    return value


def _words(meta: dict[str, Any], name: str, where: str, *, required: bool) -> tuple[str, ...]:
    value = meta.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ContentError(where, name, "must be a list of words, like [forecasting, crm]")
    if required and not value:
        raise ContentError(where, name, "must list at least one entry")
    # Spaces and hyphens vary between authors; one spelling keeps matching exact.
    return tuple(dict.fromkeys(re.sub(r"[\s-]+", "_", v.strip().lower()) for v in value))


def _type(meta: dict[str, Any], where: str) -> str:
    written = re.sub(r"[\s-]+", "_", _text(meta, "type", where).lower())
    kind = TYPE_ALIASES.get(written, written)
    if not _TYPE_WORD.fullmatch(kind):
        known = ", ".join(TYPES)
        raise ContentError(where, "type", f"'{meta['type']}' is not a type name like {known}")
    return kind


def _summary(body: str, meta: dict[str, Any]) -> str:
    """The body's first point or paragraph, plain and short, for an item written without one."""
    for line in body.splitlines():
        text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if not text or text.startswith("#"):
            continue
        text = re.sub(r"[*_`]+", "", text)
        words = text.split()
        return " ".join(words[:SUMMARY_WORDS]) + ("…" if len(words) > SUMMARY_WORDS else "")
    return str(meta.get("title", "")).strip()


def _event_date(meta: dict[str, Any], where: str) -> datetime | None:
    value = meta.get("date")
    if value is None:
        return None
    when = _parse_when(value, datetime.fromisoformat)
    if isinstance(when, datetime):
        if when.tzinfo is None and meta.get("timezone"):
            try:  # "2027-01-14T10:00" with timezone: Europe/Berlin is ten o'clock in Berlin
                return when.replace(tzinfo=ZoneInfo(str(meta["timezone"])))
            except (ZoneInfoNotFoundError, ValueError):
                raise ContentError(
                    where, "timezone", f"'{meta['timezone']}' is not a time zone like Europe/Berlin"
                ) from None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    if isinstance(when, date):
        return datetime(when.year, when.month, when.day, tzinfo=UTC)
    raise ContentError(where, "date", f"'{value}' is not a date like 2026-12-03T16:00:00Z")


def _expires(meta: dict[str, Any], where: str) -> date | None:
    value = meta.get("expires")
    if value is None:
        return None
    when = _parse_when(value, date.fromisoformat)
    if isinstance(when, datetime):
        return when.date()
    if isinstance(when, date):
        return when
    raise ContentError(where, "expires", f"'{value}' is not a date like 2026-12-31")


def _parse_when(value: object, parse: Callable[[str], date]) -> date | None:
    """YAML already turns unquoted ISO dates into objects; quoted ones arrive as text."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse(value.strip())
        except ValueError:
            return None
    return None


def _retired(meta: dict[str, Any], where: str) -> bool:
    value = meta.get("retired", False)
    if not isinstance(value, bool):
        raise ContentError(where, "retired", f"'{value}' must be true or false")
    return value


def _attachment(meta: dict[str, Any], path: Path, where: str) -> tuple[Path | None, str | None]:
    if meta.get("file") is None:
        return None, None
    name = _text(meta, "file", where)
    if Path(name).is_absolute():
        raise ContentError(where, "file", f"'{name}' must be relative to the item's folder")
    attached = (path.parent / name).resolve()
    if not attached.is_file():
        raise ContentError(where, "file", f"'{name}' was not found at {attached}")
    return attached, hashlib.sha256(attached.read_bytes()).hexdigest()
