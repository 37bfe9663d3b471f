"""Discord sharding: one token across processes (DISCORD_SHARD_COUNT, DISCORD_SHARDS).

Two bots, each with its own StudyService and its own discord.py AutoShardedClient, share one
PostgreSQL store and split 4 shards. The fake gateway puts each server on shard
``(guild_id >> 22) % 4`` and sends its events only on that shard's connection, as Discord does.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys

import pytest

from adapters.discord.client import IDENTIFY_WINDOW, ShardedStudyBotClient, StudyBotClient
from bot.config import Settings, parse_shards, shard_settings

from ..fakes.discord_fake import CHANNEL_MESSAGE, FakeDiscord, shard_of
from .conftest import Bot
from .test_discord_e2e import NEXT_POST_AT, POST_AT, button

SHARDS = 4


def sharded(settings: Settings, database_url: str, shards: tuple[int, ...]) -> Settings:
    return dataclasses.replace(settings, database_url=database_url, discord_shard_count=SHARDS,
                               discord_shards=shards)


def quiz_posts(fake: FakeDiscord, channel: int) -> list[dict]:
    """The daily posts in a channel (REST messages with answer buttons; not setup's notice)."""
    return [m for m in fake.channel_messages(channel) if m.get("webhook_id") is None and m["components"]]


def holder(bots: list[Bot], guild_id: int) -> Bot:
    """The bot whose process serves this server's shard."""
    (bot,) = [b for b in bots if shard_of(guild_id, SHARDS) in b.settings.discord_shards]
    return bot


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_processes_split_four_shards_on_one_store(fake: FakeDiscord, settings, clock, database_url):
    fake.max_concurrency = SHARDS  # a bot whose limit lets its shards identify together
    guilds = [fake.guild_id] + [fake.add_guild(shard=s, shard_count=SHARDS) for s in range(SHARDS)]
    assert {shard_of(g, SHARDS) for g in guilds} == set(range(SHARDS))
    low = await Bot(fake, sharded(settings, database_url, (0, 1)), clock).start()
    high = Bot(fake, sharded(settings, database_url, (2, 3)), clock)
    bots = [low, high]
    try:
        await high.start()
        await fake.wait_for(lambda: fake.shards_connected() == {(s, SHARDS) for s in range(SHARDS)}, 10)
        for bot in bots:
            client = bot.adapter.client
            assert isinstance(client, ShardedStudyBotClient) and client.shard_count == SHARDS
            # each process received the servers of its own shards only
            assert {g.id for g in client.guilds} == {g for g in guilds if holder(bots, g) is bot}

        admin = fake.user("ada", admin=True)
        for g in guilds:
            study = fake.guilds[g][0]
            setup = await fake.slash(admin, "studybot", {"channel": ("channel", study), "time": "09:00",
                                                         "timezone": "Europe/Berlin"}, sub="setup", channel_id=study)
            assert "every day at 09:00" in setup.text(), setup.text()

        # both schedulers tick at once: each server is posted once, by whichever claims it first,
        # whether or not that process serves the server's shard (posting is REST)
        await asyncio.gather(low.run_due(POST_AT), high.run_due(POST_AT))
        posts = {}
        for g in guilds:
            (posts[g],) = quiz_posts(fake, fake.guilds[g][0])

        # each click is sent on its server's shard and answered by the process serving it
        for g in guilds:
            click = await fake.click(fake.user(f"member-{g}"), posts[g], button(posts[g], "Bravo")["custom_id"])
            assert click.callback_type == CHANNEL_MESSAGE and click.ephemeral and "Correct!" in click.text()
            event, guild, shard = fake.dispatched[-1]
            assert (event, guild, shard) == ("INTERACTION_CREATE", g, shard_of(g, SHARDS))
            answering = holder(bots, g).adapter.client
            other = next(b for b in bots if b is not holder(bots, g)).adapter.client
            assert click.id in answering._seen and click.id not in other._seen

        # the next day both close and post at once: each post edited once with its server's answer
        await asyncio.gather(low.run_due(NEXT_POST_AT), high.run_due(NEXT_POST_AT))
        for g in guilds:
            study = fake.guilds[g][0]
            closed = fake.messages[int(posts[g]["id"])]
            assert {f["name"]: f["value"] for f in closed["embeds"][1]["fields"]}["Answered"] == "1"
            assert len(fake.calls_to("PATCH", f"/channels/{study}/messages/{posts[g]['id']}")) == 1
            assert len(quiz_posts(fake, study)) == 2  # and the next day's quiz is up
    finally:
        await asyncio.gather(*(bot.stop() for bot in bots if bot.task is not None), return_exceptions=True)


async def test_one_process_without_shard_settings_keeps_the_plain_client(bot: Bot, fake: FakeDiscord):
    assert type(bot.adapter.client) is StudyBotClient
    assert "shard" not in fake.identify_payloads[0]
    assert fake.shards_connected() == {(0, 1)}


async def test_shards_identify_as_fast_as_the_bots_limit_allows(fake: FakeDiscord, settings, clock):
    """With max_concurrency 2, shards 0 and 1 are in different buckets: no 5-second wait."""
    fake.max_concurrency = 2
    bot = await Bot(fake, dataclasses.replace(settings, discord_shard_count=2, discord_shards=(0, 1)), clock).start()
    try:
        await fake.wait_for(lambda: fake.shards_connected() == {(0, 2), (1, 2)}, 4)
        assert sorted(tuple(p["shard"]) for p in fake.identify_payloads) == [(0, 2), (1, 2)]
        first, second = fake.identify_times
        assert second - first < IDENTIFY_WINDOW / 2  # discord.py's default waits the whole window
    finally:
        await bot.stop()


@pytest.mark.parametrize("count,shards,expected", [
    ("4", "0-3", (0, 1, 2, 3)), ("4", "1", (1,)), ("8", "0,2,4-5", (0, 2, 4, 5)), ("2", "", (0, 1)),
])
def test_shard_settings(count: str, shards: str, expected: tuple[int, ...]):
    assert shard_settings(count, shards) == {"discord_shard_count": int(count), "discord_shards": expected}
    assert Settings.from_env({"DISCORD_SHARD_COUNT": count, "DISCORD_SHARDS": shards}).discord_shards == expected


@pytest.mark.parametrize("count,shards,says", [
    ("4", "0-4", "within 0-3"), ("4", "3-1", "within 0-3"), ("4", "a", "not a shard number"),
    ("0", "", "at least 1"), ("", "0-1", "needs DISCORD_SHARD_COUNT"),
])
def test_bad_shard_settings_stop_startup_with_a_clear_message(count: str, shards: str, says: str):
    with pytest.raises(ValueError, match=says):
        shard_settings(count, shards)
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], capture_output=True, text=True, timeout=60,
                            env={"DISCORD_SHARD_COUNT": count, "DISCORD_SHARDS": shards, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr


def test_parse_shards_unions_ranges():
    assert parse_shards("0-1, 1-2", 3) == (0, 1, 2)
