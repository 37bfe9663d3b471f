"""A click counts only where its quiz lives: the signed payload's channel is a fact, the action id a claim."""

from __future__ import annotations

import dataclasses

from .conftest import ANN, BOB, RIGHT, Harness, at_utc, choice_label

OTHER_CHANNEL = "C0OTHER"
PARTNER_TEAM = "T0PARTNER"


async def test_a_click_claiming_another_channel_is_refused(slack: Harness) -> None:
    await slack.setup_group()
    post = await slack.post_daily(at_utc(4, 8))
    slack.fake.add_channel(OTHER_CHANNEL, "other")  # the bot is in it too
    await slack.setup_group(f"setup <#{OTHER_CHANNEL}|other> 18:00 Europe/Berlin")  # a second group
    label = choice_label(post, RIGHT)

    # a click in the other group's channel whose action id names the first group's quiz
    elsewhere = dataclasses.replace(post, channel=OTHER_CHANNEL)
    refused = await slack.click_reply(elsewhere, BOB, label)
    assert "another study group" in refused and "Correct" not in refused
    board = await slack.command_reply("leaderboard", ANN)
    assert "Bob" not in board

    # the same member's click on the real post counts: nothing was stored for the refused one
    assert "Correct" in await slack.click_reply(post, BOB, label)


async def test_a_member_of_another_organisation_in_the_shared_channel_counts(slack: Harness) -> None:
    fake = slack.fake
    fake.add_user("U0GUEST", "Gita Guest")
    await slack.setup_group()
    post = await slack.post_daily(at_utc(4, 8))
    reply = await slack.click_reply(post, "U0GUEST", choice_label(post, RIGHT), team=PARTNER_TEAM)
    assert "Correct" in reply
    assert "Gita Guest" in await slack.command_reply("leaderboard", ANN)
