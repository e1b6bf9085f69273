"""One connection to the Anthropic API: concurrency limit, error mapping, token accounting.

The SDK retries 408/409/429/5xx/529 and dropped connections `max_retries` times, waiting what
`retry-after` says or backing off exponentially; what is still failing after that becomes
ModelUnavailable, which the callers turn into their offline fallback. The drafter and the
classifier share one client, so the concurrency limit holds for both together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from types import TracebackType
from typing import Any, TypeVar

import anthropic
from anthropic.types import Message

from assistant.errors import DraftError, ModelUnavailable
from assistant.llm.base import Usage
from assistant.llm.cost import Prices, cost_usd, prices_for

log = logging.getLogger(__name__)
T = TypeVar("T")

_STATUS_REASONS = {
    401: "authentication failed",
    402: "billing problem",
    403: "permission denied",
    404: "model not found",
    408: "request timeout",
    409: "conflict",
    429: "rate limited",
    529: "overloaded",
}


class ModelClient:
    """The SDK client of one model, with its prices and the team's concurrency limit."""

    def __init__(
        self,
        *,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout_seconds: float = 60.0,
        max_retries: int = 3,
        max_concurrency: int = 4,
        prices: Prices | None = None,
    ) -> None:
        self.model = model
        # One client, one event loop: its connections and the semaphore belong to the loop
        # that first uses them (the daemon's, or one `nurture` command's).
        self.sdk = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_seconds, max_retries=max_retries
        )
        self.prices = prices if prices is not None else prices_for(model)
        self._timeout = timeout_seconds
        self._limit = asyncio.Semaphore(max_concurrency)
        # Some newer models refuse a forced tool choice; we learn that from the first 400.
        self._force_tool = True

    async def __aenter__(self) -> ModelClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.sdk.close()

    def tool_choice(self, name: str) -> dict[str, Any]:
        """Force the one tool, unless this model refused that before; then ask for it."""
        if self._force_tool:
            return {"type": "tool", "name": name, "disable_parallel_tool_use": True}
        return {"type": "auto", "disable_parallel_tool_use": True}

    async def create(self, params: dict[str, Any]) -> Message:
        """One Messages API call within the concurrency limit."""
        async with self._limit:
            try:
                return await self.api(self.sdk.messages.create(**params))
            except _ToolChoiceRefused:
                log.warning("%s refuses a forced tool; asking for it in the prompt", self.model)
                self._force_tool = False
                name = params["tool_choice"].get("name", "")
                params = {**params, "tool_choice": self.tool_choice(name)}
                return await self.api(self.sdk.messages.create(**params))

    async def api(self, call: Awaitable[T]) -> T:
        """Await one SDK call (its own retries included) and turn its failure into ours."""
        try:
            return await call
        except anthropic.BadRequestError as exc:
            if self._force_tool and "tool_choice" in str(exc.message):
                raise _ToolChoiceRefused from exc
            raise DraftError(f"the model API refused the request: {exc.message}") from exc
        except anthropic.APIStatusError as exc:
            raise _status_error(exc) from exc
        except anthropic.APITimeoutError as exc:
            raise ModelUnavailable(f"no answer within {self._timeout:g}s") from exc
        except anthropic.APIConnectionError as exc:
            raise ModelUnavailable("cannot connect") from exc

    def add(self, usage: Usage, message: Message, *, batch: bool = False) -> Usage:
        """Count a message's tokens into `usage`, priced at batch rates when it was batched."""
        counted = Usage(
            message.usage.input_tokens,
            message.usage.cache_creation_input_tokens or 0,
            message.usage.cache_read_input_tokens or 0,
            message.usage.output_tokens,
        )
        usage.input_tokens += counted.input_tokens
        usage.cache_creation_input_tokens += counted.cache_creation_input_tokens
        usage.cache_read_input_tokens += counted.cache_read_input_tokens
        usage.output_tokens += counted.output_tokens
        usage.batched = usage.batched or batch
        if self.prices is not None:
            prices = self.prices.batch() if batch else self.prices
            usage.cost_usd = (usage.cost_usd or 0.0) + cost_usd(counted, prices)
        return usage


class _ToolChoiceRefused(DraftError):
    """The model answered 400 to a forced tool choice."""


def _status_error(exc: anthropic.APIStatusError) -> DraftError:
    status = exc.status_code
    if status in _STATUS_REASONS or status >= 500:
        reason = _STATUS_REASONS.get(status, "server error")
        return ModelUnavailable(f"{reason}, HTTP {status}")
    return DraftError(f"the model API refused the request, HTTP {status}: {exc.message}")
