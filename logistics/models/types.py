"""Column types shared by the tables.

``UTCDateTime`` stores every instant as UTC and gives back timezone-aware values on
SQLite too (SQLite has no time zones; without this, reads come back naive).
``enum_column`` stores enums as short strings with a CHECK-free VARCHAR, so adding a
status is a code change, not a type migration on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        value = value.astimezone(UTC)
        # SQLite stores text: keep it naive UTC so lexical order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_cls: type[Enum]) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum_cls) + 8,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def enum_field(enum_cls: type[Enum], *, default: Any = ..., index: bool = False, nullable: bool = False) -> Any:
    return Field(
        default=default,
        sa_column=sa.Column(enum_type(enum_cls), nullable=nullable, index=index),
    )


def datetime_field(*, default: Any = ..., default_factory: Any = None, index: bool = False, nullable: bool = False) -> Any:
    kwargs: dict[str, Any] = {"sa_column": sa.Column(UTCDateTime(), nullable=nullable, index=index)}
    if default_factory is not None:
        kwargs["default_factory"] = default_factory
    else:
        kwargs["default"] = default
    return Field(**kwargs)


def json_field(*, default_factory: Any = dict, nullable: bool = False) -> Any:
    return Field(default_factory=default_factory, sa_column=sa.Column(sa.JSON(), nullable=nullable))
