"""Discord hygiene, through the real discord.py client against the fake Discord: late and
duplicated interactions, clicks on ids that are not on the message, malformed option values,
and registering the slash commands only when they changed."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import timedelta

import pytest

from adapters.discord.client import UNKNOWN_BUTTON
from bot import codec

from ..fakes.discord_fake import CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, FakeDiscord
from .conftest import Bot
from .test_discord_e2e import POST_AT, button, daily_posts, set_up_group, study

ADAPTER = "adapters.discord"


def adapter_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(ADAPTER) and r.levelno == level]


async def wait_for_log(caplog: pytest.LogCaptureFixture, found: Callable[[logging.LogRecord], bool],
                       timeout: float = 5.0) -> logging.LogRecord:
    """The first adapter record ``found`` accepts, once the bot has logged it."""
    async def poll() -> logging.LogRecord:
        while True:
            match = [r for r in caplog.records if r.name.startswith(ADAPTER) and found(r)]
            if match:
                return match[0]
            await asyncio.sleep(0.01)
    return await asyncio.wait_for(poll(), timeout)


async def posted(bot: Bot, fake: FakeDiscord) -> dict:
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    return daily_posts(fake)[0]


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


# --- late and duplicated interactions ------------------------------------------------------------


async def test_a_click_delivered_after_discords_window_does_nothing_and_warns_once(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture):
    post = await posted(bot, fake)
    member = fake.user("late")
    late = fake.click_payload(member, post, button(post, "Bravo")["custom_id"], age=3.5)
    late.refused = True
    await fake.send_interaction(late)
    # the bot acknowledges first, Discord refuses (10062), and the bot does nothing more
    await fake.wait_for(lambda: fake.calls_to("POST", f"/interactions/{late.id}/"))
    warning = await wait_for_log(caplog, lambda r: r.levelno == logging.WARNING and str(late.id) in r.getMessage())
    assert [c.status for c in fake.calls_to("POST", f"/interactions/{late.id}/")] == [404]
    assert "10062" in warning.getMessage() and "nothing was done" in warning.getMessage()
    assert warning.exc_info is None and len(adapter_records(caplog, logging.WARNING)) == 1
    no_errors(caplog)
    # nothing was recorded: the member's next click is their first answer
    again = await fake.click(member, post, button(post, "Bravo")["custom_id"])
    assert "Correct!" in again.text()


async def test_a_click_delivered_late_but_in_time_is_acknowledged_before_the_work(bot: Bot, fake: FakeDiscord):
    post = await posted(bot, fake)
    slow = await fake.click(fake.user("slow"), post, button(post, "Bravo")["custom_id"], age=1.5)
    assert slow.callback_type == DEFERRED_CHANNEL_MESSAGE and slow.ephemeral
    assert "Correct!" in slow.text()


async def test_a_second_delivery_of_one_interaction_is_answered_once(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture):
    admin = fake.user("ada", admin=True)
    await set_up_group(fake, admin)
    twice = fake.slash_payload(admin, "studybot", [{"name": "post-now", "type": 1, "options": []}])
    await fake.send_interaction(twice)
    await fake.send_interaction(twice)
    await fake.wait_done(twice)
    warning = await wait_for_log(caplog, lambda r: "delivered twice" in r.getMessage())
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert len(daily_posts(fake)) == 1  # the work ran once
    assert len(fake.calls_to("POST", f"/interactions/{twice.id}/")) == 1
    no_errors(caplog)


@pytest.mark.parametrize("encoding", ["content-length", "chunked"])
async def test_an_answer_discord_refuses_to_acknowledge_is_one_warning_and_stays_visible(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture, encoding: str):
    """Another process acknowledged it first (40060): the answer was recorded, and says so. The
    refusal's body is read whether its length is given or it comes in chunks."""
    post = await posted(bot, fake)
    member = fake.user("dup")
    click = fake.click_payload(member, post, button(post, "Bravo")["custom_id"])
    click.refused = True
    fake.faults.add("POST", f"/interactions/{click.id}/", status=400,
                    body={"message": "Interaction has already been acknowledged.", "code": 40060},
                    headers={"Transfer-Encoding": "chunked"} if encoding == "chunked" else {})
    await fake.send_interaction(click)
    warning = await wait_for_log(caplog, lambda r: str(click.id) in r.getMessage())
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert "40060" in warning.getMessage() and "answer was recorded" in warning.getMessage()
    assert len(adapter_records(caplog, logging.WARNING)) == 1
    # no apology was attempted on an interaction that cannot take one
    assert len(fake.calls_to("POST", f"/interactions/{click.id}/")) == 1
    assert not fake.calls_to("POST", f"/webhooks/{fake.app_id}/{click.token}")
    no_errors(caplog)
    again = await fake.click(member, post, button(post, "Alpha")["custom_id"])
    assert "already answered" in again.text()


