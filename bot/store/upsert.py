"""INSERT ... ON CONFLICT for the two dialects we run on (their APIs match)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, model):  # noqa: ANN001, ANN201 - returns a dialect Insert
    """A Core insert into ``model``'s table: executemany skips the ORM's per-row bookkeeping."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)
