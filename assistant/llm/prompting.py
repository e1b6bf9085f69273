"""Prompt templates for the model: find them, render them strictly, name and hash the result.

The system prompt holds only what a team shares (rules, tone, content library), so that it is
byte-identical across leads and the API can cache it. Everything about one lead goes into the
user message. Every string from outside passes through `neutralise` before it is rendered, so
lead text can never close or open one of our delimited blocks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from assistant import resources
from assistant.errors import ConfigError
from assistant.llm.base import ContentBrief, DraftRequest, ToneRules, Turn
from assistant.llm.guardrails import strip_invisible

DEFAULT_FOLDER = resources.folder("prompts")

# The names of the blocks our templates wrap data in. Lead text that contains one of these
# tags (or a role tag a model may take for a turn boundary) is defused by `neutralise`.
DELIMITERS = (
    "lead_profile",
    "lead_message",
    "rep_message",
    "thread",
    "rep",
    "chosen_content",
    "content_library",
    "content",
    "rep_instruction",
    "system",
    "assistant",
    "user",
    "human",
    "instructions",
)
_TAG = re.compile(
    r"[<＜﹤]\s*/?\s*(?:" + "|".join(DELIMITERS) + r")\b[^<>＜＞﹤﹥\n]*[>＞﹥]",
    re.IGNORECASE,
)
_DEFUSE = str.maketrans({"<": "‹", "＜": "‹", "﹤": "‹", ">": "›", "＞": "›", "﹥": "›"})


def neutralise(text: str) -> str:
    """Untrusted text without invisible characters (a model reads tag characters a rep cannot
    see) and with our delimiter tags turned into look-alikes that close nothing."""
    return _TAG.sub(lambda match: match.group(0).translate(_DEFUSE), strip_invisible(text))


@dataclass(frozen=True)
class RenderedPrompt:
    template: str  # e.g. "reply.j2", or "follow_up.j2+regenerate.j2" for a rep's instruction
    system: str
    user: str
    sha256: str


def prompts_folder(override: Path | str | None = None) -> Path:
    """The folder of prompt templates: the override when given, else the shipped prompts."""
    folder = Path(override) if override is not None else DEFAULT_FOLDER
    if not (folder / "system.j2").is_file():
        raise ConfigError(str(folder), "", "no system.j2 here: not a prompts folder")
    return folder


class Prompts:
    """The prompt templates of one folder, loaded once and rendered with StrictUndefined."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = prompts_folder(folder)
        self._env = Environment(
            loader=FileSystemLoader(self.folder),
            undefined=StrictUndefined,
            autoescape=False,  # plain-text prompts; `neutralise` is the escaping that matters
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def system(self, tone: ToneRules, catalogue: Sequence[ContentBrief]) -> str:
        """The stable prefix: rules, the team's tone and its whole library, in slug order."""
        items = sorted(catalogue, key=lambda item: item.slug)
        return self._render(
            "system.j2",
            tone=_clean(asdict(tone)),
            # `reason` says why an item suits one lead, so it stays out of the shared prefix.
            catalogue=[_clean({**asdict(item), "reason": ""}) for item in items],
        )

    def user(self, request: DraftRequest) -> tuple[str, str]:
        """The per-lead message: the template name and the rendered text."""
        situation = f"{request.situation}.j2"
        context = _lead_context(request)
        if request.instruction:
            text = self._render(
                "regenerate.j2",
                situation_template=situation,
                instruction=neutralise(request.instruction),
                **context,
            )
            return f"{situation}+regenerate.j2", text
        return situation, self._render(situation, **context)

    def render(self, request: DraftRequest, catalogue: Sequence[ContentBrief]) -> RenderedPrompt:
        system = self.system(request.tone, catalogue)
        template, user = self.user(request)
        digest = hashlib.sha256(f"{system}\x00{user}".encode()).hexdigest()
        return RenderedPrompt(template=template, system=system, user=user, sha256=digest)

    def classification(self, *, subject: str, text: str, today: str) -> RenderedPrompt:
        """The prompt that asks for the understanding of one lead reply."""
        system = self._render("classify_system.j2")
        user = self._render(
            "classify.j2", subject=neutralise(subject), text=neutralise(text), today=today
        )
        digest = hashlib.sha256(f"{system}\x00{user}".encode()).hexdigest()
        return RenderedPrompt(template="classify.j2", system=system, user=user, sha256=digest)

    def _render(self, name: str, **context: Any) -> str:
        try:
            return self._env.get_template(name).render(**context)
        except TemplateNotFound as exc:
            raise ConfigError(str(self.folder), "", f"missing prompt template {exc.name}") from None


def _lead_context(request: DraftRequest) -> dict[str, Any]:
    lead = request.lead
    return {
        "lead": _clean({**asdict(lead), "first_name": lead.first_name}),
        "rep": _clean(asdict(request.rep)),
        "subject": neutralise(request.subject),
        "thread": [_turn(turn) for turn in request.thread],
        "latest_reply": neutralise(request.latest_reply) if request.latest_reply else None,
        "content": _clean(asdict(request.content)) if request.content else None,
        "tone": _clean(asdict(request.tone)),
        "touch_number": request.touch_number,
    }


def _turn(turn: Turn) -> dict[str, str]:
    return {
        "tag": "lead_message" if turn.direction == "inbound" else "rep_message",
        "at": turn.at.strftime("%Y-%m-%d %H:%M %Z").strip() if turn.at else "unknown",
        "subject": neutralise(turn.subject),
        "text": neutralise(turn.text.strip()),
    }


def _clean(value: Any) -> Any:
    """Neutralise every string inside a dataclass dump, however deeply nested."""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value
