"""Channels and members in setup, status and admins replies show as Slack mentions."""

from __future__ import annotations

from .conftest import ADMIN, ANN, CHANNEL, Harness


async def test_setup_status_and_admins_name_the_channel_and_members_as_mentions(slack: Harness) -> None:
    fake = slack.fake
    # set up from another channel, so the reply names the study channel
    done = await slack.command_reply(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin", ADMIN, channel="C0OTHER")
    assert f"<#{CHANNEL}>" in done
    assert "will post the daily objective and quiz in #study every day" in fake.seen(done)

    added = fake.seen(await slack.command_reply(f"admins add <@{ANN}|ann>", ADMIN))
    assert "Extra admins: @Ann." in added and ANN not in added

    status = fake.seen(await slack.command_reply("status", ADMIN))
    assert "*Channel*\n#study" in status
    assert "*Extra admins*\n@Ann" in status
    assert "<" not in status and ANN not in status  # no literal markup, no raw id
