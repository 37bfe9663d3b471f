"""The score store: migrations match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.store.models import Answer, Base, Member


async def test_the_migrations_build_exactly_the_models_schema(service):
    def diff(connection):  # noqa: ANN001, ANN202
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with service.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    if service.engine.dialect.name == "sqlite":
        # SQLite reflection cannot read back the expression (points DESC) of the board index,
        # so Alembic reports it dropped and re-added; PostgreSQL compares it fully.
        assert sorted(kind for kind, index in changes if index.name == "ix_scores_board") == ["add_index", "remove_index"]
        changes = [c for c in changes if c[1].name != "ix_scores_board"]
    assert changes == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_runs_in_wal_with_foreign_keys_and_full_sync(service):
    async with service.engine.connect() as conn:
        pragmas = {
            name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2, "busy_timeout": 15000}


async def test_the_store_refuses_an_answer_to_a_quiz_that_does_not_exist(service):
    """Foreign keys hold on both databases (SQLite enforces them only when the engine turns them on)."""
    async with service.sessions() as session, session.begin():
        session.add(Member(platform="terminal", workspace="w", user_id="u", name="U"))
    with pytest.raises(IntegrityError):
        async with service.sessions() as session, session.begin():
            member_id = await session.scalar(select(Member.id))
            session.add(Answer(quiz_id=999_999, member_id=member_id, picks="0", correct=False, points=0,
                               answered_at=datetime.now(timezone.utc)))