async def test_an_answer_whose_response_meets_a_server_error_is_sent_again(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture):
    """Discord's 5xx on the one response of an answer: sent again (as discord.py retries), shown once."""
    post = await posted(bot, fake)
    member = fake.user("unlucky")
    click = fake.click_payload(member, post, button(post, "Bravo")["custom_id"])
    fake.fail_next("POST", f"/interactions/{click.id}/", status=503, body={"message": "upstream", "code": 0})
    await fake.send_interaction(click)
    await fake.wait_done(click, 10)
    assert [c.status for c in fake.calls_to("POST", f"/interactions/{click.id}/")] == [503, 204]
    assert "Correct!" in click.text() and click.ephemeral
    no_errors(caplog)


async def test_an_answer_whose_connection_drops_before_the_answer_is_sent_again_and_shown_once(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture):
    """The connection drops before Discord's answer: the response is sent again (through discord.py).
    Not taken the first time: shown by the second. Taken the first time: Discord refuses the second
    (40060), and one warning says the answer was recorded."""
    post = await posted(bot, fake)
    lost = fake.click_payload(fake.user("lost"), post, button(post, "Bravo")["custom_id"])
    fake.faults.add("POST", f"/interactions/{lost.id}/", kind="drop_before")
    await fake.send_interaction(lost)
    await fake.wait_done(lost, 10)
    assert [c.status for c in fake.calls_to("POST", f"/interactions/{lost.id}/")] == [0, 204]
    assert "Correct!" in lost.text() and lost.ephemeral

    taken = fake.click_payload(fake.user("taken"), post, button(post, "Bravo")["custom_id"])
    fake.faults.add("POST", f"/interactions/{taken.id}/", kind="drop")
    await fake.send_interaction(taken)
    warning = await wait_for_log(caplog, lambda r: str(taken.id) in r.getMessage())
    assert "40060" in warning.getMessage() and "answer was recorded" in warning.getMessage()
    assert [c.status for c in fake.calls_to("POST", f"/interactions/{taken.id}/")] == [204, 400]
    assert "Correct!" in taken.text() and len(adapter_records(caplog, logging.WARNING)) == 1
    assert not adapter_records(caplog, logging.ERROR)  # (the fake logs the connections it dropped)


async def test_an_answer_whose_response_closes_its_connection_is_shown_with_one_call(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture):
    """Discord's answer says ``Connection: close``: the answer counts, only the connection is not kept."""
    post = await posted(bot, fake)
    click = fake.click_payload(fake.user("closing"), post, button(post, "Bravo")["custom_id"])
    fake.faults.add("POST", f"/interactions/{click.id}/", kind="lost", status=200, body={},
                    headers={"Connection": "close"})
    await fake.send_interaction(click)
    await fake.wait_done(click, 10)
    later = await fake.click(fake.user("next"), post, button(post, "Bravo")["custom_id"])
    assert [c.status for c in fake.calls_to("POST", f"/interactions/{click.id}/")] == [200]
    assert "Correct!" in click.text() and "Correct!" in later.text()
    assert not adapter_records(caplog, logging.WARNING)
    no_errors(caplog)


async def test_an_answer_after_discord_closed_the_idle_connections_is_shown_with_one_call(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture):
    """Discord ends kept-alive connections left idle; the next response goes on a new one."""
    post = await posted(bot, fake)
    first = await fake.click(fake.user("early"), post, button(post, "Bravo")["custom_id"])
    (before,) = fake.calls_to("POST", f"/interactions/{first.id}/")
    await fake.close_idle_connections()
    later = await fake.click(fake.user("later"), post, button(post, "Bravo")["custom_id"])
    (after,) = fake.calls_to("POST", f"/interactions/{later.id}/")
    assert after.status == 204 and after.peer != before.peer
    assert "Correct!" in later.text() and later.ephemeral
    no_errors(caplog)


async def test_a_button_id_that_is_not_on_the_message_gets_a_reply(bot: Bot, fake: FakeDiscord):
    post = await posted(bot, fake)
    quiz_id = codec.decode(button(post, "Bravo")["custom_id"]).quiz_id
    member = fake.user("forger")
    forged = await fake.click(member, post, codec.encode(quiz_id + 1, 0))
    assert forged.callback_type == CHANNEL_MESSAGE and forged.ephemeral
    assert forged.text() == UNKNOWN_BUTTON
    # the real button still records the member's first answer
    assert "Correct!" in (await fake.click(member, post, button(post, "Bravo")["custom_id"])).text()


