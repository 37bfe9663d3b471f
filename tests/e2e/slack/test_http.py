"""End to end through the real Bolt AsyncApp served over HTTP on 127.0.0.1: signed requests in,
the fake Slack Web API / response_url records what the bot does."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

from sqlalchemy import select

from bot import codec
from bot.store.models import Quiz

from ..fakes.slack_fake import Message, buttons, message_text, sign
from .conftest import (
    ADMIN,
    ANN,
    BOB,
    CAT,
    CHANNEL,
    OWNER,
    RIGHT,
    SIGNING_SECRET,
    Harness,
    at_utc,
    choice_label,
    wrong_label,
)

MONDAY_0900_BERLIN = at_utc(4, 8)  # 09:00 CET
TUESDAY_0900_BERLIN = at_utc(5, 8)


def quiz_posts(fake) -> list[Message]:  # noqa: ANN001
    """The daily posts in the channel (setup's notice has no buttons)."""
    return [m for m in fake.posts(CHANNEL) if m.metadata]


# --- request verification ---------------------------------------------------------------------


async def test_url_verification_answers_the_challenge(slack: Harness) -> None:
    status, body, _ = await slack.client.event({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in body
    assert slack.activity == 0


async def test_bad_signature_and_stale_timestamp_are_rejected(slack: Harness) -> None:
    fake = slack.fake
    form = fake.slash_form(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin", user=ADMIN)
    # signed with the wrong secret
    status, _, _ = await slack.client.form(form, secret="not-the-signing-secret")
    assert status == 401
    # correctly signed, but five and a half minutes old (a replayed request)
    status, _, _ = await slack.client.form(form, timestamp=int(time.time()) - 330)
    assert status == 401
    # a signature that is not even hex
    status, _, _ = await slack.client.form(form, signature="v0=nope")
    assert status == 401
    # no signature headers at all
    async with slack.session.post(slack.adapter.url, data=form) as resp:
        assert resp.status == 401
    # a tampered body: signature for one payload, another payload sent
    body = b"payload=" + json.dumps({"type": "block_actions"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, b"something else")}
    async with slack.session.post(slack.adapter.url, data=body, headers=headers) as resp:
        assert resp.status == 401
    # an event with a bad signature
    status, _, _ = await slack.client.event(fake.home_opened_event(ANN), secret="wrong")
    assert status == 401
    await slack.settled()
    assert slack.activity == 0, fake.calls
    assert fake.posts() == [] and fake.views == {}
    # and the app is still fine afterwards
    assert "StudyBot commands" in await slack.command_reply("help", ANN)


# --- setup and admin rights -----------------------------------------------------------------------


async def test_setup_by_admin_and_refusal_for_non_admin(slack: Harness) -> None:
    fake = slack.fake
    refused = await slack.command_reply(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin", ANN)
    assert "Only" in refused and "admins" in refused
    assert fake.responses[-1].ephemeral

    done = await slack.setup_group()
    assert "09:00" in done and "Europe/Berlin" in done
    assert not fake.responses[-1].ephemeral  # the group sees the setup

    # other admin commands: refused for a member, fine for the workspace owner
    assert "Only" in await slack.command_reply("post-now", ANN)
    status_text = await slack.command_reply("status", OWNER)
    assert "Europe/Berlin" in status_text and "active" in status_text

    # an admin adds Ann to the group's admins; now she may pause
    await slack.command_reply(f"admins add <@{ANN}|ann>", ADMIN)
    paused = await slack.command_reply("pause", ANN)
    assert "paused" in paused
    assert "resume" in await slack.command_reply("resume", ADMIN)

    # users.info is asked once per member and then cached briefly
    asked = [c.args["user"] for c in fake.calls_to("users.info")]
    assert sorted(asked) == sorted({ANN, ADMIN, OWNER})
    # setup proved it can post in the channel with one short notice, and nothing else
    [notice] = fake.posts()
    assert "I'll post here daily at 09:00 Europe/Berlin" in notice.text and not buttons(notice.blocks)


async def test_users_info_failing_means_not_admin(slack: Harness) -> None:
    slack.fake.fail["users.info"] = "fatal_error"
    status, body, took = await slack.command(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin", ADMIN)
    assert status == 200 and body == "" and took < 1.0  # acknowledged at once, with no text
    await slack.fake.wait_for(lambda: slack.fake.responses, what="the refusal")
    assert "Only" in slack.fake.responses[-1].text  # fail closed
    assert "09:00" in await slack.command_reply(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin", ADMIN)


async def test_non_admin_cannot_post_now_but_admin_can(slack: Harness) -> None:
    await slack.setup_group()
    assert "Only" in await slack.command_reply("post-now", BOB)
    assert quiz_posts(slack.fake) == []
    reply = await slack.command_reply("post-now", ADMIN)
    assert "Posted" in reply
    (post,) = quiz_posts(slack.fake)
    assert [b["text"]["text"] for b in buttons(post.blocks)] == ["A", "B", "C", "D"]


# --- the daily post ---------------------------------------------------------------------------------


async def test_scheduled_daily_post(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    slack.clock.set(at_utc(4, 7, 59))
    await slack.service.run_due(at_utc(4, 7, 59))  # returns once every due post has been sent
    assert quiz_posts(fake) == []  # 08:59 in Berlin: not yet

    post = await slack.post_daily(MONDAY_0900_BERLIN)
    assert post.channel == CHANNEL
    headers = [b["text"]["text"] for b in post.blocks if b["type"] == "header"]
    async with slack.service.sessions() as session:  # which objective the group's rotation picked
        objective = slack.service.pack.objective_by_id[await session.scalar(select(Quiz.objective_id))]
    assert headers[0] == objective.title
    assert any("Daily quiz · Mon 04 Mar" in h for h in headers)
    text = message_text(post.__dict__)
    # the objective's masked link (with & escaped), its section and weight, the question and its code
    assert re.search(r"<https://docs\.microsoft\.com/\S+\|Read the docs>", text)
    assert "&" in objective.url  # both objectives of the test pack have one
    assert f"<{objective.url.replace('&', '&amp;')}|Read the docs>" in text  # & escaped inside the link
    assert "*Section*" in text and "*Domain*" in text and "%)" in text
    assert "*method*" in text and "**" not in text  # **bold** became *bold*
    assert "```" in text and "Workspace.____()" in text
    # one button per option; the ids are the codec's and reveal nothing but a position
    ids = [b["action_id"] for b in buttons(post.blocks)]
    assert len(ids) == 4 and all(codec.decode(i) is not None for i in ids)
    assert {b["value"] for b in buttons(post.blocks)} == set(ids)
    quiz_ids = {codec.decode(i).quiz_id for i in ids}
    assert len(quiz_ids) == 1

    # the same tick again posts nothing new
    await slack.service.run_due(MONDAY_0900_BERLIN)
    assert quiz_posts(fake) == [post]
    assert fake.calls_to("chat.postMessage")[-1].args["channel"] == CHANNEL


async def test_three_members_click_one_twice_one_retried_then_close(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    right, wrong = choice_label(post, RIGHT), wrong_label(post)
    first = len(fake.responses)

    slack.clock.set(at_utc(4, 8, 5))
    status, _, took = await slack.click(post, ANN, right)
    assert status == 200 and took < 1.0
    reply = await fake.wait_for(lambda: fake.private_to(ANN), what="Ann's result")
    assert "Correct" in reply[0] and "points" in reply[0]
    assert "Read" in reply[0] or "<https://" in reply[0]  # the objective's link

    bob = await slack.click_reply(post, BOB, wrong)
    assert "Not quite" in bob and f"The answer is {right}" in bob
    slack.clock.set(at_utc(4, 8, 6))
    cat = await slack.click_reply(post, CAT, right)
    assert "Correct" in cat

    # Ann clicks again, another option: nothing changes, and she is told so
    again = await slack.click_reply(post, ANN, wrong)
    assert "already answered" in again and f"**{right}**" not in again

    # Slack delivers Bob's click a second time (X-Slack-Retry-Num): still counted once
    retried = await slack.click_reply(post, BOB, wrong, retry=1)
    assert "already answered" in retried

    # every answer reply was ephemeral, and the public post was never touched by a click
    clicks = fake.responses[first:]
    assert len(clicks) == 5
    assert all(r.ephemeral and r.body.get("replace_original") is False for r in clicks)
    assert fake.calls_to("chat.update") == []

    # leaderboard: Ann first (first correct), Cat second, Bob without points
    board = await slack.command_reply("leaderboard", BOB)
    assert board.index("Ann") < board.index("Cat")

    # the next morning's tick closes Monday's quiz and edits its post
    await slack.post_daily(TUESDAY_0900_BERLIN)
    (update,) = fake.calls_to("chat.update")
    assert update.args["ts"] == post.ts and update.args["channel"] == CHANNEL
    closed = fake.messages[(CHANNEL, post.ts)]
    assert buttons(closed.blocks) == [] and not any(b["type"] == "actions" for b in closed.blocks)
    text = message_text(closed.__dict__)
    assert f"*Answer: {right}.*" in text
    assert "*Answered*\n3" in text
    assert "*Correct*\n2 (67%)" in text
    assert "*First correct*\nAnn" in text
    assert "2 (67%)" in text and "1 (33%)" in text  # the distribution per option
    assert "This quiz is closed" in text

    # a click from a client still showing the old buttons: says the quiz closed, changes nothing
    stale = Message(CHANNEL, post.ts, closed.updates[0]["text"], closed.updates[0]["blocks"])
    fake.add_user("U0DAN", "Dan")
    late = await slack.click_reply(stale, "U0DAN", right)
    assert "has closed" in late and f"The answer was *{right}*" in late
    assert "*Answered*\n3" in message_text(fake.messages[(CHANNEL, post.ts)].__dict__)
    assert len(fake.calls_to("chat.update")) == 1


async def test_quiz_with_open_hours_closes_on_its_own(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin 2")
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    await slack.click_reply(post, ANN, choice_label(post, RIGHT))
    slack.clock.set(at_utc(4, 10, 0))
    await slack.service.run_due(at_utc(4, 10, 0))
    await fake.wait_for(lambda: fake.calls_to("chat.update"), what="the close")
    closed = fake.messages[(CHANNEL, post.ts)]
    assert buttons(closed.blocks) == []
    assert "*Answered*\n1" in message_text(closed.__dict__)
    assert quiz_posts(fake) == [closed]


# --- App Home ---------------------------------------------------------------------------------------


async def test_app_home_shows_progress_streak_rank_and_today(slack: Harness) -> None:
    fake = slack.fake
    # before any group exists: still a view (the member's empty progress)
    await slack.client.event(fake.home_opened_event(BOB))
    await fake.wait_for(lambda: BOB in fake.views, what="Bob's home view")
    assert "Progress · Bob" in message_text(fake.views[BOB])

    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    await slack.click_reply(post, ANN, choice_label(post, RIGHT))

    status, _, took = await slack.client.event(fake.home_opened_event(ANN))
    assert status == 200 and took < 1.0
    await fake.wait_for(lambda: ANN in fake.views, what="the home view")
    view = fake.views[ANN]
    assert view["type"] == "home"
    text = message_text(view)
    assert "Today's objective" in text
    assert "Manage Azure resources for machine learning" in text and "Run experiments and train models" in text
    assert "Streak" in text and "Rank" in text and "#1 of 1" in text

    # a retried delivery of the same event is acknowledged and not processed again
    status, _, _ = await slack.client.event(fake.home_opened_event(ANN), retry=1)
    assert status == 200
    # the Messages tab is not the Home tab
    status, _, _ = await slack.client.event(fake.home_opened_event(BOB, tab="messages"))
    assert status == 200
    await slack.settled()
    assert [c.args["user_id"] for c in fake.calls_to("views.publish")] == [BOB, ANN]


# --- restart ------------------------------------------------------------------------------------------


async def test_restart_between_post_and_click(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    await slack.restart()  # a new process: new StudyService on the same DB file, new Bolt app

    reply = await slack.click_reply(post, ANN, choice_label(post, RIGHT))
    assert "Correct" in reply
    assert "already answered" in await slack.click_reply(post, ANN, choice_label(post, RIGHT))

    # and the close after the restart edits the message posted before it
    await slack.post_daily(TUESDAY_0900_BERLIN)
    (update,) = fake.calls_to("chat.update")
    assert update.args["ts"] == post.ts
    assert "*Answered*\n1" in message_text(fake.messages[(CHANNEL, post.ts)].__dict__)


# --- malformed commands and errors -------------------------------------------------------------------


async def test_malformed_subcommands_get_a_private_usage_message(slack: Harness) -> None:
    fake = slack.fake
    cases = {
        "frobnicate": "I don't know the command `frobnicate`",
        "leaderboard forever": "Usage: `/studybot leaderboard [week|last-week]`",
        "objective": "Usage: `/studybot objective",
        "setup tomorrow": "Tell me when to post",
        "setup 09:00 Europe/Berlin 3 extra": "Usage: `/studybot setup",
        "stats please": "`stats` takes no options",
        "admins promote <@U0ANN>": "Usage: `/studybot admins",
        'objective "unbalanced': "No objective",
    }
    for text, expected in cases.items():
        reply = await slack.command_reply(text, ANN)
        assert expected in reply, (text, reply)
        assert fake.responses[-1].ephemeral
    # parse errors are answered without asking Slack who the member is
    assert len(fake.calls_to("users.info")) <= 1
    # no subcommand at all: the help
    assert "StudyBot commands" in await slack.command_reply("", ANN)
    assert fake.posts() == []


async def test_an_error_reaches_the_member_as_a_short_apology(slack: Harness, settings, caplog) -> None:
    fake = slack.fake
    await slack.setup_group()
    # the database disappears under the running bot
    await slack.service.engine.dispose()
    db = Path(settings.database_url.split("///", 1)[1])
    db.unlink()
    with caplog.at_level(logging.ERROR):
        reply = await slack.command_reply("leaderboard", ANN)
    assert reply.startswith("Sorry, something went wrong")
    assert "Traceback" not in reply and "sqlite" not in reply.lower() and len(reply) < 200
    assert fake.responses[-1].ephemeral
    # the traceback went to the log only
    failed = [r for r in caplog.records if r.name == "adapters.slack.app" and r.exc_info]
    assert failed and "no such table" in str(failed[0].exc_info[1])
    # the app keeps running
    assert "StudyBot commands" in await slack.command_reply("help", ANN)


async def test_expired_response_url_falls_back_to_chat_post_ephemeral(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    fake.response_urls_expired = True
    status, _, _ = await slack.click(post, ANN, choice_label(post, RIGHT))
    assert status == 200
    (eph,) = await fake.wait_for(lambda: fake.calls_to("chat.postEphemeral"), what="the ephemeral fallback")
    assert eph.args["channel"] == CHANNEL and eph.args["user"] == ANN
    assert "Correct" in fake.private_to(ANN)[0]


async def test_secrets_never_show_in_logs(slack: Harness, caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        await slack.command_reply("help", ANN)
        await slack.client.form(slack.fake.slash_form("help", user=ANN), secret="wrong")
    assert "xoxb-test-token" not in caplog.text
    assert SIGNING_SECRET not in caplog.text
    assert "xoxb-test-token" not in repr(slack.settings) and SIGNING_SECRET not in repr(slack.settings)
