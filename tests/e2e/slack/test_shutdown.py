"""SIGTERM right after a burst of acknowledged clicks: the bot, a real process serving Slack over
HTTP, finishes every acknowledged answer (committed, private reply sent), logs it and exits 0."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

import aiohttp

from ..fakes.slack_fake import FakeSlack, SignedClient, buttons
from .conftest import ADMIN, BOT_TOKEN, CHANNEL, RIGHT, SIGNING_SECRET, choice_label

ROOT = Path(__file__).resolve().parents[3]
CLICKS = 200


async def _start_bot(fake: FakeSlack, db: Path, pack: Path) -> tuple[asyncio.subprocess.Process, str, list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL")}
    env |= {"STUDYBOT_DB": str(db), "STUDYBOT_CONTENT": str(pack), "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET, "FAKE_SLACK_URL": fake.base_url}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "tests.e2e.slack.bot_process", cwd=ROOT, env=env,
                                                stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    log: list[str] = []
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
        assert line, "the bot exited before listening:\n" + "".join(log)
        log.append(line)
        if m := re.search(r"listening on 127\.0\.0\.1:(\d+)(/\S+)", line):
            return proc, f"http://127.0.0.1:{m.group(1)}{m.group(2)}", log


async def test_sigterm_after_200_acknowledged_clicks_finishes_every_one(fake: FakeSlack, pack_dir, tmp_path):
    db = tmp_path / "studybot.db"
    proc, url, log = await _start_bot(fake, db, pack_dir)
    try:
        async with aiohttp.ClientSession() as session:
            client = SignedClient(url, SIGNING_SECRET, session)
            for i, text in enumerate((f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin", "post-now")):
                status, _, _ = await client.form(fake.slash_form(text, user=ADMIN))
                assert status == 200
                # the ack comes before the work: post-now must not overtake setup
                await fake.wait_for(lambda i=i: len(fake.responses) > i, timeout=15, what=f"the reply to {text!r}")
            [post] = await fake.wait_for(lambda: [p for p in fake.posts(CHANNEL) if buttons(p.blocks)] or None,
                                         timeout=15, what="the daily post")
            members = [f"U{i:04d}" for i in range(CLICKS)]
            for m in members:
                fake.add_user(m, f"Member {m}")
            # every click's work is still running when the signal comes: looking up a new member is
            # slow, and so is the private reply (the response_url has expired: chat.postEphemeral)
            fake.faults.add("POST", "users.info", kind="slow", delay=0.5, times=None)
            fake.faults.add("POST", "chat.postEphemeral", kind="slow", delay=0.5, times=None)
            fake.response_urls_expired = True
            label = choice_label(post, RIGHT)
            acks = await asyncio.gather(*(client.interaction(fake.click_payload(post, user=m, label=label))
                                          for m in members))
            assert [status for status, _, _ in acks] == [200] * CLICKS  # all acknowledged
            proc.send_signal(signal.SIGTERM)
            replied_before = sum(1 for m in members if fake.private_to(m))
            rc = await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.stderr is not None
    log += (await proc.stderr.read()).decode().splitlines(keepends=True)
    text = "".join(log)
    assert rc == 0, text
    assert replied_before < CLICKS  # the drain had work to finish
    assert "SIGTERM received: stopping" in text and "stopped after SIGTERM" in text, text
    assert "Traceback" not in text, text
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*), count(DISTINCT member_id) FROM answers").fetchone()
    assert stored == (CLICKS, CLICKS)
    assert all(len(fake.private_to(m)) == 1 and "Correct" in fake.private_to(m)[0] for m in members)
