"""Slack burst: 1,000 signed button clicks on one daily post against the running HTTP app.

The bot (StudyService on a SQLite file + the Slack adapter's Bolt app served over HTTP on
127.0.0.1) runs as its own process, like the real server; this process plays Slack: the fake Web API the bot calls (tests/e2e/fakes/slack_fake.py) and 1,000 members
clicking at once with HMAC-signed ``block_actions`` requests.

Prints requests per second and the time to the HTTP acknowledgement (p50/p95/p99/max), then
verifies that every click was recorded exactly once: each member gets exactly one private
result, repeated clicks (some marked as Slack retries) are refused as duplicates, and the
closed post reports 1,000 answers.

    /work/venv/bin/python bench/slack_burst.py [--clicks 1000] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import contextlib

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack import SlackAdapter, SlackPoster  # noqa: E402
from bot.config import DEFAULT_CONTENT, Secret, Settings  # noqa: E402
from bot.content.pack import ContentError, load_pack  # noqa: E402
from bot.service import StudyService  # noqa: E402
from tests.e2e.fakes.slack_fake import FakeSlack, SignedClient, buttons, message_text  # noqa: E402

BOT_TOKEN = "xoxb-bench-token"
SECRET = "bench-signing-secret-0123456789abcdef"
CHANNEL = "C0BENCH"
ADMIN = "U0ADMIN"


class BotProcess:
    """The bot as its own process (``slack_burst.py --serve``): StudyService + SlackAdapter over
    HTTP on 127.0.0.1, Web API calls going to the fake. Stops when its stdin closes."""

    def __init__(self, database_url: str, content: Path, base_url: str) -> None:
        self.args = ["--serve", "--database-url", database_url, "--content", str(content), "--base-url", base_url]
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, *self.args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        assert self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"the bot did not start: {line!r}")
        self.url = line.split(" ", 1)[1]

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def serve(database_url: str, content: str, base_url: str) -> None:
    """The child process: run the bot until stdin closes."""
    logging.basicConfig(level=logging.WARNING)
    settings = bench_settings(database_url, Path(content))
    service = await StudyService.open(settings)
    adapter = SlackAdapter(settings, http=True, base_url=base_url, port=0, host="127.0.0.1")
    task = asyncio.create_task(adapter.run(service))
    await adapter.ready.wait()
    print(f"READY {adapter.url}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # returns at EOF: the parent is done
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await service.close()


def bench_settings(database_url: str, content: Path) -> Settings:
    return Settings(
        database_url=database_url,
        content_path=content,
        slack_bot_token=Secret(BOT_TOKEN),
        slack_signing_secret=Secret(SECRET),
        port=0,
    )


def content_path(tmp: Path) -> Path:
    try:
        load_pack(DEFAULT_CONTENT)
        return DEFAULT_CONTENT
    except ContentError:  # the real pack is still being written: use the tests' small pack
        from tests.e2e.slack.conftest import write_pack

        return write_pack(tmp / "pack")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def bench(clicks: int, concurrency: int, duplicates: int, content: Path | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="slack-burst-"))
    fake = await FakeSlack(bot_token=BOT_TOKEN).start()
    fake.add_user(ADMIN, "Ada Admin", admin=True)
    users = [f"U{i:06d}" for i in range(clicks)]
    for u in users:
        fake.add_user(u, f"Member {u}")
    settings = bench_settings(f"sqlite+aiosqlite:///{tmp / 'bench.db'}", content or content_path(tmp))
    bot = BotProcess(settings.database_url, settings.content_path, fake.base_url)
    await bot.start()
    failures: list[str] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = SignedClient(bot.url, SECRET, session)
        # an admin sets the group up (quiz open for one hour) and posts today's quiz now
        at = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%H:%M")
        for i, text in enumerate((f"setup <#{CHANNEL}|bench> {at} UTC 1", "post-now")):
            status, _, _ = await client.form(fake.slash_form(text, user=ADMIN, channel=CHANNEL))
            assert status == 200, status
            await fake.wait_for(lambda i=i: len(fake.responses) > i, timeout=30, what=f"the reply to {text!r}")
        (post,) = await fake.wait_for(lambda: fake.posts(CHANNEL), timeout=30, what="the daily post")
        rng = random.Random(1)
        boxes = [e for b in post.blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == "checkboxes"]
        if boxes:  # a "choose N" question: tick N boxes, press Submit
            (submit,) = buttons(post.blocks)
            values = [o["value"] for o in boxes[0]["options"]]
            need = int(submit["value"])
            payloads = [
                fake.click_payload(post, user=u, action_id=submit["action_id"], ticked=rng.sample(values, need))
                for u in users
            ]
        else:  # one button per option
            labels = [b["text"]["text"] for b in buttons(post.blocks)]
            payloads = [fake.click_payload(post, user=u, label=rng.choice(labels)) for u in users]
        before = len(fake.responses)

        latencies: list[float] = []
        statuses: list[int] = []
        gate = asyncio.Semaphore(concurrency)

        async def click(payload: dict[str, Any], retry: int | None = None) -> None:
            async with gate:
                status, _, took = await client.interaction(payload, retry=retry)
            statuses.append(status)
            latencies.append(took)

        start = time.perf_counter()
        await asyncio.gather(*(click(p) for p in payloads))
        wall = time.perf_counter() - start
        await fake.wait_for(lambda: len(fake.responses) - before >= clicks, timeout=120, what="every result")
        settled = time.perf_counter() - start

        # verification: one private result per member, none a duplicate or an apology
        replies: dict[str, list[str]] = {}
        for r in fake.responses[before:]:
            replies.setdefault(r.user, []).append(r.text)
        if sorted(replies) != sorted(users) or any(len(v) != 1 for v in replies.values()):
            failures.append("not exactly one reply per member")
        bad = [v[0][:80] for v in replies.values() if not re.search(r"Correct|Not quite", v[0])]
        if bad:
            failures.append(f"{len(bad)} clicks not recorded as answers, e.g. {bad[0]!r}")
        if any(s != 200 for s in statuses):
            failures.append(f"non-200 acknowledgements: {sorted(set(statuses))}")

        # repeated clicks (half of them flagged as Slack retries) change nothing
        again = len(fake.responses)
        await asyncio.gather(*(click(p, retry=1 if i % 2 else None) for i, p in enumerate(payloads[:duplicates])))
        await fake.wait_for(lambda: len(fake.responses) - again >= duplicates, timeout=60, what="duplicate notices")
        dup_ok = sum("already answered" in r.text for r in fake.responses[again:])
        if dup_ok != duplicates:
            failures.append(f"only {dup_ok}/{duplicates} repeated clicks were refused as duplicates")

        # stop the bot; the scheduler tick two hours later (a new process on the same store)
        # closes the quiz and edits the post with the count
        await bot.stop()
        service = await StudyService.open(settings)
        try:
            service.attach("slack", SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url)))
            await service.run_due(datetime.now(timezone.utc) + timedelta(hours=2))
        finally:
            await service.close()
        await fake.wait_for(lambda: fake.calls_to("chat.update"), timeout=30, what="the closed post")
        closed = message_text(fake.messages[(CHANNEL, post.ts)].__dict__)
        m = re.search(r"\*Answered\*\n(\d+)", closed)
        answered = int(m.group(1)) if m else -1
        if answered != clicks:
            failures.append(f"the closed post counts {answered} answers, expected {clicks}")

    await fake.stop()

    print(f"Slack burst: {clicks} signed button clicks on one daily post, {concurrency} concurrent connections")
    print(f"  content: {settings.content_path} ({'choose-N checkboxes + Submit' if boxes else 'one button per option'})")
    print(f"  wall time to last HTTP ack: {wall:.2f} s  ->  {clicks / wall:.0f} requests/s")
    print(
        "  time to HTTP ack: p50 {:.1f} ms  p95 {:.1f} ms  p99 {:.1f} ms  max {:.1f} ms  (mean {:.1f} ms)".format(
            *(1000 * pct(latencies[:clicks], p) for p in (50, 95, 99, 100)), 1000 * statistics.mean(latencies[:clicks])
        )
    )
    print(f"  every member's private result delivered after {settled:.2f} s")
    print(f"  {duplicates} repeated clicks (half with X-Slack-Retry-Num): {dup_ok} refused as duplicates")
    print(f"  closed post: {answered} answers recorded (expected {clicks})")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("OK: every click recorded exactly once")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--duplicates", type=int, default=100)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--content", help="content pack folder (default: content/dp100)")
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.database_url, args.content, args.base_url))
        return
    content = Path(args.content) if args.content else None
    sys.exit(asyncio.run(bench(args.clicks, args.concurrency, min(args.duplicates, args.clicks), content)))


if __name__ == "__main__":
    main()
