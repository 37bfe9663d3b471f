"""Slack HTTP and Socket Mode hygiene (issue 8, section 4), through Bolt's real request handling
and signature check against the fake Slack."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import urllib.parse

import pytest
from sqlalchemy import func, select

from adapters.slack import SlackAdapter
from adapters.slack.client import TokenRejected
from bot.store.models import Member

from ..fakes.slack_fake import FakeSlack, buttons, message_text
from .conftest import (
    ADMIN,
    ANN,
    BOB,
    CAT,
    CHANNEL,
    RIGHT,
    SIGNING_SECRET,
    Clock,
    Harness,
    at_utc,
    choice_label,
    make_settings,
)

MONDAY_0900_BERLIN = at_utc(4, 8)
FORM = "application/x-www-form-urlencoded"


def _signed(body: bytes, ts: str) -> dict[str, str]:
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def _members(slack: Harness) -> int:
    async with slack.service.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Member)))


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text
    assert "Traceback" not in caplog.text


# --- malformed requests ----------------------------------------------------------------------


async def test_malformed_requests_get_400_and_no_traceback(slack: Harness, caplog) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    click = fake.click_payload(post, user=ANN, label=choice_label(post, RIGHT))
    members = await _members(slack)
    before = slack.activity
    no_user = {k: v for k, v in click.items() if k != "user"}
    no_action_id = {**click, "actions": [{k: v for k, v in click["actions"][0].items() if k != "action_id"}]}
    slash_no_user = {k: v for k, v in fake.slash_form("help", user=ANN).items() if k != "user_id"}
    cases: dict[str, tuple[bytes, str]] = {
        "payload is not JSON": (b"payload=%7Bnot+json", FORM),
        "payload is a JSON list": (b"payload=" + urllib.parse.quote(json.dumps([click])).encode(), FORM),
        "payload is a JSON string": (b"payload=" + urllib.parse.quote(json.dumps("click")).encode(), FORM),
        "form body labelled JSON": (urllib.parse.urlencode(fake.slash_form("help", user=ANN)).encode(), "application/json"),
        "actions: []": (urllib.parse.urlencode({"payload": json.dumps({**click, "actions": []})}).encode(), FORM),
        "action without action_id": (urllib.parse.urlencode({"payload": json.dumps(no_action_id)}).encode(), FORM),
        "click without a user": (urllib.parse.urlencode({"payload": json.dumps(no_user)}).encode(), FORM),
        "slash command without a user": (urllib.parse.urlencode(slash_no_user).encode(), FORM),
    }
    with caplog.at_level(logging.INFO):
        for why, (body, ctype) in cases.items():
            status, text, _ = await slack.client.post(body, ctype)
            assert status == 400, (why, status, text)
        # a timestamp that is not a number: 400 too (Bolt's own check would raise on int())
        body = urllib.parse.urlencode(fake.slash_form("help", user=ANN)).encode()
        async with slack.session.post(
            slack.adapter.url, data=body, headers={"Content-Type": FORM, **_signed(body, "16e8")}
        ) as resp:
            assert resp.status == 400
        await slack.settled()
    _no_tracebacks(caplog)
    assert slack.activity == before  # nothing replied, posted or looked up
    assert await _members(slack) == members  # nobody stored as user ""
    # the same click, well formed, still counts
    assert "Correct" in await slack.click_reply(post, ANN, choice_label(post, RIGHT))


async def test_socket_mode_acks_malformed_and_unknown_payloads(socket_slack: Harness, caplog) -> None:
    fake = socket_slack.fake
    await socket_slack.setup_group()
    post = await socket_slack.post_daily(MONDAY_0900_BERLIN)
    click = fake.click_payload(post, user=ANN, label=choice_label(post, RIGHT))
    before = socket_slack.activity
    with caplog.at_level(logging.INFO):
        for payload in (
            {**click, "actions": []},
            {k: v for k, v in click.items() if k != "user"},
            {**click, "actions": [{**click["actions"][0], "action_id": "poll:vote:3"}]},  # not one of ours
        ):
            eid = await fake.send_envelope("interactive", payload)
            ack = await fake.wait_ack(eid)  # acknowledged, so Slack neither retries nor shows an error
            assert ack["envelope_id"] == eid
        await socket_slack.settled()
    _no_tracebacks(caplog)
    assert socket_slack.activity == before


async def test_unknown_action_is_acknowledged_over_http(slack: Harness, caplog) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    click = fake.click_payload(post, user=ANN, label=choice_label(post, RIGHT))
    before = slack.activity
    with caplog.at_level(logging.WARNING):
        status, _, _ = await slack.client.interaction(
            {**click, "actions": [{**click["actions"][0], "action_id": "survey:open"}]}
        )
        await slack.settled()
    assert status == 200
    assert "Unhandled request" not in caplog.text
    assert slack.activity == before


# --- replays -----------------------------------------------------------------------------------


async def test_a_replayed_slash_command_runs_once(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    await slack.command_reply("post-now", ADMIN)
    form = fake.slash_form("quiz", user=ANN)
    ts = int(time.time()) - 60  # inside Slack's 5-minute window
    first = len(fake.responses)
    for _ in range(2):
        status, _, _ = await slack.client.form(form, timestamp=ts)
        assert status == 200
    await slack.settled()
    assert [r.user for r in fake.responses[first:]] == [ANN]  # one practice question, not two
    # the receipt is in the store: a replay to a restarted (or another) worker is refused too
    await slack.restart()
    status, _, _ = await slack.client.form(form, timestamp=ts)
    assert status == 200
    await slack.settled()
    assert len(fake.responses) == first + 1
    # the same command sent again by the member (a new request) runs
    assert "Practice question" in await slack.command_reply("quiz", ANN)


# --- the token check -------------------------------------------------------------------------------


async def test_token_checked_once_at_startup_not_per_request(fake: FakeSlack, settings, clock: Clock) -> None:
    fake.faults.add("POST", "auth.test", kind="slow", delay=2.0)  # a slow first auth.test
    h = Harness(fake, settings, clock)
    await h.start()
    try:
        assert len(fake.calls_to("auth.test")) == 1
        status, _, took = await h.command("help", ANN)  # the first request is not held up by it
        assert status == 200 and took < 1.0
        results = await asyncio.gather(*(h.command("help", u) for u in [ANN, BOB, CAT] * 17))
        assert all(status == 200 for status, _, _ in results)
        await fake.wait_for(lambda: len(fake.responses) == 52, what="every reply")
        assert len(fake.calls_to("auth.test")) == 1
        assert all("StudyBot commands" in r.text for r in fake.responses)  # never Bolt's "reinstall" text
    finally:
        await h.stop()


async def test_a_bad_token_stops_startup_with_a_clear_message(fake: FakeSlack, tmp_path, pack_dir, clock) -> None:
    from dataclasses import replace

    from bot.config import Secret
    from bot.service import StudyService

    settings = replace(make_settings(tmp_path, pack_dir), slack_bot_token=Secret("xoxb-revoked-token"))
    service = await StudyService.open(settings, clock=clock)
    try:
        adapter = SlackAdapter(settings, http=True, base_url=fake.base_url, port=0, host="127.0.0.1")
        with pytest.raises(TokenRejected) as err:
            await asyncio.wait_for(adapter.run(service), 5)
    finally:
        await service.close()
    assert "invalid_auth" in str(err.value) and "SLACK_BOT_TOKEN" in str(err.value)
    assert "xoxb-revoked-token" not in str(err.value)
    assert not adapter.ready.is_set() and "slack" not in service.posters
    assert len(fake.calls_to("auth.test")) == 1  # refused: not retried


async def test_a_transient_auth_test_failure_is_retried_at_startup(fake: FakeSlack, settings, clock: Clock) -> None:
    fake.faults.add("POST", "auth.test", status=503)
    h = Harness(fake, settings, clock)
    await h.start()
    try:
        assert [c.ok for c in fake.calls_to("auth.test")] == [False, True]
        assert "StudyBot commands" in await h.command_reply("help", ANN)
    finally:
        await h.stop()


# --- the Web API client's retries ---------------------------------------------------------------------


async def test_a_dropped_reply_dm_is_not_resent_by_the_adapters_client(slack: Harness) -> None:
    """The member's reply to an App Home click (no response_url, no channel) goes out as a DM
    through the adapter's own client (Bolt's per-request copy of it): a chat.postMessage that
    Slack stored before the connection dropped must not be sent again."""
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    await slack.client.event(fake.home_opened_event(ANN))
    await fake.wait_for(lambda: ANN in fake.views, what="Ann's home view")
    fake.faults.add("POST", "chat.postMessage", kind="drop")  # stored by Slack, then the connection drops
    status, _, _ = await slack.client.interaction(
        fake.click_payload(fake.views[ANN], user=ANN, label=choice_label(post, RIGHT))
    )
    assert status == 200
    await fake.wait_for(lambda: fake.faults.fired, what="the dropped DM")
    await slack.settled()
    dms = [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == ANN]
    answered = [message_text(c.args) for c in dms if "Correct" in message_text(c.args)]
    assert len(answered) == 1, [message_text(c.args) for c in dms]  # stored once, never re-sent


async def test_a_dropped_daily_post_is_not_resent_by_the_posters_client(slack: Harness) -> None:
    """The daily post goes through SlackPoster's own client (no retry handlers)."""
    fake = slack.fake
    await slack.setup_group()
    fake.faults.add("POST", "chat.postMessage", kind="drop")  # stored by Slack, then the connection drops
    status, _, _ = await slack.command("post-now", ADMIN)
    assert status == 200
    await slack.settled()
    # setup's notice, then the daily post once: not posted a second time
    assert [bool(c.args.get("metadata")) for c in fake.calls_to("chat.postMessage")] == [False, True]
    assert len(fake.posts(CHANNEL)) == 2


