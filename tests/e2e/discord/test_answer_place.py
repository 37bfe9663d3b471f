"""A click counts only where its quiz lives: a button id is a claim, the click's server and channel are facts."""

from __future__ import annotations

from ..fakes.discord_fake import FakeDiscord
from .conftest import Bot
from .test_discord_e2e import POST_AT, button, daily_posts, set_up_group


async def test_a_member_of_another_server_clicking_this_servers_quiz_is_refused(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    custom_id = button(post, "Bravo")["custom_id"]

    # server B: its own channel, a message of its own carrying a button id that names server A's quiz
    other_guild, other_channel = fake.snowflake(), fake.snowflake()
    forged = {**post, "id": str(fake.snowflake()), "channel_id": str(other_channel)}
    mallory = fake.user("mallory")
    refused = await fake.click(mallory, forged, custom_id, guild_id=other_guild)
    assert refused.ephemeral and "another study group" in refused.text()
    assert "Correct" not in refused.text()

    # the real post still takes the same member's click: nothing was stored for the forged one
    alice = fake.user("alice")
    board = await fake.slash(alice, "leaderboard")
    assert "mallory" not in board.text()
    real = await fake.click(mallory, post, custom_id)
    assert real.ephemeral and "Correct!" in real.text()
