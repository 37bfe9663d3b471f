"""Daily posts and results edits on Discord when Discord fails: the real discord.py client
against the fake Discord's faults (real status and error codes), seen as the admin sees it
(post-now, status, setup) and in the log (one WARNING line without a traceback per change)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from tests.helpers import assert_one_warning, delivery_warnings

from ..fakes.discord_fake import FakeDiscord, buttons
from ..fakes.faults import Fault
from .conftest import Bot
from .test_discord_e2e import button, daily_posts, set_up_group, study

UTC = timezone.utc
POST_AT = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
NEXT_POST_AT = POST_AT + timedelta(days=1)
MISSING_ACCESS = {"message": "Missing Access", "code": 50001}
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}
UNKNOWN_MESSAGE = {"message": "Unknown Message", "code": 10008}


def posts_to(fake: FakeDiscord) -> list:
    return fake.calls_to("POST", f"/channels/{study(fake)}/messages")


async def test_missing_permissions_stop_retries_and_the_admin_is_told_how_to_fix_it(bot: Bot, fake: FakeDiscord, caplog):
    ada = fake.user("ada", admin=True)
    await set_up_group(fake, ada)
    fake.faults.add("POST", f"/channels/{study(fake)}/messages", Fault("error", 403, MISSING_PERMISSIONS, times=None))
    await bot.run_due(POST_AT)
    for hours in (1, 6, 20):
        await bot.run_due(POST_AT + timedelta(hours=hours))
    assert [c.status for c in posts_to(fake)[1:]] == [403]  # one try, then no more
    assert_one_warning(caplog, "missing_permissions", "50013")

    status = await fake.slash(ada, "studybot", sub="status")
    assert "I need *View Channel*, *Send Messages*, *Embed Links* and *Read Message History*" in status.text()
    assert "Posting resumes" in status.text() and "post-now" in status.text()
    refused = await fake.slash(ada, "studybot", sub="post-now")
    assert "I couldn't post today's quiz" in refused.text() and "*Send Messages*" in refused.text()

    fake.faults.clear()  # the admin fixed the channel's permissions
    posted = await fake.slash(ada, "studybot", sub="post-now")
    assert "Posted" in posted.text()
    assert len(daily_posts(fake)) == 1
    assert "Last failure" not in (await fake.slash(ada, "studybot", sub="status")).text()
    assert len(delivery_warnings(caplog)) == 1


async def test_a_502_after_discord_stored_the_post_is_deduplicated_by_its_nonce(bot: Bot, fake: FakeDiscord, caplog):
    await set_up_group(fake, fake.user("ada", admin=True))
    fake.faults.add("POST", f"/channels/{study(fake)}/messages", kind="lost", status=502)
    await bot.run_due(POST_AT)  # discord.py retries a 502 itself, with the same nonce
    attempts = posts_to(fake)[1:]
    assert [c.status for c in attempts] == [502, 200]
    [post] = daily_posts(fake)
    # the nonce is the post's own key (its buttons' prefix), the same for any later resend
    key = buttons(post)[0]["custom_id"].rsplit(":", 1)[0] + ":"
    assert [(c.json["nonce"], c.json["enforce_nonce"]) for c in attempts] == [(key, True)] * 2
    assert delivery_warnings(caplog) == []


async def test_a_503_after_store_is_looked_up_in_the_history_then_closed_once(bot: Bot, fake: FakeDiscord, caplog):
    ada = fake.user("ada", admin=True)
    await set_up_group(fake, ada)
    fake.faults.add("POST", f"/channels/{study(fake)}/messages", kind="lost", status=503)
    await bot.run_due(POST_AT)
    assert len(daily_posts(fake)) == 1
    assert_one_warning(caplog, "unavailable", "503")
    assert "next try" in (await fake.slash(ada, "studybot", sub="status")).text()

    await bot.run_due(POST_AT + timedelta(minutes=5))
    assert len(posts_to(fake)) == 2  # the notice and the one post: found in the history
    assert fake.calls_to("GET", f"/channels/{study(fake)}/messages")
    [post] = daily_posts(fake)
    await bot.run_due(NEXT_POST_AT)
    assert len(fake.calls_to("PATCH", f"/channels/{study(fake)}/messages/{post['id']}")) == 1


async def test_a_connection_dropped_after_store_does_not_double_the_post(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    fake.faults.add("POST", f"/channels/{study(fake)}/messages", kind="drop")
    await bot.run_due(POST_AT)
    await bot.run_due(POST_AT + timedelta(minutes=5))
    await bot.run_due(POST_AT + timedelta(minutes=30))
    assert len(daily_posts(fake)) == 1


async def test_killed_between_discord_accepting_and_saving_the_id_posts_once(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    # Discord stores the post, then the answer never comes: the process dies waiting for it
    fake.faults.add("POST", f"/channels/{study(fake)}/messages", kind="hang", delay=3)
    bot.clock.set(POST_AT)
    sending = asyncio.create_task(bot.service.run_due(POST_AT))
    while not daily_posts(fake):  # stored by Discord; its answer is still on the way
        await asyncio.sleep(0.01)
    sending.cancel()
    await bot.restart()  # a new process on the same store (the lease of the dead one runs out)
    fake.nonce_window = 0  # ...minutes later: Discord no longer dedupes by the nonce

    await bot.run_due(POST_AT + timedelta(seconds=10))  # still leased by the dead worker
    await bot.run_due(POST_AT + timedelta(minutes=1))
    [post] = daily_posts(fake)
    rest = [m for m in fake.channel_messages(study(fake)) if m.get("webhook_id") is None]
    assert len(rest) == 2  # setup's notice and the one post
    assert fake.calls_to("GET", f"/channels/{study(fake)}/messages")  # found in the history
    await bot.run_due(NEXT_POST_AT)
    closed = fake.messages[int(post["id"])]
    assert all(b.get("disabled") for b in buttons(closed))  # its results were edited into it


async def test_unknown_message_on_the_results_edit_stops_with_one_warning(bot: Bot, fake: FakeDiscord, caplog):
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    [post] = daily_posts(fake)
    del fake.messages[int(post["id"])]  # deleted by a moderator
    for days in range(3):
        await bot.run_due(NEXT_POST_AT + timedelta(days=days, minutes=30))
    edits = fake.calls_to("PATCH", f"/channels/{study(fake)}/messages/{post['id']}")
    assert [c.status for c in edits] == [404]
    assert_one_warning(caplog, "no_message", "10008")
    assert len(daily_posts(fake)) == 3  # later days post as usual


async def test_a_long_rate_limit_backs_off_past_retry_after_and_other_groups_go_on(bot: Bot, fake: FakeDiscord, caplog):
    ada = fake.user("ada", admin=True)
    await set_up_group(fake, ada)
    other = fake.channel_ids[1]
    await fake.slash(ada, "studybot", {"channel": ("channel", other), "time": "09:00", "timezone": "Europe/Berlin"},
                     sub="setup")
    limited = {"message": "You are being rate limited.", "retry_after": 120.0, "global": False, "code": 0}
    fake.faults.add("POST", f"/channels/{study(fake)}/messages",
                    Fault("error", 429, limited, headers={"Retry-After": "120", "Via": "1.1 google"}))
    await bot.run_due(POST_AT)  # discord.py does not sleep 120 s: max_ratelimit_timeout
    assert len(daily_posts(fake)) == 0
    assert len(fake.calls_to("POST", f"/channels/{other}/messages")) == 2  # the other group's post went out
    assert_one_warning(caplog, "rate_limited")

    await bot.run_due(POST_AT + timedelta(seconds=119))
    assert daily_posts(fake) == []
    await bot.run_due(POST_AT + timedelta(seconds=145))  # Retry-After + up to 20% jitter
    assert len(daily_posts(fake)) == 1


async def test_setup_refuses_a_channel_where_the_bot_may_not_post(bot: Bot, fake: FakeDiscord):
    ada = fake.user("ada", admin=True)
    fake.faults.add("POST", f"/channels/{study(fake)}/messages", Fault("error", 403, MISSING_ACCESS))
    refused = await set_up_refused(fake, ada)
    assert "I can't see" in refused and "*View Channel*" in refused
    fake.faults.add("GET", f"/channels/{study(fake)}/messages", Fault("error", 403, MISSING_PERMISSIONS))
    refused = await set_up_refused(fake, ada)
    assert "*Read Message History*" in refused
    assert "No study group" in (await fake.slash(ada, "studybot", sub="status")).text()
    await set_up_group(fake, ada)


async def set_up_refused(fake: FakeDiscord, admin) -> str:  # noqa: ANN001
    inter = await fake.slash(admin, "studybot", {"channel": ("channel", study(fake)), "time": "09:00",
                                                 "timezone": "Europe/Berlin"}, sub="setup")
    assert inter.ephemeral
    assert "I can't set up" in inter.text()
    return inter.text()


async def test_a_click_still_works_on_a_post_found_after_a_lost_answer(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    fake.faults.add("POST", f"/channels/{study(fake)}/messages", kind="lost", status=503)
    await bot.run_due(POST_AT)
    await bot.run_due(POST_AT + timedelta(minutes=5))
    [post] = daily_posts(fake)
    click = await fake.click(fake.user("alice"), post, button(post, "Bravo")["custom_id"])
    assert "Correct!" in click.text()
