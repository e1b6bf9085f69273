"""The Claude classifier: reads a lead's reply into the same Understanding as the offline one.

It only refines what the offline classifier found for a person's reply: machine mail, bounces
and Cc'd stakeholders stay the offline reading's. Its answer is held to the text: evidence
must be a sentence of the reply, an address must be written in it, a date must be a real one.
An intent that would act on the lead (stop, pause, hand to the rep) without evidence in the
text keeps the offline intent. An opt-out found by either classifier counts.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from anthropic.types import Message, ToolUseBlock

from assistant.errors import DraftError, ModelUnavailable
from assistant.imports import valid_address
from assistant.llm.base import Usage
from assistant.llm.client import ModelClient
from assistant.llm.prompting import Prompts
from assistant.mail.classify import Event, Understanding
from assistant.mail.scan import Finding, combined
from assistant.mail.text import evidence as shorten
from assistant.mail.text import sentences
from assistant.reading import EventType, Intent

log = logging.getLogger(__name__)

TOOL_NAME = "record_understanding"
INTENTS = tuple(i.value for i in Intent)
EVENTS = tuple(e.value for e in EventType)
# What the model may add to the rules' injection findings; it can never take one away.
INJECTION_KINDS = {
    "instructs_the_writer": "tells whoever writes the answer what to do",
    "asks_for_instructions": "asks for the instructions",
    "asks_for_others_data": "asks for other customers' data or internal notes",
    "payment_change": "changes payment details",
    "false_authority": "claims an approval or verification",
}
# These intents stop, pause or hand over the lead: the text must show them.
ACTING = frozenset({"ready_to_talk", "not_now", "not_interested", "wrong_person"})
HORIZON = timedelta(days=800)
_NULLABLE = {"type": ["string", "null"]}
UNDERSTANDING_TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": "Record what the lead's reply says.",
    "input_schema": {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": list(INTENTS)},
            "intent_evidence": _NULLABLE,
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": list(EVENTS)},
                        "evidence": {"type": "string"},
                        "date": {**_NULLABLE, "description": "YYYY-MM-DD or null"},
                        "email": _NULLABLE,
                        "name": _NULLABLE,
                    },
                    "required": ["type", "evidence", "date", "email", "name"],
                    "additionalProperties": False,
                },
            },
            "opt_out": {"type": "boolean"},
            "opt_out_evidence": _NULLABLE,
            "injection": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": list(INJECTION_KINDS)},
                        "evidence": {"type": "string"},
                    },
                    "required": ["kind", "evidence"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["intent", "intent_evidence", "events", "opt_out", "opt_out_evidence"],
        "additionalProperties": False,
    },
}


class ClaudeClassifier:
    """Asks Claude for the intent, events and opt-out of one human reply."""

    def __init__(
        self,
        client: ModelClient,
        *,
        prompts: Prompts | None = None,
        cooldown_seconds: float = 60.0,
    ) -> None:
        self.client = client
        self.name = f"anthropic:{client.model}"
        self._prompts = prompts or Prompts()
        # After an outage the model is skipped for a while, so that a dead API costs one
        # round of retries and timeouts, not one per message.
        self._cooldown = cooldown_seconds
        self._down_until = 0.0
        self._reason = ""

    async def classify(
        self,
        offline: Understanding,
        *,
        subject: str,
        today: date,
        ignore_addresses: frozenset[str] = frozenset(),
    ) -> tuple[Understanding, Usage]:
        """The model's reading merged onto the offline one; DraftError when none is usable."""
        if offline.kind != "human" or offline.opt_out or not offline.reply_text.strip():
            return offline, Usage()  # machine mail, or an objection: no model sees it
        if time.monotonic() < self._down_until:
            raise ModelUnavailable(self._reason)
        try:
            return await self._classify(offline, subject, today, ignore_addresses)
        except ModelUnavailable as exc:
            self._reason, self._down_until = exc.reason, time.monotonic() + self._cooldown
            raise

    async def _classify(
        self, offline: Understanding, subject: str, today: date, ignore: frozenset[str]
    ) -> tuple[Understanding, Usage]:
        prompt = self._prompts.classification(
            subject=subject, text=offline.reply_text, today=f"{today:%Y-%m-%d (%A)}"
        )
        usage = Usage()
        problem = ""
        for _ in range(2):
            message = await self.client.create(
                {
                    "model": self.client.model,
                    "max_tokens": 2048,
                    "system": [
                        {
                            "type": "text",
                            "text": prompt.system,
                            "cache_control": {"type": "ephemeral"},
                        }
                    ],
                    "tools": [UNDERSTANDING_TOOL],
                    "tool_choice": self.client.tool_choice(TOOL_NAME),
                    "messages": [{"role": "user", "content": prompt.user}],
                }
            )
            self.client.add(usage, message)
            try:
                answer = _answer(message)
            except ValueError as exc:
                problem = str(exc)
                log.warning("unusable classification from %s: %s", self.client.model, problem)
                continue
            return merge(offline, answer, today, ignore), usage
        raise DraftError(f"the model gave no usable classification twice: {problem}")


