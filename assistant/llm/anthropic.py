"""The Anthropic drafter: a cached team prefix, lead text as delimited data, one forced tool.

Failures of the API reach us as ModelUnavailable (see `client`), which `FallbackDrafter`
turns into an offline draft. A draft that breaks a guardrail is sent back to the model once
with the failures; what is still wrong then is returned as flags for the rep.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, cast

from anthropic.types import Message, ToolUseBlock
from anthropic.types.messages import MessageBatchResult, MessageBatchSucceededResult
from anthropic.types.messages.batch_create_params import Request as BatchRequest

from assistant.errors import DraftError
from assistant.llm import guardrails, injection
from assistant.llm.base import ContentBrief, DraftRequest, DraftResult, Usage
from assistant.llm.client import ModelClient
from assistant.llm.prompting import Prompts, RenderedPrompt

log = logging.getLogger(__name__)

TOOL_NAME = "write_draft"
# Tools are part of the cached prefix, so this must not vary between calls.
DRAFT_TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": "Put the finished email draft in the rep's approval queue.",
    "input_schema": {
        "type": "object",
        "properties": {
            "subject": {"type": "string", "description": "The email subject."},
            "body": {"type": "string", "description": "The whole email, greeting to signature."},
            "content_slug": {
                "type": ["string", "null"],
                "description": "Slug of the content the email is built around, or null.",
            },
            "rationale": {"type": "string", "description": "One line for the rep: why this."},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "flags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["subject", "body", "content_slug", "rationale", "confidence", "flags"],
        "additionalProperties": False,
    },
}
# Generous so that models that think before answering are not cut off; unused tokens are free.
MAX_TOKENS = 4096
FEEDBACK = (
    "This draft was not accepted. Fix each of these problems and call write_draft again with "
    "the whole new draft, keeping everything else that was right:\n{problems}"
)


@dataclass(frozen=True)
class _Answer:
    """A well-formed write_draft call, and the assistant turn it came in."""

    subject: str
    body: str
    content_slug: str | None
    rationale: str
    confidence: float
    flags: tuple[str, ...]
    tool_use_id: str
    turn: dict[str, Any]


class _Malformed(Exception):
    """The model answered, but not with a usable write_draft call."""


class AnthropicDrafter:
    """Drafts with Claude through the Messages API (one call per draft) or the Batches API."""

    def __init__(
        self,
        client: ModelClient,
        *,
        catalogue: Sequence[ContentBrief] = (),
        prompts: Prompts | None = None,
        batch_poll_seconds: float = 60.0,
    ) -> None:
        self.client = client
        self.model = client.model
        self.name = f"anthropic:{client.model}"
        # Used when a request carries no library of its own (the pipeline's always do).
        self._catalogue = tuple(catalogue)
        self._prompts = prompts or Prompts()
        self._poll = batch_poll_seconds

    async def __aenter__(self) -> AnthropicDrafter:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def draft(self, request: DraftRequest) -> DraftResult:
        prompt = self._render(request)
        messages = [_user(prompt.user)]
        usage = Usage()
        answer = await self._answer(prompt, messages, usage)
        return await self._finish(request, prompt, messages, answer, usage)

    async def draft_batch(self, requests: Sequence[DraftRequest]) -> list[DraftResult | DraftError]:
        """Submit a batch and wait for it: one outcome per request, in order."""
        items = [(f"draft-{index}", request) for index, request in enumerate(requests)]
        batch_id = await self.submit_batch(items)
        while (outcomes := await self.collect_batch(batch_id, items)) is None:
            await asyncio.sleep(self._poll)
        return outcomes

    async def submit_batch(self, items: Sequence[tuple[str, DraftRequest]]) -> str:
        """Hand (custom id, request) pairs to the Message Batches API; returns the batch id."""
        entries: list[BatchRequest] = [
            {
                "custom_id": custom_id,
                "params": cast(Any, self._params(prompt.system, [_user(prompt.user)])),
            }
            for custom_id, prompt in ((c, self._render(r)) for c, r in items)
        ]
        batch = await self.client.api(self.client.sdk.messages.batches.create(requests=entries))
        log.info("batch %s: %d drafts submitted", batch.id, len(entries))
        return batch.id

    async def collect_batch(
        self, batch_id: str, items: Sequence[tuple[str, DraftRequest]]
    ) -> list[DraftResult | DraftError] | None:
        """The outcomes of a batch, in the order of `items`; None while it is still running.

        A request the batch did not answer well is drafted again in real time, so one bad item
        never costs the others their drafts.
        """
        sdk = self.client.sdk.messages.batches
        batch = await self.client.api(sdk.retrieve(batch_id))
        if batch.processing_status != "ended":
            return None
        results: dict[str, MessageBatchResult] = {}
        async for entry in await self.client.api(sdk.results(batch_id)):
            results[entry.custom_id] = entry.result
        return list(
            await asyncio.gather(
                *(
                    self._batch_outcome(request, results.get(custom_id))
                    for custom_id, request in items
                )
            )
        )

    async def _batch_outcome(
        self, request: DraftRequest, result: MessageBatchResult | None
    ) -> DraftResult | DraftError:
        try:
            if not isinstance(result, MessageBatchSucceededResult):
                log.warning("batch item %s; drafting it now", result.type if result else "missing")
                return await self.draft(request)
            prompt = self._render(request)
            messages = [_user(prompt.user)]
            usage = self.client.add(Usage(), result.message, batch=True)
            try:
                answer = _parse(result.message)
            except _Malformed as exc:
                log.warning("batch answer unusable (%s); asking again", exc)
                answer = await self._answer(prompt, messages, usage)
            return await self._finish(request, prompt, messages, answer, usage)
        except DraftError as exc:
            return exc

    async def _finish(
        self,
        request: DraftRequest,
        prompt: RenderedPrompt,
        messages: list[dict[str, Any]],
        answer: _Answer,
        usage: Usage,
    ) -> DraftResult:
        """Check the draft; on failures ask once more with them as feedback; flag what remains."""
        problems = self._problems(answer, request)
        if problems:
            log.info("draft fails guardrails (%s); asking for a new one", "; ".join(problems))
            retry = [
                *messages,
                answer.turn,
                _feedback(answer.tool_use_id, problems),
            ]
            try:
                answer = await self._answer(prompt, retry, usage)
                problems = self._problems(answer, request)
            except DraftError as exc:
                # The first draft, flagged, is still worth the rep's look.
                log.warning("second draft failed (%s); keeping the first", exc)
        result = self._result(answer, prompt, usage)
        result.flags = [
            *problems,
            *injection.lead_flags(request),
            *(f"model: {flag}" for flag in answer.flags),
        ]
        return result

    def _render(self, request: DraftRequest) -> RenderedPrompt:
        return self._prompts.render(request, self._library(request))

    def _library(self, request: DraftRequest) -> tuple[ContentBrief, ...]:
        return request.library or self._catalogue

    def _problems(self, answer: _Answer, request: DraftRequest) -> list[str]:
        library = self._library(request)
        allowed = guardrails.allowlists(request, library)
        return guardrails.draft_flags(
            self._result(answer, None, None),
            request,
            allowed_urls=allowed.urls,
            allowed_addresses=allowed.addresses,
            library=library,
        )

    def _result(
        self, answer: _Answer, prompt: RenderedPrompt | None, usage: Usage | None
    ) -> DraftResult:
        return DraftResult(
            subject=" ".join(answer.subject.split()),
            body=answer.body.strip() + "\n",
            content_slug=answer.content_slug,
            rationale=" ".join(answer.rationale.split()),
            drafter=self.name,
            confidence=answer.confidence,
            prompt_template=prompt.template if prompt else "",
            prompt_hash=prompt.sha256 if prompt else "",
            usage=usage,
        )

    async def _answer(
        self, prompt: RenderedPrompt, messages: list[dict[str, Any]], usage: Usage
    ) -> _Answer:
        """A well-formed answer, asking a second time when the first is malformed."""
        problem = ""
        for _ in range(2):
            message = await self.client.create(self._params(prompt.system, messages))
            self.client.add(usage, message)
            try:
                return _parse(message)
            except _Malformed as exc:
                problem = str(exc)
                log.warning("unusable answer from %s: %s", self.model, problem)
        raise DraftError(f"the model gave no usable draft twice: {problem}")

    def _params(self, system: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "model": self.model,
            "max_tokens": MAX_TOKENS,
            # One block, marked: the cache covers the tools and this whole system prompt.
            "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            "tools": [DRAFT_TOOL],
            "tool_choice": self.client.tool_choice(TOOL_NAME),
            "messages": messages,
        }


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def _feedback(tool_use_id: str, problems: list[str]) -> dict[str, Any]:
    listed = "\n".join(f"- {problem}" for problem in problems)
    return {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": tool_use_id,
                "is_error": True,
                "content": FEEDBACK.format(problems=listed),
            }
        ],
    }


def _parse(message: Message) -> _Answer:
    call = next(
        (b for b in message.content if isinstance(b, ToolUseBlock) and b.name == TOOL_NAME), None
    )
    if call is None:
        raise _Malformed(f"no {TOOL_NAME} call (stop reason: {message.stop_reason})")
    data: object = call.input
    if not isinstance(data, dict):
        raise _Malformed(f"{TOOL_NAME} input is not an object")
    subject, body, rationale = data.get("subject"), data.get("body"), data.get("rationale")
    slug, confidence, flags = data.get("content_slug"), data.get("confidence"), data.get("flags")
    for field, value in (("subject", subject), ("body", body), ("rationale", rationale)):
        if not isinstance(value, str) or not value.strip():
            raise _Malformed(f"{field} is missing or not text")
    if slug is not None and not isinstance(slug, str):
        raise _Malformed("content_slug is neither text nor null")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise _Malformed("confidence is not a number")
    if not 0 <= confidence <= 1:
        raise _Malformed(f"confidence {confidence} is outside 0..1")
    if not isinstance(flags, list) or not all(isinstance(flag, str) for flag in flags):
        raise _Malformed("flags is not a list of text")
    return _Answer(
        subject=cast(str, subject),
        body=cast(str, body),
        content_slug=slug or None,
        rationale=cast(str, rationale),
        confidence=float(confidence),
        flags=tuple(flags),
        tool_use_id=call.id,
        # Sent back verbatim (thinking blocks included) when the draft is returned for fixes.
        turn={
            "role": "assistant",
            "content": [block.model_dump(exclude_none=True) for block in message.content],
        },
    )
