"""Fixtures: the real content pack, a real SQLite file (and PostgreSQL when a server answers)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.config import DEFAULT_CONTENT, Settings
from bot.service import StudyService
from tests.helpers import Clock, RecordingPoster

PG_HOST, PG_PORT = "127.0.0.1", 5432
#: CI sets this so a missing PostgreSQL fails the run instead of skipping its tests.
REQUIRE_PG = os.environ.get("STUDYBOT_REQUIRE_POSTGRES") == "1"


def _pg_up() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def content_path() -> Path:
    return DEFAULT_CONTENT


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}"
        return
    if not _pg_up():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (STUDYBOT_REQUIRE_POSTGRES=1) but {PG_HOST}:{PG_PORT} does not answer")
        pytest.skip(f"no PostgreSQL server at {PG_HOST}:{PG_PORT}")
    import asyncpg

    name = f"studybot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc))


@pytest.fixture
def poster() -> RecordingPoster:
    return RecordingPoster()


@pytest.fixture
async def open_service(
    database_url: str, content_path: Path, clock: Clock, poster: RecordingPoster
) -> AsyncIterator[Callable[[], StudyService]]:
    """Opens services on one database, as a restarted process would; closes them all at the end."""
    opened: list[StudyService] = []

    async def open_() -> StudyService:
        service = await StudyService.open(Settings(database_url=database_url, content_path=content_path), clock=clock)
        service.attach("terminal", poster)
        opened.append(service)
        return service

    yield open_
    for service in opened:
        await service.close()


@pytest.fixture
async def service(open_service: Callable) -> StudyService:
    return await open_service()