async def test_idempotent_calls_retry_a_drop_and_wait_out_a_short_rate_limit(slack: Harness) -> None:
    fake = slack.fake
    fake.faults.add("POST", "views.publish", kind="drop_before")  # a POST: aiohttp itself never re-sends it
    await slack.client.event(fake.home_opened_event(ADMIN))
    await slack.settled()
    assert [c.ok for c in fake.calls_to("views.publish")] == [False, True]
    fake.faults.add("POST", "views.publish", status=429, headers={"Retry-After": "1"})
    await slack.client.event(fake.home_opened_event(ADMIN))
    await slack.settled()
    assert [c.error for c in fake.calls_to("views.publish")][2:] == ["ratelimited", None]
    assert ADMIN in fake.views


# --- names when users.info fails -----------------------------------------------------------------------


async def test_names_come_from_the_payload_while_users_info_is_rate_limited(slack: Harness, caplog) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    asked = len(fake.calls_to("users.info"))
    fake.faults.add("*", "users.info", status=429, headers={"Retry-After": "20"}, times=None)
    with caplog.at_level(logging.WARNING):
        for user in (ANN, BOB):
            assert "Correct" in await slack.click_reply(post, user, choice_label(post, RIGHT))
    assert len(fake.calls_to("users.info")) == asked + 1  # asked once, then left alone
    assert len([r for r in caplog.records if "rate limited" in r.getMessage()]) == 1
    board = await slack.command_reply("leaderboard", ANN)
    assert "ann" in board and "bob" in board  # the names Slack sent with the clicks
    assert ANN not in board and BOB not in board  # never a raw user id
    # Retry-After has passed: users.info is asked again (and gives the display name)
    fake.faults.clear()
    slack.ticks.advance(21)
    await slack.click_reply(post, CAT, choice_label(post, RIGHT))
    assert fake.calls_to("users.info")[-1].args["user"] == CAT
    assert "Cat" in await slack.command_reply("leaderboard", CAT)


