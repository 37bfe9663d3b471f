"""Daily posts and results edits on Slack when Slack fails: through the real slack_sdk client
(and the real Bolt app for the admin's commands) against the fake Slack's faults.

Each failure is seen as an admin sees it (status, post-now, setup) and in the log: one
WARNING line without a traceback per change of state, never a double post."""

from __future__ import annotations

import logging
from datetime import timedelta

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.poster import SlackPoster
from bot.commands import Place
from bot.replies import say
from tests.helpers import assert_one_warning, delivery_warnings

from ..fakes.slack_fake import Message
from .conftest import ADMIN, BOT_TOKEN, CHANNEL, Harness, at_utc

MONDAY_0900_BERLIN = at_utc(4, 8)
TUESDAY_0900_BERLIN = at_utc(5, 8)


def quiz_posts(h: Harness) -> list[Message]:
    return [m for m in h.fake.posts(CHANNEL) if m.metadata]


async def tick(h: Harness, at) -> None:  # noqa: ANN001
    h.clock.set(at)
    assert h.service is not None
    await h.service.run_due(at)


async def test_not_in_channel_stops_retries_tells_the_admin_and_resumes_once_invited(slack: Harness, caplog) -> None:
    await slack.setup_group()
    slack.fake.channels[CHANNEL].member = False  # someone removed the bot from the channel
    caplog.set_level(logging.INFO)

    await tick(slack, MONDAY_0900_BERLIN)
    for hours in (1, 5, 20):  # later ticks the same day: no more tries of a permanent failure
        await tick(slack, MONDAY_0900_BERLIN + timedelta(hours=hours))
    assert [c.error for c in slack.fake.calls_to("chat.postMessage")[1:]] == ["not_in_channel"]
    assert_one_warning(caplog, "not_in_channel", CHANNEL)

    status = await slack.command_reply("status", ADMIN)
    assert "I can't post in" in status and "invite me with `/invite @StudyBot`" in status
    assert "Posting resumes" in status and "post-now" in status
    refused = await slack.command_reply("post-now", ADMIN)
    assert "I couldn't post today's quiz" in refused and "/invite @StudyBot" in refused
    assert quiz_posts(slack) == []

    slack.fake.channels[CHANNEL].member = True  # the admin invited it back
    assert "Posted" in await slack.command_reply("post-now", ADMIN)
    assert len(quiz_posts(slack)) == 1
    status = await slack.command_reply("status", ADMIN)
    assert "Last failure" not in status
    assert len(delivery_warnings(caplog)) == 1  # the post-now failure was the same state
    assert any(r.name == "bot.schedule.daily" and "works again" in r.getMessage() for r in caplog.records)


async def test_a_post_slack_stored_but_answered_503_is_found_not_sent_again(slack: Harness, caplog) -> None:
    await slack.setup_group()
    slack.fake.faults.add("POST", "chat.postMessage", kind="lost", status=503)
    await tick(slack, MONDAY_0900_BERLIN)
    assert len(quiz_posts(slack)) == 1  # Slack has it, the bot does not know
    assert_one_warning(caplog, "unavailable")
    status = await slack.command_reply("status", ADMIN)
    assert "did not answer" in status and "next try" in status

    await tick(slack, MONDAY_0900_BERLIN + timedelta(minutes=5))
    [post] = quiz_posts(slack)
    assert [c.args["channel"] for c in slack.fake.calls_to("conversations.history")] == [CHANNEL]
    assert len(slack.fake.calls_to("chat.postMessage")) == 2  # setup's notice and the one post

    await tick(slack, TUESDAY_0900_BERLIN)  # the close edits the results into that very post
    assert len(post.updates) == 1
    assert len(quiz_posts(slack)) == 2


