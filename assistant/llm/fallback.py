"""Compose two drafters: the model first, the offline drafter whenever the model is unavailable."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, runtime_checkable

from assistant.errors import DraftError, ModelUnavailable
from assistant.llm.base import Drafter, DraftRequest, DraftResult

log = logging.getLogger(__name__)

MODEL_UNAVAILABLE = "model_unavailable"


@runtime_checkable
class BatchDrafter(Drafter, Protocol):
    """A drafter that can also draft through a batch API: submit now, collect later."""

    async def draft_batch(
        self, requests: Sequence[DraftRequest]
    ) -> list[DraftResult | DraftError]: ...

    async def submit_batch(self, items: Sequence[tuple[str, DraftRequest]]) -> str: ...

    async def collect_batch(
        self, batch_id: str, items: Sequence[tuple[str, DraftRequest]]
    ) -> list[DraftResult | DraftError] | None: ...


class FallbackDrafter:
    """Drafts with `primary`; when it raises ModelUnavailable, drafts with `fallback` and says so.

    After a failure the primary is skipped for `cooldown_seconds`, so that a dead API costs
    one round of retries and timeouts, not one per lead.
    """

    def __init__(
        self, primary: Drafter, fallback: Drafter, *, cooldown_seconds: float = 60.0
    ) -> None:
        self.primary, self.fallback = primary, fallback
        self.name = primary.name
        self._cooldown = cooldown_seconds
        self._down_until = 0.0
        self._reason = ""

    async def draft(self, request: DraftRequest) -> DraftResult:
        if time.monotonic() < self._down_until:
            return await self._fall_back(request, self._reason)
        try:
            return await self.primary.draft(request)
        except ModelUnavailable as exc:
            self._mark_down(exc.reason)
            return await self._fall_back(request, exc.reason)

    async def draft_batch(self, requests: Sequence[DraftRequest]) -> list[DraftResult | DraftError]:
        """One outcome per request, in order: a result, or the error of that request alone."""
        if not isinstance(self.primary, BatchDrafter) or time.monotonic() < self._down_until:
            return list(await asyncio.gather(*(self._settle(request) for request in requests)))
        try:
            outcomes = await self.primary.draft_batch(requests)
        except ModelUnavailable as exc:
            self._mark_down(exc.reason)
            outcomes = [exc] * len(requests)
        return await self._replace_down(requests, outcomes)

    async def submit_batch(self, items: Sequence[tuple[str, DraftRequest]]) -> str:
        """Submit through the primary; ModelUnavailable when it cannot take a batch now."""
        if not isinstance(self.primary, BatchDrafter):
            raise ModelUnavailable(f"{self.primary.name} has no batch API")
        if time.monotonic() < self._down_until:
            raise ModelUnavailable(self._reason)
        try:
            return await self.primary.submit_batch(items)
        except ModelUnavailable as exc:
            self._mark_down(exc.reason)
            raise

    async def collect_batch(
        self, batch_id: str, items: Sequence[tuple[str, DraftRequest]]
    ) -> list[DraftResult | DraftError] | None:
        """The primary's outcomes, with items it could not redraft drafted by the fallback.

        An API that is down while we ask raises ModelUnavailable: the batch waits for later.
        """
        if not isinstance(self.primary, BatchDrafter):
            raise ModelUnavailable(f"{self.primary.name} has no batch API")
        outcomes = await self.primary.collect_batch(batch_id, items)
        if outcomes is None:
            return None
        return await self._replace_down([request for _, request in items], outcomes)

    async def _replace_down(
        self, requests: Sequence[DraftRequest], outcomes: list[DraftResult | DraftError]
    ) -> list[DraftResult | DraftError]:
        down = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, ModelUnavailable)]
        redone = await asyncio.gather(
            *(self._settle_fallback(requests[i], error.reason) for i, error in down)
        )
        for (i, _), outcome in zip(down, redone, strict=True):
            outcomes[i] = outcome
        return outcomes

    def _mark_down(self, reason: str) -> None:
        log.warning("model unavailable (%s); offline drafts for %.0fs", reason, self._cooldown)
        self._reason = reason
        self._down_until = time.monotonic() + self._cooldown

    async def _fall_back(self, request: DraftRequest, reason: str) -> DraftResult:
        result = await self.fallback.draft(request)
        return replace(
            result,
            drafter=f"{self.fallback.name} (model unavailable: {reason})",
            flags=[*result.flags, MODEL_UNAVAILABLE],
        )

    async def _settle(self, request: DraftRequest) -> DraftResult | DraftError:
        try:
            return await self.draft(request)
        except DraftError as exc:
            return exc

    async def _settle_fallback(
        self, request: DraftRequest, reason: str
    ) -> DraftResult | DraftError:
        try:
            return await self._fall_back(request, reason)
        except DraftError as exc:
            return exc