def merge(
    offline: Understanding,
    answer: dict[str, Any],
    today: date,
    ignore_addresses: frozenset[str] = frozenset(),
) -> Understanding:
    """The model's answer held to the reply's text, on top of the offline reading."""
    text = offline.reply_text
    intent = answer["intent"] if answer["intent"] in INTENTS else "other"
    why = anchor(answer.get("intent_evidence"), text)
    if intent in ACTING and why is None:
        intent, why = offline.intent or "other", offline.intent_evidence
    events = [e for e in (_event(item, text, today, ignore_addresses) for item in answer["events"])]
    kept = [e for e in events if e is not None]
    # Cc'd people come from the headers, which the model does not see.
    kept += [e for e in offline.events if e.type == "new_stakeholder" and e.email]
    unique = list({(e.type, e.email or e.name or e.evidence): e for e in kept}.values())
    opt_out = offline.opt_out or answer.get("opt_out") is True
    opt_evidence = offline.opt_out_evidence
    if opt_out and opt_evidence is None:
        found = answer.get("opt_out_evidence")
        opt_evidence = anchor(found, text) or (shorten(found) if isinstance(found, str) else None)
    if opt_out and intent not in ("not_interested", "wrong_person"):
        intent, why = "not_interested", opt_evidence
    return replace(
        offline,
        intent=intent,
        intent_evidence=why if intent != "other" else None,
        events=tuple(unique),
        opt_out=opt_out,
        opt_out_evidence=opt_evidence,
        injection=combined(offline.injection, _findings(answer.get("injection"), text)),
    )


def _findings(items: object, text: str) -> list[Finding]:
    """The model's injection findings that quote the reply; the rest are dropped."""
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or item.get("kind") not in INJECTION_KINDS:
            continue
        why = anchor(item.get("evidence"), text)
        if why is not None:
            found.append(Finding(f"model: {INJECTION_KINDS[item['kind']]}", "model", why))
    return found


def anchor(quoted: object, text: str) -> str | None:
    """The sentence of `text` that `quoted` comes from; None when the text holds no such words."""
    if not isinstance(quoted, str) or not quoted.strip():
        return None
    wanted = _squash(quoted)
    candidates = sentences(text)
    for sentence in candidates:
        if wanted in _squash(sentence) or (
            len(_squash(sentence)) > 12 and _squash(sentence) in wanted
        ):
            return shorten(sentence)
    words = set(_WORD.findall(wanted))
    best, score = None, 0.0
    for sentence in candidates:
        theirs = set(_WORD.findall(_squash(sentence)))
        overlap = len(words & theirs) / max(1, len(words | theirs))
        if overlap > score:
            best, score = sentence, overlap
    return shorten(best) if best is not None and score >= 0.6 else None


_WORD = re.compile(r"\w+")


def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split()).strip(" .!?\"'")


def _event(item: object, text: str, today: date, ignore: frozenset[str]) -> Event | None:
    if not isinstance(item, dict) or item.get("type") not in EVENTS:
        return None
    why = anchor(item.get("evidence"), text)
    if why is None:
        return None
    lowered = text.lower()
    email = item.get("email")
    email = email.strip().lower() if isinstance(email, str) and email.strip() else None
    if email is not None and (email not in lowered or not valid_address(email) or email in ignore):
        email = None
    if item["type"] == "referral" and email is None:
        return None  # a referral we cannot write to is no referral
    name = item.get("name")
    name = name.strip() if isinstance(name, str) and name.strip().lower() in lowered else None
    if item["type"] == "competitor" and name is None:
        return None
    return Event(item["type"], why, date=_date(item.get("date"), today), email=email, name=name)


def _date(value: object, today: date) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if today - timedelta(days=1) <= day <= today + HORIZON else None


def _answer(message: Message) -> dict[str, Any]:
    call = next(
        (b for b in message.content if isinstance(b, ToolUseBlock) and b.name == TOOL_NAME), None
    )
    if call is None:
        raise ValueError(f"no {TOOL_NAME} call (stop reason: {message.stop_reason})")
    data = call.input
    if not isinstance(data, dict):
        raise ValueError(f"{TOOL_NAME} input is not an object")
    if not isinstance(data.get("intent"), str):
        raise ValueError("intent is missing")
    if not isinstance(data.get("events", []), list):
        raise ValueError("events is not a list")
    if not isinstance(data.get("opt_out", False), bool):
        raise ValueError("opt_out is not true or false")
    return {**data, "events": data.get("events", [])}