async def test_a_dropped_connection_after_slack_stored_the_post_is_never_resent_blindly(slack: Harness, caplog) -> None:
    await slack.setup_group()
    slack.fake.faults.add("POST", "chat.postMessage", kind="drop")
    await tick(slack, MONDAY_0900_BERLIN)
    # slack_sdk's connection-error retry would have sent it again at once
    assert len(slack.fake.calls_to("chat.postMessage")) == 2 and len(quiz_posts(slack)) == 1
    assert_one_warning(caplog, "unavailable")

    await tick(slack, MONDAY_0900_BERLIN + timedelta(minutes=5))
    assert len(quiz_posts(slack)) == 1
    assert len(slack.fake.calls_to("chat.postMessage")) == 2


async def test_a_post_lost_before_slack_stored_it_is_sent_after_looking(slack: Harness) -> None:
    await slack.setup_group()
    slack.fake.faults.add("POST", "chat.postMessage", kind="drop_before")
    await tick(slack, MONDAY_0900_BERLIN)
    assert quiz_posts(slack) == []
    await tick(slack, MONDAY_0900_BERLIN + timedelta(minutes=5))
    assert len(quiz_posts(slack)) == 1
    assert len(slack.fake.calls_to("conversations.history")) == 1


async def test_rate_limit_waits_for_retry_after_then_posts(slack: Harness, caplog) -> None:
    await slack.setup_group()
    slack.fake.faults.add("POST", "chat.postMessage", status=429, headers={"Retry-After": "600"})
    await tick(slack, MONDAY_0900_BERLIN)
    assert_one_warning(caplog, "rate_limited")
    await tick(slack, MONDAY_0900_BERLIN + timedelta(minutes=9, seconds=59))  # backoff alone retries sooner
    assert quiz_posts(slack) == [] and len(slack.fake.calls_to("chat.postMessage")) == 2
    await tick(slack, MONDAY_0900_BERLIN + timedelta(minutes=12, seconds=1))  # Retry-After + up to 20% jitter
    assert len(quiz_posts(slack)) == 1


async def test_results_edit_of_a_deleted_post_stops_with_one_warning(slack: Harness, caplog) -> None:
    await slack.setup_group(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin 2")  # closes at 11:00
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    del slack.fake.messages[(CHANNEL, post.ts)]  # a channel admin deleted the quiz post
    for minutes in (120, 125, 180, 600):
        await tick(slack, MONDAY_0900_BERLIN + timedelta(minutes=minutes))
    edits = slack.fake.calls_to("chat.update")
    assert [c.error for c in edits] == ["message_not_found"]
    assert_one_warning(caplog, "message_not_found")
    assert "the quiz post in" in (status := await slack.command_reply("status", ADMIN)) and "was deleted" in status

    await tick(slack, TUESDAY_0900_BERLIN)  # the next post goes out as usual
    assert len(quiz_posts(slack)) == 1 and len(slack.fake.calls_to("chat.update")) == 1


async def test_setup_refuses_a_channel_that_does_not_exist_or_lacks_the_bot(slack: Harness) -> None:
    missing = await slack.command_reply("setup #no-such-channel 09:00 Europe/Berlin", ADMIN)
    assert "I can't find the channel #no-such-channel" in missing
    slack.fake.add_channel("C0OTHER", "other", member=False)
    outside = await slack.command_reply("setup <#C0OTHER|other> 09:00 Europe/Berlin", ADMIN)
    assert "invite me with `/invite @StudyBot`" in outside
    assert "No study group" in await slack.command_reply("status", ADMIN)  # nothing was stored

    done = await slack.setup_group()
    assert "every day at 09:00" in done
    [notice] = slack.fake.posts(CHANNEL)
    assert "I'll post here daily at 09:00 Europe/Berlin" in notice.text


async def test_the_poster_has_no_automatic_connection_retry(fake) -> None:  # noqa: ANN001
    """Even given a client with slack_sdk's default retry handlers, posts go out once."""
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url, session=session)
        assert client.retry_handlers  # slack_sdk's default: retry after a connection error
        fake.faults.add("POST", "chat.postMessage", kind="drop")
        with pytest.raises(Exception) as e:
            await SlackPoster(client).post(Place("slack", "T0STUDY", CHANNEL), say("hi", private=False), key="k")
        assert not isinstance(e.value, SlackApiError)
    assert len(fake.calls_to("chat.postMessage")) == 1
