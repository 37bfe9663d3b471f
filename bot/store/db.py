"""Engine setup and migrations for SQLite (default) and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: How long a connection keeps trying to switch a new SQLite file to WAL while others hold it.
WAL_SWITCH_WAIT = 15.0


class SchemaBehind(Exception):
    """The database exists but predates this version of StudyBot."""


def make_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pre-ping: it costs round trips on every checkout, and a connection that died
        # (a restart, a failover) fails one statement, which invalidates the whole pool; the
        # writes that matter are retried (bot.store.retry), the rest answer "try again".
        # Twenty connections kept, none beyond: the scheduler runs 64 sends at once, and with ten
        # kept and ten more on demand, the extra ten were closed and opened again all through a
        # busy 09:00 (each a new PostgreSQL backend process, up to a fifth of the machine's CPU).
        return create_async_engine(url, pool_size=20, max_overflow=0)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 15})

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI types
        cursor = dbapi_connection.cursor()
        _use_wal(cursor)
        # FULL: an answer acknowledged to a member survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    return engine


def _use_wal(cursor) -> None:  # noqa: ANN001 - a DBAPI cursor
    """Put the database in WAL mode (a setting kept in the file, so usually already set).

    Switching a new file needs an exclusive lock, and SQLite refuses it at once, without waiting
    out the busy timeout, while other connections opening the same new file hold theirs (several
    workers starting together on an empty store): try again until one of them has switched it."""
    deadline = time.monotonic() + WAL_SWITCH_WAIT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(random.uniform(0.005, 0.02))  # at first start only; no other work is waiting yet


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def lock_for_writing(session: AsyncSession) -> None:
    """Start the session's transaction holding SQLite's write lock, for a transaction that writes
    what it read (a streak, a card). The driver would begin it at the first INSERT, after those
    reads, and another process could commit in between: its write would then be lost. The lock
    waits out another process's transaction (the busy timeout). PostgreSQL locks the rows read
    (``FOR UPDATE``) instead, so this does nothing there. Call it first in the transaction."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        await session.execute(text("BEGIN IMMEDIATE"))


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


#: Any constant: the PostgreSQL advisory lock that lets one process at a time migrate.
MIGRATION_LOCK = 0x5747_0001


def _begin_migration(connection: Connection) -> None:
    """Make the migration one transaction that one process runs at a time. SQLite's driver would
    run each CREATE in autocommit (a kill -9 halfway left "table groups already exists" forever):
    BEGIN IMMEDIATE opens the transaction and takes the write lock. PostgreSQL's DDL is
    transactional already; an advisory lock keeps workers starting together from racing."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest revision, all or nothing; returns (before, after)."""
    async with engine.begin() as conn:
        await conn.run_sync(_begin_migration)
        before = await conn.run_sync(_current)  # read under the lock: another process may have just done it
        if before != _head():
            await conn.run_sync(lambda c: command.upgrade(_config(c), "head"))
        return before, await conn.run_sync(_current)


async def prepare(engine: AsyncEngine) -> None:
    """Create a new database's schema; refuse to run on one that needs a migration."""
    async with engine.connect() as conn:
        current = await conn.run_sync(_current)
    if current is None:
        await upgrade(engine)
    elif current != _head():
        raise SchemaBehind(
            f"the database schema is at revision {current}, this StudyBot needs {_head()}: "
            "run `studybot db upgrade` first"
        )
