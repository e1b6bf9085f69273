"""What drafting costs: list prices per model and the dollar sum of a draft's token usage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.llm.base import Usage

CACHE_WRITE = 1.25  # a 5-minute cache write costs 1.25x the input price
CACHE_READ = 0.1  # a cache hit costs a tenth of it
BATCH = 0.5  # the Message Batches API halves every price


@dataclass(frozen=True)
class Prices:
    """US dollars per million tokens."""

    input: float
    cache_write: float
    cache_read: float
    output: float

    @classmethod
    def from_base(cls, input: float, output: float) -> Prices:
        return cls(input, input * CACHE_WRITE, input * CACHE_READ, output)

    def batch(self) -> Prices:
        return Prices(
            self.input * BATCH,
            self.cache_write * BATCH,
            self.cache_read * BATCH,
            self.output * BATCH,
        )


# Anthropic's list prices for the models a team is likely to configure; the operator can
# pass their own Prices for anything else. Dated ids ("...-20250929") fall back to the alias.
LIST_PRICES: dict[str, Prices] = {
    "claude-sonnet-4-5": Prices.from_base(3.0, 15.0),
    "claude-sonnet-4-6": Prices.from_base(3.0, 15.0),
    "claude-sonnet-4": Prices.from_base(3.0, 15.0),
    "claude-sonnet-5": Prices.from_base(2.0, 10.0),
    "claude-haiku-4-5": Prices.from_base(1.0, 5.0),
    "claude-opus-4-5": Prices.from_base(5.0, 25.0),
    "claude-opus-4-6": Prices.from_base(5.0, 25.0),
    "claude-opus-4-7": Prices.from_base(5.0, 25.0),
    "claude-opus-4-8": Prices.from_base(5.0, 25.0),
    "claude-opus-5": Prices.from_base(5.0, 25.0),
    "claude-opus-4-1": Prices.from_base(15.0, 75.0),
    "claude-opus-4": Prices.from_base(15.0, 75.0),
}
_DATED = re.compile(r"-\d{8}$")


def prices_for(model: str, *, batch: bool = False) -> Prices | None:
    """The list prices of a model, halved for batch; None for a model not in the table."""
    prices = LIST_PRICES.get(model) or LIST_PRICES.get(_DATED.sub("", model))
    if prices is None:
        return None
    return prices.batch() if batch else prices


def configured_prices(
    model: str,
    *,
    input: float | None = None,
    output: float | None = None,
    cache_write: float | None = None,
    cache_read: float | None = None,
) -> Prices | None:
    """The operator's prices where given, else the model's list prices; None when neither is.

    Cache prices not given follow the input price, as Anthropic's do.
    """
    if input is None or output is None:
        listed = prices_for(model)
        if listed is None:
            return None
        input = listed.input if input is None else input
        output = listed.output if output is None else output
    return Prices(
        input,
        input * CACHE_WRITE if cache_write is None else cache_write,
        input * CACHE_READ if cache_read is None else cache_read,
        output,
    )


def cost_usd(usage: Usage, prices: Prices) -> float:
    """Dollars for one usage record: uncached input, cache writes, cache reads and output."""
    return (
        usage.input_tokens * prices.input
        + usage.cache_creation_input_tokens * prices.cache_write
        + usage.cache_read_input_tokens * prices.cache_read
        + usage.output_tokens * prices.output
    ) / 1_000_000
