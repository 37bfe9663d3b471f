"""Fixtures for the Discord end-to-end tests: the fake Discord, a real StudyService on a
SQLite file, and the real DiscordAdapter (discord.py) connected to the fake.

The content pack is the real ``objectives.yaml`` (and ``aliases.yaml``) with generated
questions, so what the daily post asks is deterministic; ``pack`` variants exercise
multi-pick questions and oversized content.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.discord import DiscordAdapter
from bot.config import DEFAULT_CONTENT, Secret, Settings
from bot.service import StudyService
from tests.helpers import Clock, stop_serving

from ..fakes.discord_fake import FakeDiscord, Interaction
from .pack import build_pack

UTC = timezone.utc
#: Interactions must be acknowledged within this (Discord's window).
ACK_WINDOW = 3.0


class Bot:
    """The bot process under test: one StudyService + one DiscordAdapter, restartable."""

    def __init__(self, fake: FakeDiscord, settings: Settings, clock: Clock) -> None:
        self.fake, self.settings, self.clock = fake, settings, clock
        self.service: StudyService | None = None
        self.adapter: DiscordAdapter | None = None
        self.task: asyncio.Task | None = None
        self.starts = 0

    async def start(self) -> Bot:
        self.service = await StudyService.open(self.settings, clock=self.clock)
        self.adapter = DiscordAdapter(self.settings, guild_ready_timeout=0.05)
        before = len(self.fake.identify_payloads)
        self.task = asyncio.create_task(self.adapter.run(self.service))
        connected = asyncio.ensure_future(self.fake.wait_for(
            lambda: len(self.fake.identify_payloads) > before and self.fake._sockets, 15))
        await asyncio.wait({self.task, connected}, return_when=asyncio.FIRST_COMPLETED)
        if self.task.done():
            connected.cancel()
            self.task.result()  # raise what went wrong
            raise RuntimeError("the adapter stopped before connecting")
        await connected
        await self.fake.wait_connected()
        await self.adapter.wait_ready(10)
        self.starts += 1
        return self

    async def stop(self) -> None:
        count = self.settings.discord_shard_count or 1
        mine = {(shard, count) for shard in self.settings.discord_shards or (0,)}  # other bots hold the rest
        await stop_serving(self.task, self.service)
        self.task = self.service = None
        await self.fake.wait_for(lambda: not mine & self.fake.shards_connected(), 5)

    async def restart(self) -> Bot:
        await self.stop()
        return await self.start()

    async def run_due(self, now: datetime) -> None:
        self.clock.set(now)
        assert self.service is not None
        await self.service.run_due(now)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 10, 6, 0, tzinfo=UTC))


@pytest.fixture
def pack_variant() -> str:
    return "single"


@pytest.fixture
def pack(tmp_path: Path, pack_variant: str) -> Path:
    if pack_variant == "real":
        return DEFAULT_CONTENT
    return build_pack(tmp_path / "pack", pack_variant)


@pytest.fixture
async def fake():
    async with FakeDiscord() as f:
        with f.redirect():
            yield f


@pytest.fixture
def settings(tmp_path: Path, fake: FakeDiscord, pack: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}", content_path=pack,
                    discord_token=Secret(fake.token))


@pytest.fixture
async def bot(fake: FakeDiscord, settings: Settings, clock: Clock):
    b = Bot(fake, settings, clock)
    await b.start()
    try:
        yield b
    finally:
        await b.stop()
    late = [i for i in fake.interactions.values() if i.sent_at and not i.refused and not _acked_in_time(i)]
    assert not late, f"interactions not acknowledged within {ACK_WINDOW}s: {late}"


def _acked_in_time(i: Interaction) -> bool:
    return i.callback_at is not None and i.callback_at - i.sent_at < ACK_WINDOW


@pytest.fixture(autouse=True)
def no_discord_errors(caplog: pytest.LogCaptureFixture):
    """Fail any test during which discord.py (or asyncio) logged an ERROR."""
    yield
    bad = [
        r for when in ("setup", "call", "teardown") for r in caplog.get_records(when)
        if r.levelno >= logging.ERROR and (r.name == "discord" or r.name.startswith("discord.") or r.name == "asyncio")
    ]
    if bad:
        pytest.fail("discord.py logged errors:\n" + "\n".join(
            f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in bad))
