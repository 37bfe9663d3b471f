"""The first start is atomic: a kill -9 while the schema is being created leaves either no
schema or the whole one, and the next start opens the store normally."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from sqlalchemy import inspect

from bot.config import Settings
from bot.service import StudyService
from bot.store.db import _head, make_engine
from bot.store.models import Base
from tests.test_terminal import TOKENS

#: The real `studybot db upgrade`, with SQLAlchemy's statement log on so the test sees each CREATE go out.
UPGRADE_WITH_SQL_LOG = (
    "import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stderr); "
    "logging.getLogger('sqlalchemy.engine').setLevel(logging.INFO); "
    "from bot.cli import main; sys.exit(main(['db', 'upgrade']))"
)


def _kill_after_creates(database_url: str, creates: int) -> None:
    """Run the upgrade and kill -9 it as soon as its ``creates``-th CREATE statement is logged."""
    env = {k: v for k, v in os.environ.items() if k not in TOKENS} | {"DATABASE_URL": database_url}
    proc = subprocess.Popen([sys.executable, "-c", UPGRADE_WITH_SQL_LOG], stderr=subprocess.PIPE, env=env, text=True)
    seen = 0
    try:
        for line in proc.stderr:
            if "CREATE " in line:
                seen += 1
                if seen == creates:
                    proc.kill()
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert seen == creates, f"the upgrade logged only {seen} CREATE statements"


async def _tables(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("creates", [1, 3, 8])
async def test_a_kill_during_the_first_start_leaves_no_schema_or_all_of_it(database_url, content_path, creates):
    await asyncio.to_thread(_kill_after_creates, database_url, creates)
    tables = await _tables(database_url)
    whole = {*Base.metadata.tables, "alembic_version"}
    assert tables in (set(), whole), f"a half-made schema: {sorted(tables)}"
    # and the next start opens it (creating the schema if the first got nowhere)
    service = await StudyService.open(Settings(database_url=database_url, content_path=content_path))
    try:
        async with service.engine.connect() as conn:
            version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar()
        assert version == _head()
    finally:
        await service.close()


async def test_workers_starting_together_on_an_empty_store_create_it_once(database_url, content_path):
    settings = Settings(database_url=database_url, content_path=content_path)
    services = await asyncio.gather(*(StudyService.open(settings) for _ in range(3)))
    try:
        assert await _tables(database_url) == {*Base.metadata.tables, "alembic_version"}
    finally:
        for service in services:
            await service.close()
