"""StudyBot on Discord, end to end: the real discord.py client against the fake Discord.

Each test drives the bot only through gateway events (INTERACTION_CREATE) and the core's
scheduler entry point (``service.run_due``), and asserts on the HTTP calls the bot made.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from adapters.discord.client import APOLOGY, CONNECTIONS_PER_HOST, UNKNOWN_BUTTON
from adapters.discord.invite import application_id, invite_url
from bot import codec
from bot.config import DEFAULT_CONTENT, Secret
from bot.content.pack import load_pack

from ..fakes.discord_fake import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    EPHEMERAL,
    FakeDiscord,
    buttons,
    message_text,
)
from .conftest import Bot

UTC = timezone.utc
# 2025-03-10 is a Monday in CET (UTC+1): 09:00 in Berlin is 08:00 UTC.
POST_AT = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
NEXT_POST_AT = POST_AT + timedelta(days=1)
#: the core's refusal of an admin command to a member (its wording may change)
REFUSAL = re.compile(r"\bOnly\b.*\badmins\b")


def study(fake: FakeDiscord) -> int:
    return fake.channel_ids[0]


async def set_up_group(fake: FakeDiscord, admin, *, time: str = "09:00", tz: str = "Europe/Berlin"):
    inter = await fake.slash(admin, "studybot", {"channel": ("channel", study(fake)), "time": time, "timezone": tz},
                             sub="setup")
    assert not inter.ephemeral, inter.text()
    assert f"every day at {time} ({tz})" in inter.text()
    return inter


def daily_posts(fake: FakeDiscord) -> list[dict]:
    """Daily posts the bot made in the study channel through the REST API (not interaction
    replies, nor setup's notice): they are the ones with answer buttons."""
    return [m for m in fake.channel_messages(study(fake)) if m.get("webhook_id") is None and m["components"]]


def button(message: dict, text: str) -> dict:
    found = [b for b in buttons(message) if text in (b.get("label") or "")]
    assert len(found) == 1, (text, [b.get("label") for b in buttons(message)])
    return found[0]


# --- connection, commands, invite ---------------------------------------------------------


async def test_connects_without_privileged_intents_and_syncs_commands_once(bot: Bot, fake: FakeDiscord):
    intents = fake.identify_payloads[0]["intents"]
    assert intents == 1 << 0  # GUILDS only
    assert fake.heartbeats >= 1  # heartbeating (and ACKed) from HELLO on
    assert not intents & ((1 << 1) | (1 << 8) | (1 << 15))  # members, presences, message content

    syncs = fake.calls_to("PUT", f"/applications/{fake.app_id}/commands")
    assert len(syncs) == 1 and syncs[0].status == 200
    commands = {c["name"]: c for c in syncs[0].json}
    assert set(commands) == {"quiz", "leaderboard", "objective", "objectives", "today", "stats", "help", "studybot",
                             "review", "readiness", "exam"}
    assert all(c["description"] for c in commands.values())

    assert [ch["value"] for ch in commands["leaderboard"]["options"][0]["choices"]] == ["all", "week", "last-week"]
    assert commands["objective"]["options"][0]["autocomplete"] is True
    domains = commands["objectives"]["options"][0]["choices"]
    assert [d["value"] for d in domains] == ["1", "2", "3", "4"]
    assert all(re.search(r"\(\d+-\d+%\)$", d["name"]) for d in domains)

    admin = commands["studybot"]
    assert int(admin["default_member_permissions"]) == 1 << 5  # Manage Server
    subs = {o["name"]: o for o in admin["options"]}
    assert set(subs) == {"setup", "pause", "resume", "post-now", "status", "admins", "readiness", "report"}
    setup = {o["name"]: o for o in subs["setup"]["options"]}
    assert setup["channel"]["type"] == 7 and setup["channel"]["required"] is True
    assert set(setup["channel"]["channel_types"]) == {0, 5}
    assert setup["time"]["required"] is True
    assert setup["timezone"]["autocomplete"] is True


async def test_guild_sync_goes_to_the_test_server(fake: FakeDiscord, settings, clock):
    b = Bot(fake, dataclasses.replace(settings, discord_guild=fake.guild_id), clock)
    await b.start()
    try:
        assert fake.calls_to("PUT", f"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")
        assert not fake.calls_to("PUT", f"/applications/{fake.app_id}/commands")
        inter = await fake.slash(fake.user("gus"), "help")
        assert inter.ephemeral and "StudyBot commands" in inter.text()
    finally:
        await b.stop()


def test_invite_url_has_exactly_the_needed_scopes_and_permissions():
    url = invite_url(1234567890)
    assert url.startswith("https://discord.com/oauth2/authorize?")
    assert "client_id=1234567890" in url
    assert "scope=bot+applications.commands" in url
    # View Channels (1<<10) + Send Messages (1<<11) + Embed Links (1<<14) + Read Message History (1<<16)
    assert re.search(r"permissions=(\d+)", url).group(1) == str((1 << 10) | (1 << 11) | (1 << 14) | (1 << 16))


async def test_invite_url_client_id_is_asked_from_discord(fake: FakeDiscord):
    assert await application_id(Secret(fake.token)) == fake.app_id
    with pytest.raises(ValueError) as rejected:
        await application_id(Secret("not-the-token"))
    assert "not-the-token" not in str(rejected.value)


# --- setup -------------------------------------------------------------------------------------


async def test_setup_by_an_admin_and_refusal_for_a_member(bot: Bot, fake: FakeDiscord):
    member = fake.user("mo")
    refused = await fake.slash(member, "studybot", {"channel": ("channel", study(fake)), "time": "09:00",
                                                    "timezone": "Europe/Berlin"}, sub="setup")
    assert refused.callback_type == CHANNEL_MESSAGE and refused.ephemeral
    assert REFUSAL.search(refused.text())

    admin = fake.user("ada", admin=True)
    done = await set_up_group(fake, admin)
    assert "First post: Mon 10 Mar 09:00 CET" in done.text()

    status = await fake.slash(admin, "studybot", sub="status")
    assert status.ephemeral
    assert "09:00 Europe/Berlin" in status.text() and "active" in status.text()

    pause = await fake.slash(member, "studybot", sub="pause")
    assert pause.ephemeral and REFUSAL.search(pause.text())
    # the refusal changed nothing
    assert "active" in (await fake.slash(admin, "studybot", sub="status")).text()

    tz = await fake.autocomplete(admin, "studybot", "timezone", "Europe/Be", sub="setup",
                                 others={"time": "09:00"})
    assert "Europe/Berlin" in [c["value"] for c in tz.choices()]


# --- the daily post -------------------------------------------------------------------------------


async def test_daily_post_arrives_at_the_local_time(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    [notice] = fake.calls_to("POST", f"/channels/{study(fake)}/messages")  # setup proved it can post there
    assert "I'll post here daily at 09:00 Europe/Berlin" in message_text(notice.json)

    await bot.run_due(POST_AT - timedelta(seconds=1))
    assert len(fake.calls_to("POST", f"/channels/{study(fake)}/messages")) == 1

    await bot.run_due(POST_AT)
    posts = fake.calls_to("POST", f"/channels/{study(fake)}/messages")[1:]
    assert len(posts) == 1 and posts[0].status == 200
    post = fake.messages[int(daily_posts(fake)[0]["id"])]
    objective, quiz = post["embeds"]
    assert objective["url"].startswith("https://") and "Today's objective" in objective["description"]
    assert any(f["name"] == "Links" and re.search(r"\[Read the docs\]\(https://[^)]+\)", f["value"])
               for f in objective["fields"])
    assert quiz["title"] == "Daily quiz · Mon 10 Mar"
    ids = [b["custom_id"] for b in buttons(post)]
    assert len(ids) == 4 and all(re.fullmatch(codec.TEMPLATE, i) for i in ids)
    assert [b["label"] for b in buttons(post)] == [
        f"{letter} · {text}" for letter, text in zip("ABCD", re.findall(r"\*\*[A-D]\.\*\* (\w+)", quiz["description"]), strict=True)
    ]

    await bot.run_due(POST_AT + timedelta(minutes=1))  # a second tick the same day posts nothing
    assert len(fake.calls_to("POST", f"/channels/{study(fake)}/messages")) == 2


async def test_three_members_click_one_twice_then_close_edits_the_results(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    alice, bob, carol = fake.user("alice"), fake.user("bob"), fake.user("carol")

    first = await fake.click(alice, post, button(post, "Bravo")["custom_id"])
    assert first.callback_type == CHANNEL_MESSAGE and first.ephemeral
    assert "Correct!" in first.text() and "+10 points" in first.text()
    wrong = await fake.click(bob, post, button(post, "Alpha")["custom_id"])
    assert wrong.ephemeral and "Not quite" in wrong.text()
    third = await fake.click(carol, post, button(post, "Bravo")["custom_id"])
    assert third.ephemeral and "Correct!" in third.text()
    again = await fake.click(alice, post, button(post, "Delta")["custom_id"])
    assert again.ephemeral and "already answered" in again.text()
    bravo = button(post, "Bravo")["label"][0]
    assert f"You chose **{bravo}**" in again.text()

    # nothing public changed or spoiled the answer before the close
    assert not fake.calls_to("PATCH", "/channels/")
    public = [m for m in fake.messages.values() if not m["flags"] & EPHEMERAL]
    assert not any("Answer:" in message_text(m) or "✅" in message_text(m) for m in public)

    board = await fake.slash(bob, "leaderboard", {"period": "week"})
    assert not board.ephemeral and "**1.** alice · 10 pts" in board.text() and "**3.** bob · 0 pts" in board.text()

    await bot.run_due(NEXT_POST_AT)  # the next day's post closes yesterday's quiz
    edits = fake.calls_to("PATCH", f"/channels/{study(fake)}/messages/{post['id']}")
    assert len(edits) == 1 and edits[0].status == 200
    closed = fake.messages[int(post["id"])]
    assert closed["components"] and all(b.get("disabled") for b in buttons(closed))
    results = closed["embeds"][1]
    fields = {f["name"]: f["value"] for f in results["fields"]}
    assert fields["Answered"] == "3"
    assert fields["Correct"] == "2 (67%)"
    assert fields["First correct"] == "alice"
    assert f"**Answer: {bravo}.**" in results["description"]
    assert re.search(rf"\*\*{bravo}\.\*\* ✅ Bravo · 2 \(67%\)", results["description"])
    assert len(daily_posts(fake)) == 2  # and today's quiz is up

    late = await fake.click(fake.user("dan"), closed, button(closed, "Bravo")["custom_id"])
    assert late.ephemeral and "This quiz has closed" in late.text()


async def test_a_restart_between_post_and_click(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]

    await bot.restart()  # a new process: new StudyService and DiscordAdapter on the same database file
    assert bot.starts == 2 and len(fake.identify_payloads) == 2

    dora = fake.user("dora")
    after = await fake.click(dora, post, button(post, "Bravo")["custom_id"])
    assert after.ephemeral and "Correct!" in after.text()
    assert "already answered" in (await fake.click(dora, post, button(post, "Alpha")["custom_id"])).text()

    await bot.run_due(NEXT_POST_AT)  # the message posted before the restart is edited with the results
    closed = fake.messages[int(post["id"])]
    assert {f["name"]: f["value"] for f in closed["embeds"][1]["fields"]}["Answered"] == "1"
    assert all(b.get("disabled") for b in buttons(closed))


# --- lookups ---------------------------------------------------------------------------------------


async def test_autocomplete_for_hyperparm_then_lookup(bot: Bot, fake: FakeDiscord):
    member = fake.user("hana")
    inter = await fake.autocomplete(member, "objective", "query", "hyperparm")
    assert inter.callback_type == AUTOCOMPLETE_RESULT
    choices = inter.choices()
    assert 1 <= len(choices) <= 25
    assert all(1 <= len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert "hyperparameter" in choices[0]["name"].lower()

    found = await fake.slash(member, "objective", {"query": choices[0]["value"]})
    assert found.ephemeral
    embed = found.messages()[0]["embeds"][0]
    assert "hyperparameter" in embed["title"].lower() and embed["url"].startswith("https://")
    [objective] = [o for o in load_pack(DEFAULT_CONTENT).objectives if o.title == embed["title"]]
    assert embed["description"] == objective.description  # the plain description, under the title


async def test_every_member_command_answers_with_the_right_visibility(bot: Bot, fake: FakeDiscord, settings):
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    member = fake.user("max")
    expectations = [
        ("help", {}, True, "StudyBot commands"),
        ("quiz", {}, True, "Practice question"),
        ("today", {}, True, "Today's objective"),
        ("stats", {}, True, "Progress · max"),
        ("leaderboard", {}, False, "Leaderboard · all time"),
        ("objectives", {}, True, "exam domains"),
    ]
    for name, options, private, text in expectations:
        inter = await fake.slash(member, name, options)
        assert inter.callback_type == CHANNEL_MESSAGE, (name, inter.callback)
        assert inter.ephemeral is private, name
        assert text in inter.text(), (name, inter.text()[:300])
    # one domain: its objectives, and no other domain's
    pack = load_pack(settings.content_path)
    domain = await fake.slash(member, "objectives", {"domain": "3"})
    assert domain.callback_type == CHANNEL_MESSAGE and domain.ephemeral
    shown = {o.id for o in pack.objectives if o.title in domain.text()}
    assert shown and shown == {o.id for o in pack.objectives if o.id.startswith("3.")}, shown
    practice = fake.interactions[max(i.id for i in fake.interactions.values()
                                     if i.type == APPLICATION_COMMAND and i.payload["data"]["name"] == "quiz")]
    message = practice.messages()[0]
    answer = await fake.click(member, message, buttons(message)[0]["custom_id"])
    assert answer.ephemeral and ("Correct" in answer.text() or "Not quite" in answer.text())


async def test_a_gateway_reconnect_is_handled_by_discord_py(bot: Bot, fake: FakeDiscord):
    await set_up_group(fake, fake.user("ada", admin=True))
    await fake.request_reconnect()
    await fake.wait_for(lambda: fake.resumes == 1 and fake._sockets, 10)  # discord.py RESUMEs the session
    assert len(fake.identify_payloads) == 1
    await bot.run_due(POST_AT)  # the scheduler keeps going
    post = daily_posts(fake)[0]
    answer = await fake.click(fake.user("rey"), post, button(post, "Bravo")["custom_id"])
    assert answer.ephemeral and "Correct!" in answer.text()


async def test_a_burst_of_fresh_clicks_is_answered_with_one_call_each(bot: Bot, fake: FakeDiscord):
    """Results ready in time are the interaction response itself: no defer, no followup."""
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    burst = [fake.click_payload(fake.user(f"c{i}"), post, button(post, "Bravo")["custom_id"]) for i in range(30)]
    for inter in burst:
        await fake.send_interaction(inter)
    for inter in burst:
        await fake.wait_done(inter, 10)
    assert [i.callback_type for i in burst] == [CHANNEL_MESSAGE] * 30
    assert all(i.ephemeral and "Correct!" in i.text() for i in burst)
    assert not [c for i in burst for c in fake.calls_to("POST", f"/webhooks/{fake.app_id}/{i.token}")]
    assert not [c for i in burst for c in fake.calls_to("PATCH", f"/webhooks/{fake.app_id}/{i.token}")]


async def test_a_burst_reuses_a_bounded_pool_of_connections(bot: Bot, fake: FakeDiscord):
    """discord.py's own pool has no limit: a burst would open a connection per response. The burst's
    responses go on at most CONNECTIONS_PER_HOST connections (kept alive: fewer than the responses)."""
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    clicks = CONNECTIONS_PER_HOST + 50
    burst = [fake.click_payload(fake.user(f"c{i}"), post, button(post, "Bravo")["custom_id"]) for i in range(clicks)]
    for inter in burst:
        await fake.send_interaction(inter)
    for inter in burst:
        await fake.wait_done(inter, 30)
    peers = {c.peer for i in burst for c in fake.calls_to("POST", f"/interactions/{i.id}/")}
    assert "" not in peers and 1 < len(peers) <= CONNECTIONS_PER_HOST


async def test_a_click_the_core_is_slow_to_record_is_deferred_then_shown(bot: Bot, fake: FakeDiscord, settings):
    """The store is busy (another writer holds SQLite's lock): the click is acknowledged within the
    budget with a private "thinking…", and the result replaces it once recorded."""
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    other_writer = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    try:
        click = await fake.click(fake.user("patient"), post, button(post, "Bravo")["custom_id"], wait=False)
        await fake.wait_for(lambda: click.callback is not None, 5)
        assert click.callback_type == DEFERRED_CHANNEL_MESSAGE and click.ephemeral
        assert not click.done.is_set()  # only "thinking…" so far
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    await fake.wait_done(click, 10)
    assert "Correct!" in click.text() and len(click.messages()) == 1
    assert fake.calls_to("PATCH", f"/webhooks/{fake.app_id}/{click.token}/messages/@original")


#: Delivered this long after Discord created them: past the bot's budget, so it must defer first.
LATE = 1.5


async def test_late_commands_each_show_with_the_right_visibility(bot: Bot, fake: FakeDiscord):
    """Interactions that arrive late are acknowledged (deferred) before any work, public or private
    by a guess; each reply then shows public or private as the core says, replacing a
    "thinking" message of the wrong kind."""
    admin, members = fake.user("ada", admin=True), [fake.user(f"m{i}") for i in range(30)]
    await set_up_group(fake, admin)
    sent = []
    for i, m in enumerate(members):
        kind = ("leaderboard", "help", "setup")[i % 3]
        if kind == "setup":  # guessed public (setup usually is), refused privately to a member
            opts, resolved = fake._options({"channel": ("channel", study(fake)), "time": "10:00"})
            inter = fake.slash_payload(m, "studybot", [{"name": "setup", "type": 1, "options": opts}],
                                       resolved=resolved, age=LATE)
        else:
            inter = fake.slash_payload(m, kind, [], age=LATE)
        sent.append((kind, inter))
    for _, inter in sent:
        await fake.send_interaction(inter)
    for _, inter in sent:
        await fake.wait_done(inter, 10)
    assert [i.callback_type for _, i in sent] == [DEFERRED_CHANNEL_MESSAGE] * len(sent)
    for kind, inter in sent:
        (shown,) = inter.messages()
        private = bool(shown["flags"] & EPHEMERAL)
        text = message_text(shown)
        if kind == "leaderboard":
            assert not private and "Leaderboard" in text
        elif kind == "help":
            assert private and "StudyBot commands" in text
        else:
            assert private and REFUSAL.search(text)


# --- failures -------------------------------------------------------------------------------------


async def test_a_handler_error_reaches_the_member_as_an_apology_and_the_bot_keeps_serving(
        bot: Bot, fake: FakeDiscord, caplog: pytest.LogCaptureFixture):
    member = fake.user("erin")
    # Discord rejects the first response (as it does a malformed body): the handler's send raises
    fake.fail_next("POST", "/callback", status=400)
    broken = await fake.slash(member, "help")
    rejected = [c for c in fake.calls_to("POST", f"/interactions/{broken.id}/") if c.status == 400]
    assert len(rejected) == 1
    assert broken.ephemeral and broken.text() == APOLOGY
    logged = [r for r in caplog.records if r.name.startswith("adapters.discord") and r.levelno == logging.ERROR]
    assert logged and logged[0].exc_info is not None and "Help" in logged[0].getMessage()

    # a command this client doesn't know (a stale registration): discord.py raises, we apologise
    stale = await fake.slash(member, "flashcards")
    assert stale.ephemeral and stale.text() == APOLOGY

    # a button that isn't ours (an old bot version's): acknowledged, not left to fail
    legacy = {"id": str(fake.snowflake()), "channel_id": str(study(fake)), "components": [
        {"type": 1, "components": [{"type": 2, "style": 1, "label": "Old", "custom_id": "legacy:1"}]}],
        "content": "", "embeds": [], "flags": 0, "author": fake._bot_user(), "timestamp": "2025-03-10T08:00:00+00:00",
        "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
        "attachments": [], "pinned": False, "type": 0}
    old = await fake.click(member, legacy, "legacy:1")
    assert old.ephemeral and old.text() == UNKNOWN_BUTTON

    # and the bot is still serving
    after = await fake.slash(member, "help")
    assert after.ephemeral and "StudyBot commands" in after.text()


async def test_an_error_after_a_public_defer_still_apologises_privately(bot: Bot, fake: FakeDiscord):
    """A late /leaderboard is deferred first with a public "thinking…"; if showing the reply then
    fails, the public placeholder is removed and the apology is private."""
    await set_up_group(fake, fake.user("ada", admin=True))
    members = [fake.user(f"b{i}") for i in range(5)]
    fake.fail_next("PATCH", "/messages/@original", status=400)
    burst = [fake.slash_payload(m, "leaderboard", [], age=LATE) for m in members]
    for inter in burst:
        await fake.send_interaction(inter)
    for inter in burst:
        await fake.wait_done(inter, 10)
    failed = [c for c in fake.calls if c.method == "PATCH" and c.status == 400]
    assert len(failed) == 1  # every one was deferred, and one reply could not be shown
    sorry = [i for i in burst if i.text() == APOLOGY]
    assert len(sorry) == 1
    (shown,) = sorry[0].messages()
    assert shown["flags"] & EPHEMERAL and sorry[0].callback_type == DEFERRED_CHANNEL_MESSAGE
    assert all("Leaderboard" in i.text() and not i.ephemeral for i in burst if i is not sorry[0])


# --- multi-pick questions and oversized content --------------------------------------------------


@pytest.mark.parametrize("pack_variant", ["multiple"])
async def test_choose_two_uses_a_select(bot: Bot, fake: FakeDiscord):
    admin = fake.user("ada", admin=True)
    await set_up_group(fake, admin)
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    (select,) = buttons(post)
    assert select["type"] == 3 and select["min_values"] == select["max_values"] == 2
    assert re.fullmatch(r"quiz:\d+", select["custom_id"])
    right = [o["value"] for o in select["options"] if "True statement" in o["label"]]
    wrong = [o["value"] for o in select["options"] if "alse" in o["label"]]

    member = fake.user("sam")
    # a forged submit whose values are not positions is refused and records nothing
    forged = await fake.click(member, post, select["custom_id"], values=["1", "x"])
    assert forged.ephemeral and forged.text() == UNKNOWN_BUTTON
    answer = await fake.click(member, post, select["custom_id"], values=right)
    assert answer.ephemeral and "Correct!" in answer.text()
    other = await fake.click(fake.user("tia"), post, select["custom_id"], values=wrong)
    assert other.ephemeral and "Not quite" in other.text()
    again = await fake.click(member, post, select["custom_id"], values=wrong)
    assert "already answered" in again.text()

    await bot.run_due(NEXT_POST_AT)
    closed = fake.messages[int(post["id"])]
    assert buttons(closed)[0]["disabled"] is True
    assert {f["name"]: f["value"] for f in closed["embeds"][1]["fields"]}["Answered"] == "2"


@pytest.mark.parametrize("pack_variant", ["huge"])
async def test_oversized_content_is_cut_to_discord_limits_not_rejected(bot: Bot, fake: FakeDiscord):
    admin = fake.user("ada", admin=True)
    await set_up_group(fake, admin)
    now = await fake.slash(admin, "studybot", sub="post-now")
    assert now.ephemeral and "Posted" in now.text()
    post = daily_posts(fake)[0]
    assert len(buttons(post)) == 6 and all(len(b["label"]) <= 80 for b in buttons(post))
    question = post["embeds"][1]["description"]
    assert "…" in question and question.count("```") == 2  # cut, and the code block still closed
    # every option is still shown (cut to its share), so the buttons mean something
    shown = dict(re.findall(r"\*\*([A-F])\.\*\* Option ([A-F])", question))
    assert sorted(shown) == list("ABCDEF")
    right = next(letter for letter, key in shown.items() if key == "D")

    member = fake.user("uma")
    practice = await fake.slash(member, "quiz")
    assert practice.ephemeral and "Practice question" in practice.text()
    answer = await fake.click(member, post, button(post, right)["custom_id"])
    assert answer.ephemeral and "Correct!" in answer.text()
    await bot.run_due(NEXT_POST_AT)
    assert fake.calls_to("PATCH", f"/channels/{study(fake)}/messages/{post['id']}")[0].status == 200

    rejected = [c for c in fake.calls if c.status == 400]
    assert not rejected, [(c.path, c.json) for c in rejected][:1]


@pytest.mark.parametrize("pack_variant", ["real"])
async def test_the_real_content_pack_posts_and_grades(bot: Bot, fake: FakeDiscord):
    """The shipped question bank: whatever today's question is (buttons or a "choose N" select)."""
    await set_up_group(fake, fake.user("ada", admin=True))
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    components = buttons(post)
    member = fake.user("real")
    if components[0]["type"] == 3:
        select = components[0]
        values = [o["value"] for o in select["options"]][: select["min_values"]]
        answer = await fake.click(member, post, select["custom_id"], values=values)
    else:
        answer = await fake.click(member, post, components[0]["custom_id"])
    assert answer.ephemeral and re.search(r"Correct!|Not quite", answer.text())
    await bot.run_due(NEXT_POST_AT)
    closed = fake.messages[int(post["id"])]
    assert {f["name"]: f["value"] for f in closed["embeds"][1]["fields"]}["Answered"] == "1"
    assert all(c.get("disabled") for c in buttons(closed))
    assert not [c for c in fake.calls if c.status == 400]