# --- malformed option values -----------------------------------------------------------------------


@pytest.mark.parametrize("name,sub,options,says", [
    ("leaderboard", None, {"period": "month"}, ["`month`", "period", "all, week"]),
    ("objectives", None, {"domain": "9"}, ["`9`", "domain"]),
    ("objective", None, {"query": "x" * 150}, ["query", "1 to 100 characters"]),
    ("studybot", "setup", {"time": "09:00"}, ["channel", "required"]),
    ("studybot", "setup", {"channel": ("channel", 0), "time": "09:00"}, ["channel", "text channel"]),
    ("studybot", "setup", {"time": "morning at nine", "channel": ("channel", "study")}, ["time", "3 to 5"]),
    ("studybot", "setup", {"time": "09:00", "channel": ("channel", "study"), "hours_open": 0},
     ["`0`", "hours_open", "1 to 168"]),
    ("studybot", "setup", {"time": "09:00", "channel": ("channel", "study"), "hours_open": "many"},
     ["`many`", "whole number"]),
])
async def test_a_malformed_option_value_gets_a_clear_private_message(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture, name, sub, options, says):
    admin = fake.user("ada", admin=True)
    options = {k: ("channel", study(fake)) if v == ("channel", "study") else v for k, v in options.items()}
    if options.get("channel") == ("channel", 0):  # a voice channel where a text channel is asked for
        opts, resolved = fake._options({**options, "channel": ("channel", study(fake))})
        resolved["channels"][str(study(fake))]["type"] = 2
        inter = fake.slash_payload(admin, name, [{"name": sub, "type": 1, "options": opts}], resolved=resolved)
        await fake.send_interaction(inter)
        await fake.wait_done(inter)
    else:
        inter = await fake.slash(admin, name, options, sub=sub)
    assert inter.callback_type == CHANNEL_MESSAGE and inter.ephemeral
    for words in says:
        assert words in inter.text(), inter.text()
    no_errors(caplog)
    status = await fake.slash(admin, "studybot", sub="status")
    assert "09:00" not in status.text()  # nothing was set up


# --- registering the commands ------------------------------------------------------------------------


async def test_commands_are_registered_again_only_when_they_changed(fake: FakeDiscord, settings, clock):
    puts = lambda: fake.calls_to("PUT", f"/applications/{fake.app_id}/commands")  # noqa: E731
    reads = lambda: fake.calls_to("GET", f"/applications/{fake.app_id}/commands")  # noqa: E731
    bot = await Bot(fake, settings, clock).start()
    try:
        assert len(puts()) == 1 and len(reads()) == 1  # Discord had none: registered

        await bot.restart()  # the same commands: read, compared, not sent again
        assert len(puts()) == 1 and len(reads()) == 2

        # an older version registered another description: this one registers its own
        fake.synced_commands[None][0]["description"] = "An old description"
        await bot.restart()
        assert len(puts()) == 2

        # a command Discord has that this version does not: registered again (removing it)
        fake.synced_commands[None].append({**fake.synced_commands[None][0], "name": "flashcards"})
        await bot.restart()
        assert len(puts()) == 3
        assert "flashcards" not in [c["name"] for c in fake.synced_commands[None]]

        # Discord fails to list them: registered anyway, as before
        fake.faults.add("GET", f"/applications/{fake.app_id}/commands", status=403,
                        body={"message": "Missing Access", "code": 50001})
        await bot.restart()
        assert len(puts()) == 4
    finally:
        await bot.stop()


async def test_guild_commands_are_compared_with_the_guilds(fake: FakeDiscord, settings, clock):
    bot = await Bot(fake, dataclasses.replace(settings, discord_guild=fake.guild_id), clock).start()
    try:
        await bot.restart()
        assert len(fake.calls_to("PUT", f"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")) == 1
        assert len(fake.calls_to("GET", f"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")) == 2
    finally:
        await bot.stop()


async def test_the_next_post_after_a_late_click_still_counts_it_once(bot: Bot, fake: FakeDiscord):
    """A click acknowledged late (deferred first) is recorded once and shows in the results."""
    post = await posted(bot, fake)
    await fake.click(fake.user("one"), post, button(post, "Bravo")["custom_id"], age=2.0)
    await bot.run_due(POST_AT + timedelta(days=1))
    closed = fake.messages[int(post["id"])]
    assert {f["name"]: f["value"] for f in closed["embeds"][1]["fields"]}["Answered"] == "1"
