"""The offline drafter: Jinja2 templates from templates/drafts, no model, no network.

It takes up the lead's question (or remark) in the first lines, introduces the content by
why it fits, and varies its wording by the draft's seed so drafts do not read alike.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from assistant.llm.base import DraftRequest, DraftResult

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "drafts"
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_GREETING = re.compile(
    r"^(hi|hello|hey|dear|hallo|bonjour|hola|hej|thanks|thank you|many thanks|cheers|best|regards)"
    r"\b[^.!?]{0,40}[,.!]?\s*$",
    re.I,
)
QUOTE_WORDS = 22


def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["lower_first"] = lambda s: s[:1].lower() + s[1:] if s else s
    return env


def sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _SENTENCE.split(text or "")]
    return [s for s in parts if s and not _GREETING.match(s) and len(s.split()) >= 3]


def _short(sentence: str) -> str:
    words = sentence.split()
    if len(words) <= QUOTE_WORDS:
        return sentence
    return " ".join(words[:QUOTE_WORDS]).rstrip(",;:") + "…"


def key_sentences(text: str | None) -> tuple[str | None, str | None]:
    """The lead's first question, else their first substantial remark."""
    found = sentences(text or "")
    question = next((s for s in found if s.endswith("?")), None)
    if question:
        return _short(question), None
    return None, (_short(found[0].rstrip(".!")) if found else None)


ACRONYMS = frozenset(
    {"api", "crm", "erp", "roi", "sso", "tco", "saas", "gdpr", "soc", "kpi", "arr", "nrr", "ai"}
)


def readable(topic: str) -> str:
    """A library topic as a person writes it: "cash_flow" -> "cash flow", "erp" -> "ERP"."""
    words = re.split(r"[_\s]+", topic.strip())
    return " ".join(w.upper() if w.lower() in ACRONYMS else w for w in words if w)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def _why(request: DraftRequest) -> str:
    """The content's topic the lead brought up, in the library's words ("ERP integration")."""
    content = request.content
    if content is None:
        return ""
    said = _words(request.latest_reply or "")
    if not said:
        said = _words(" ".join(request.lead.topics))
    partial = ""
    for topic in content.topics:
        words = _words(topic)
        if words and words <= said:
            return readable(topic)
        if not partial and words & said:
            partial = readable(topic)
    return partial


class OfflineDrafter:
    name = "offline"

    def __init__(self, folder: Path | None = None) -> None:
        self._env = _environment(folder or TEMPLATES)

    async def draft(self, request: DraftRequest) -> DraftResult:
        return self.render(request)

    def render(self, request: DraftRequest) -> DraftResult:
        situation = "reply" if request.situation == "reply" else "follow_up"
        template = self._env.get_template(f"{situation}.txt.j2")
        question, remark = key_sentences(request.latest_reply)
        item = None
        if request.content is not None:
            c = request.content
            item = {
                "title": c.title,
                "type": c.type,
                "url": c.url,
                "summary": c.summary.strip(),
                "attachment": c.attachment,
                "upcoming": c.upcoming,
            }
        body = template.render(
            seed=request.seed,
            first_name=request.lead.first_name,
            company=request.lead.company,
            question=question,
            remark=remark,
            item=item,
            why=_why(request),
            touch_number=request.touch_number,
            sign_off=request.tone.sign_off,
            signature=request.rep.signature or request.rep.name,
            required_lines=list(request.tone.required_lines),
            now=datetime.now(UTC),
        )
        body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
        rationale = (
            "answers the lead's question"
            if question
            else "responds to the lead's reply"
            if remark
            else f"follow-up #{request.touch_number} after silence"
        )
        if request.content:
            rationale += f"; shares '{request.content.slug}'"
        return DraftResult(
            subject=request.subject,
            body=body,
            content_slug=request.content.slug if request.content else None,
            rationale=rationale,
            drafter=self.name,
            prompt_template=f"drafts/{situation}.txt.j2",
        )
