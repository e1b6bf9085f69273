"""The one compare-and-set every transition is made of.

A row moves on only if it is still in one of the states that allow the move, in a single
UPDATE ... WHERE id = ? AND state IN (...): two processes that race for the same draft, lead
or notice cannot both win, on SQLite or PostgreSQL, without a lock held across a round trip.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col


def move(
    session: Session,
    model: type[Any],
    row_id: int | None,
    column: str,
    allowed: Iterable[Enum | str | bool],
    **values: Any,
) -> bool:
    """Set `values` on the row if its `column` is still one of `allowed`; False if it is not."""
    states = [state.value if isinstance(state, Enum) else state for state in allowed]
    result = session.execute(
        update(model)
        .where(col(model.id) == row_id, col(getattr(model, column)).in_(states))
        .values(**values)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
