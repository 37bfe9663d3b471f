"""Stopping the Discord adapter (what SIGTERM does through the runner) answers every interaction
it acknowledged before closing its client."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy import func, select

from bot.store.models import Answer

from ..fakes.discord_fake import DEFERRED_CHANNEL_MESSAGE, FakeDiscord
from .conftest import Bot
from .test_discord_e2e import POST_AT, button, daily_posts, set_up_group


async def test_stopping_answers_every_acknowledged_click_first(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    custom_id = button(post, "Bravo")["custom_id"]
    # a burst the store cannot take yet (another writer holds SQLite's lock): the bot defers
    # every click within Discord's window, and the answers wait to be committed
    store = sqlite3.connect(bot.settings.database_url.split(":///", 1)[1], isolation_level=None)
    store.execute("BEGIN IMMEDIATE")
    clicks = [await fake.click(fake.user(f"m{i}"), post, custom_id, wait=False) for i in range(30)]
    await fake.wait_for(lambda: all(c.callback_type == DEFERRED_CHANNEL_MESSAGE for c in clicks), 10)
    assert not any(c.done.is_set() for c in clicks)

    service = bot.service
    bot.task.cancel()  # the runner's stop
    store.execute("COMMIT")  # the store frees up while the adapter is stopping
    store.close()
    await asyncio.gather(bot.task, return_exceptions=True)
    assert all(c.done.is_set() and "Correct!" in c.text() for c in clicks)
    async with service.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Answer)) == 30
    bot.task = None  # stopped; the fixture closes the service