async def test_a_slow_users_info_does_not_hold_a_new_members_result(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    sam = "U0SAM"
    fake.add_user(sam, "Slow Sam")
    asked = len(fake.calls_to("users.info"))
    fake.faults.add("*", "users.info", kind="slow", delay=1.5, times=1)
    status, _, _ = await slack.click(post, sam, choice_label(post, RIGHT))
    assert status == 200
    await fake.wait_for(lambda: fake.private_to(sam), timeout=1.2, what="Sam's result before users.info answers")
    assert "Correct" in fake.private_to(sam)[0] and fake.calls_to("users.info")[asked:] == []
    # the lookup still finishes, and Sam shows under his display name from his next click on
    await fake.wait_for(lambda: fake.calls_to("users.info")[asked:], timeout=5, what="the lookup")
    assert "already answered" in await slack.click_reply(post, sam, choice_label(post, RIGHT))
    assert "Slow Sam" in await slack.command_reply("leaderboard", sam)
    assert len(fake.calls_to("users.info")) == asked + 1


async def test_a_clicks_form_is_decoded_as_slack_encoded_it(slack: Harness) -> None:
    """The front door decodes the click's form itself: '+', '&', '=', '%' and non-ASCII arrive whole."""
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    zoe = "U0ZOE"
    fake.add_user(zoe, "Zoë+1 & co=100% 🙂")
    fake.faults.add("*", "users.info", status=429, headers={"Retry-After": "20"}, times=None)  # the request's name
    assert "Correct" in await slack.click_reply(post, zoe, choice_label(post, RIGHT))
    async with slack.service.sessions() as session:
        name = await session.scalar(select(Member.name).where(Member.user_id == zoe))
    assert name == "zoë+1.&.co=100%.🙂"


async def test_a_burst_of_new_members_asks_users_info_at_most_max_lookups_at_once(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    asked = len(fake.calls_to("users.info"))
    assert slack.adapter is not None and slack.adapter.bot is not None
    cap = slack.adapter.bot.directory.max_lookups
    members = [f"U0NEW{i:02d}" for i in range(cap + 2)]
    for i, user in enumerate(members):
        fake.add_user(user, f"New Member {i}")
    fake.faults.add("*", "users.info", kind="slow", delay=1.5, times=None)
    statuses = await asyncio.gather(*(slack.click(post, user, choice_label(post, RIGHT)) for user in members))
    assert {status for status, _, _ in statuses} == {200}
    # every result comes before any lookup has answered
    await fake.wait_for(lambda: all(fake.private_to(u) for u in members), timeout=1.2, what="every result")
    assert fake.calls_to("users.info")[asked:] == []
    assert all("Correct" in fake.private_to(u)[0] for u in members)
    # only `cap` members were looked up; the others are asked on their next click
    looked_up = await fake.wait_for(lambda: len(fake.calls_to("users.info")) - asked >= cap and {
        c.args["user"] for c in fake.calls_to("users.info")[asked:]}, timeout=5, what="the lookups")
    [late, *_] = [u for u in members if u not in looked_up]
    fake.faults.clear()
    assert "already answered" in await slack.click_reply(post, late, choice_label(post, RIGHT))
    assert [c.args["user"] for c in fake.calls_to("users.info")[asked + cap:]] == [late]


async def test_a_burst_of_new_members_ends_the_wait_of_those_being_looked_up(slack: Harness) -> None:
    """The first ``cap`` new members wait for their users.info; the next new member shows a burst
    is on, and they go on at once under their request's names (they would otherwise queue behind
    the whole burst and get its last results)."""
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    assert slack.adapter is not None and slack.adapter.bot is not None
    directory = slack.adapter.bot.directory
    directory.answer_wait = directory.timeout = 600.0  # only the burst can end their wait
    first = [f"U0FIRST{i:02d}" for i in range(directory.max_lookups)]
    late = "U0LATE"
    for i, user in enumerate([*first, late]):
        fake.add_user(user, f"New Member {i}")
    slow = fake.faults.add("*", "users.info", kind="slow", delay=6, times=None)  # longer than the wait below
    statuses = await asyncio.gather(*(slack.click(post, user, choice_label(post, RIGHT)) for user in first))
    assert {status for status, _, _ in statuses} == {200}
    await fake.wait_for(lambda: sum(f is slow for *_, f in fake.faults.fired) == len(first),
                        what="every first member's lookup")
    assert not any(fake.private_to(u) for u in first)  # each waits for users.info
    status, _, _ = await slack.click(post, late, choice_label(post, RIGHT))
    assert status == 200
    await fake.wait_for(lambda: all(fake.private_to(u) for u in [*first, late]), timeout=5, what="every result")
    assert all("Correct" in fake.private_to(u)[0] for u in [*first, late])
    assert sum(f is slow for *_, f in fake.faults.fired) == len(first)  # the late member was not looked up


# --- App Home ----------------------------------------------------------------------------------------


async def test_home_tab_is_republished_after_answering_from_it(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    await slack.client.event(fake.home_opened_event(ANN))
    await fake.wait_for(lambda: ANN in fake.views, what="Ann's home view")
    home = fake.views[ANN]
    assert buttons(home["blocks"]) and "haven't answered" in message_text(home)
    status, _, _ = await slack.client.interaction(
        fake.click_payload(home, user=ANN, label=choice_label(post, RIGHT))
    )
    assert status == 200
    await slack.settled()
    assert "Correct" in fake.private_to(ANN)[-1]
    assert len(fake.calls_to("views.publish")) == 2
    assert "You answered today's quiz" in message_text(fake.views[ANN]) and not buttons(fake.views[ANN]["blocks"])


# --- the admin cache (issue 12) -----------------------------------------------------------------------


async def test_a_member_demoted_in_slack_stops_being_admin_after_the_cache_time(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    fake.users[ADMIN].is_admin = False  # demoted in Slack
    slack.ticks.advance(59)
    assert "Europe/Berlin" in await slack.command_reply("status", ADMIN)  # still cached as admin
    slack.ticks.advance(2)  # 61 s after the look-up: the 60 s cache has expired
    assert "Only" in await slack.command_reply("status", ADMIN)
