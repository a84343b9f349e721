"""Limit/offset paging shared by the list endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # beyond any table; keeps the value inside a database integer


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int

    def next_offset(self, total: int) -> int | None:
        after = self.offset + self.limit
        return after if after < total else None


def _paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
) -> Paging:
    return Paging(limit=limit, offset=offset)


PagingDep = Annotated[Paging, Depends(_paging)]
