"""Slack burst: 1,000 signed button clicks on one daily post against the running HTTP app.

The bot (StudyService on a SQLite file + the Slack adapter's Bolt app served over HTTP on
127.0.0.1) runs as its own process, like the real server; this process plays Slack: the fake Web API the bot calls (tests/e2e/fakes/slack_fake.py) and 1,000 members
clicking at once with HMAC-signed ``block_actions`` requests.

Each click is due at a set time (1,000 of them spread evenly over 0.1 s) and every latency is
measured from that due time, so time spent queueing anywhere counts too. The clicks come from
their own process, as Slack's servers would send them: each signed request built in advance
and written at its due time on a connection opened before the burst (``--cold``: opened when
the click is due, which then counts in its time). ``--harness-only`` shows what the sending
side alone can do on this machine.
Prints when the last click left, the time to each HTTP acknowledgement and to each member's
private result (p50/p95/p99/max), the CPU the bot, the fake Slack, the clicking process and the
rest of the machine used from the connections opening to the last result, whether the targets were met, then verifies that every click was recorded exactly once: each member gets exactly one private
result, repeated clicks (some marked as Slack retries) are refused as duplicates, and the
closed post reports 1,000 answers.

    .venv/bin/python bench/slack_burst.py [--clicks 1000] [--spread 0.1] [--cold]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import h11
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack import SlackAdapter, SlackPoster  # noqa: E402
from bench.cpu import machine_busy, process_cpu  # noqa: E402
from bot.cli import run_loop, settle_heap  # noqa: E402
from bot.config import DEFAULT_CONTENT, Secret, Settings  # noqa: E402
from bot.content.pack import ContentError, load_pack  # noqa: E402
from bot.service import StudyService  # noqa: E402
from tests.e2e.fakes.slack_fake import FakeSlack, SignedClient, buttons, message_text, sign  # noqa: E402

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
    settle_heap()  # as `studybot run` does once started
    print(f"READY {adapter.url}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # returns at EOF: the parent is done
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await service.close()


async def run_clicker(
    url: str, users: list[str], bodies: list[bytes], spread: float, cold: bool = False
) -> tuple[float, dict[str, dict[str, float]]]:
    """Send the clicks from a child process (``--click``); returns per member: due, sent, acked
    (time.monotonic, which is the same clock in every process on Linux) and the HTTP status."""
    job = {"url": url, "spread": spread, "cold": cold,
           "clicks": [[u, b.decode()] for u, b in zip(users, bodies, strict=True)]}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--click", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate(json.dumps(job).encode())
    result = json.loads(out)
    return result["t0"], result["timing"]


class Click(asyncio.Protocol):
    """One member's click on its own connection: the signed request is built in advance (h11),
    written when it is due, and acknowledged when the whole HTTP response has arrived. While
    clicks are still being sent, what arrives is only stamped with the time and kept; ``read``
    parses it afterwards, so parsing never delays a send."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.http = h11.Connection(h11.CLIENT)
        self.transport: asyncio.Transport | None = None
        self.request = b""
        self.opened: asyncio.Future[None] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()
        self.sent = self.acked = 0.0
        self.status = 0
        self.arrived: list[tuple[float, bytes]] = []
        self.reading = False

    def prepare(self, host: str, path: str, body: bytes) -> None:
        headers = [("Host", host), ("Content-Type", "application/x-www-form-urlencoded"),
                   ("Content-Length", str(len(body))), *sign(SECRET, body).items()]
        self.request = b"".join((
            self.http.send(h11.Request(method="POST", target=path, headers=headers)) or b"",
            self.http.send(h11.Data(data=body)) or b"",
            self.http.send(h11.EndOfMessage()) or b"",
        ))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if not self.opened.done():
            self.opened.set_result(None)

    def send(self) -> None:
        assert self.transport is not None
        self.sent = time.monotonic()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.arrived.append((time.monotonic(), data))
        if self.reading:
            self.read()

    def read(self) -> None:
        """Parse what has arrived; the ack time is when the response's last byte came."""
        self.reading = True
        arrived, self.arrived = self.arrived, []
        for at, data in arrived:
            self.http.receive_data(data)
            while (event := self.http.next_event()) is not h11.NEED_DATA:
                if isinstance(event, h11.Response):
                    self.status = event.status_code
                elif isinstance(event, h11.EndOfMessage) and not self.done.done():
                    self.acked = at
                    self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.opened, self.done):
            if not future.done():
                future.set_exception(exc or ConnectionError("closed before the response"))


async def click_all(job: dict[str, Any]) -> dict[str, Any]:
    """The child process: each click's request signed in advance and written at its due time, the
    first 0.2 s after everything is ready. Like a busy sender, each click has a connection opened
    before the burst (``cold``: opened when the click is due, and counted in its time)."""
    loop = asyncio.get_running_loop()
    spread, clicks, cold = job["spread"], job["clicks"], job["cold"]
    target = urllib.parse.urlsplit(job["url"])
    host, port = target.hostname or "127.0.0.1", target.port or 80
    conns = [Click(loop) for _ in clicks]
    for conn, (_, body) in zip(conns, clicks, strict=True):
        conn.prepare(target.netloc, target.path, body.encode())
    if not cold:
        for i in range(0, len(conns), 100):  # within the server's accept backlog
            await asyncio.gather(*(loop.create_connection(lambda c=c: c, host, port) for c in conns[i:i + 100]))

    async def open_and_send(conn: Click) -> None:
        try:
            await loop.create_connection(lambda: conn, host, port)
        except OSError as e:
            conn.connection_lost(e)
        else:
            conn.send()

    t0 = time.monotonic() + 0.2
    due = [t0 + spread * i / max(len(clicks) - 1, 1) for i in range(len(clicks))]
    started: list[asyncio.Task[None]] = []
    gc.disable()  # no collection pause in the middle of the burst
    for conn, at in zip(conns, due, strict=True):  # loop.time() is time.monotonic()
        if cold:
            loop.call_at(at, lambda c=conn: started.append(loop.create_task(open_and_send(c))))
        else:
            loop.call_at(at, conn.send)
    await asyncio.sleep(max(0.0, due[-1] - time.monotonic()))
    while len(started) < len(conns) if cold else conns[-1].sent == 0.0:
        await asyncio.sleep(0.001)
    await asyncio.gather(*started)
    for conn in conns:
        conn.read()
    await asyncio.wait_for(asyncio.gather(*(c.done for c in conns)), 120)
    gc.enable()
    for conn in conns:
        assert conn.transport is not None
        conn.transport.close()
    return {"t0": t0, "timing": {user: {"due": at, "sent": c.sent, "acked": c.acked, "status": c.status}
                                 for (user, _), c, at in zip(clicks, conns, due, strict=True)}}


async def harness_only(clicks: int, spread: float, cold: bool) -> int:
    """The clicking side alone against a server that answers 200 at once: what this machine and
    this harness can do before any bot work (``--harness-only``)."""
    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", ok)
    app.router.add_get("/healthz", ok)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    users = [f"U{i:06d}" for i in range(clicks)]
    bodies = [b"payload=" + b"x" * 6000 for _ in users]  # about a click payload's size
    t0, timing = await run_clicker(url, users, bodies, spread, cold)
    await runner.cleanup()
    acks = [t["acked"] - t["due"] for t in timing.values()]
    print(f"Harness only: {clicks} posts due over {spread:.2f} s to a server that answers at once")
    print(f"  sent: the last left {max(t['sent'] for t in timing.values()) - t0:.3f} s after the first was due")
    print("  answer, from when each was due: p50 {:.0f} ms  p99 {:.0f} ms  max {:.0f} ms".format(
        *(1000 * pct(acks, p) for p in (50, 99, 100))))
    return 0


@dataclass(frozen=True)
class Cpu:
    """CPU seconds used so far by the bot, this process (the fake Slack), this process's ended
    children (the clicking process) and the whole machine; differences give a burst's share."""

    bot: float | None
    fake: float
    clicker: float
    machine: float | None

    @staticmethod
    def now(bot_pid: int) -> Cpu:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return Cpu(process_cpu(bot_pid), time.process_time(), children.ru_utime + children.ru_stime, machine_busy())

    def __sub__(self, other: Cpu) -> Cpu:
        def minus(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a - b

        return Cpu(minus(self.bot, other.bot), self.fake - other.fake, self.clicker - other.clicker,
                   minus(self.machine, other.machine))

    def describe(self, clicks: int) -> str:
        if self.bot is None:
            return f"CPU: the fake Slack {self.fake:.2f} s, the clicking process {self.clicker:.2f} s (bot: no /proc)"
        text = (f"bot CPU from the connections opening to the last result: {self.bot:.2f} s, "
                f"{1000 * self.bot / clicks:.2f} ms per click; the fake Slack {self.fake:.2f} s, "
                f"the clicking process {self.clicker:.2f} s (its start included)")
        if self.machine is not None:
            text += f", other work on the machine {max(self.machine - self.bot - self.fake - self.clicker, 0):.2f} s"
        return text


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


async def bench(
    clicks: int, duplicates: int, content: Path | None = None, spread: float = 0.1, cold: bool = False
) -> int:
    logging.basicConfig(level=logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="slack-burst-"))
    fake = await FakeSlack(bot_token=BOT_TOKEN).start()
    fake.add_user(ADMIN, "Ada Admin", admin=True)
    fake.add_channel(CHANNEL, "bench")
    users = [f"U{i:06d}" for i in range(clicks)]
    for u in users:
        fake.add_user(u, f"Member {u}")
    settings = bench_settings(f"sqlite+aiosqlite:///{tmp / 'bench.db'}", content or content_path(tmp))
    bot = BotProcess(settings.database_url, settings.content_path, fake.base_url)
    await bot.start()
    failures: list[str] = []
    async with aiohttp.ClientSession() as session:
        client = SignedClient(bot.url, SECRET, session)
        # an admin sets the group up (quiz open for one hour) and posts today's quiz now
        at = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%H:%M")
        for i, text in enumerate((f"setup <#{CHANNEL}|bench> {at} UTC 1", "post-now")):
            status, _, _ = await client.form(fake.slash_form(text, user=ADMIN, channel=CHANNEL))
            assert status == 200, status
            await fake.wait_for(lambda i=i: len(fake.responses) > i, timeout=30, what=f"the reply to {text!r}")
        post = (await fake.wait_for(
            lambda: [m for m in fake.posts(CHANNEL) if any(b["type"] == "actions" for b in m.blocks)],
            timeout=30, what="the daily post"))[-1]  # setup's notice came first
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

        # every click has a due time, spread evenly over `spread` seconds; all times below are
        # measured from it, so queueing anywhere (client, network, server) counts. The clicks are
        # sent by their own process (like Slack's servers), not from the loop serving the fake Web API.
        bodies = [urllib.parse.urlencode({"payload": json.dumps(p)}).encode() for p in payloads]
        assert bot.proc is not None
        calls_before = len(fake.calls)
        cpu_before = Cpu.now(bot.proc.pid)
        t0, timing = await run_clicker(bot.url, users, bodies, spread, cold)
        due = {u: t["due"] for u, t in timing.items()}
        acked = {u: t["acked"] for u, t in timing.items()}
        sent = [t["sent"] for t in timing.values()]
        statuses = [int(t["status"]) for t in timing.values()]
        await fake.wait_for(lambda: len(fake.responses) - before >= clicks, timeout=120, what="every result")
        cpu = Cpu.now(bot.proc.pid) - cpu_before
        api_calls = Counter(c.method for c in fake.calls[calls_before:])
        ack_from_due = [acked[u] - due[u] for u in users]
        seen = {r.user: r.at for r in fake.responses[before:]}
        result_from_due = [seen[u] - due[u] for u in users if u in seen]
        send_window = max(sent) - t0
        if any(s != 200 for s in statuses):
            failures.append(f"non-200 acknowledgements: {sorted(set(statuses))}")
        last_result = max(seen.values()) - t0

        # verification: one private result per member, none a duplicate or an apology
        replies: dict[str, list[str]] = {}
        for r in fake.responses[before:]:
            replies.setdefault(r.user, []).append(r.text)
        if sorted(replies) != sorted(users) or any(len(v) != 1 for v in replies.values()):
            failures.append("not exactly one reply per member")
        bad = [v[0][:80] for v in replies.values() if not re.search(r"Correct|Not quite", v[0])]
        if bad:
            failures.append(f"{len(bad)} clicks not recorded as answers, e.g. {bad[0]!r}")

        # repeated clicks (half of them flagged as Slack retries) change nothing
        again = len(fake.responses)
        await asyncio.gather(*(
            client.interaction(p, retry=1 if i % 2 else None) for i, p in enumerate(payloads[:duplicates])
        ))
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

    def ms(values: list[float]) -> str:
        return "p50 {:.0f} ms  p95 {:.0f} ms  p99 {:.0f} ms  max {:.0f} ms".format(
            *(1000 * pct(values, p) for p in (50, 95, 99, 100)))

    targets = [
        ("all clicks sent within 0.1 s", send_window <= 0.1 + 0.01, f"{send_window:.3f} s"),
        ("ack p99 under 500 ms (from when each click was due)", pct(ack_from_due, 99) < 0.5,
         f"{1000 * pct(ack_from_due, 99):.0f} ms"),
        ("every result seen within 1.5 s of its click", max(result_from_due) <= 1.5, f"{max(result_from_due):.2f} s"),
    ]
    print(f"Slack burst: {clicks} signed button clicks on one daily post, due evenly over {spread:.2f} s, "
          f"each on its own connection ({'opened when due' if cold else 'opened before the burst'})")
    print(f"  content: {settings.content_path} ({'choose-N checkboxes + Submit' if boxes else 'one button per option'})")
    print(f"  sent: the last click left {send_window:.3f} s after the first was due")
    print(f"  HTTP ack, from when each click was due: {ms(ack_from_due)}  (mean {1000 * statistics.mean(ack_from_due):.0f} ms)")
    print(f"  private result seen, from when each click was due: {ms(result_from_due)}")
    print(f"  the last result was seen {last_result:.2f} s after the first click was due")
    print(f"  {cpu.describe(clicks)}")
    print(f"  Web API calls during the burst: {dict(api_calls) or 'none'}")
    print(f"  {duplicates} repeated clicks (half with X-Slack-Retry-Num): {dup_ok} refused as duplicates")
    print(f"  closed post: {answered} answers recorded (expected {clicks})")
    for what, ok, value in targets:
        print(f"  target {'met ' if ok else 'MISSED'}: {what}: {value}")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("OK: every click recorded exactly once")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=0.1, help="seconds over which the clicks are due")
    parser.add_argument("--duplicates", type=int, default=100)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--click", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true",
                        help="open each click's connection when it is due (default: before the burst)")
    parser.add_argument("--harness-only", action="store_true",
                        help="measure the clicking side alone, against a server that answers at once")
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--content", help="content pack folder (default: content/dp100)")
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.harness_only:
        sys.exit(asyncio.run(harness_only(args.clicks, args.spread, args.cold)))
    if args.click:
        print(json.dumps(asyncio.run(click_all(json.loads(sys.stdin.read())))))
        return
    if args.serve:
        run_loop(serve(args.database_url, args.content, args.base_url))  # the loop `studybot run` uses
        return
    content = Path(args.content) if args.content else None
    sys.exit(asyncio.run(bench(args.clicks, min(args.duplicates, args.clicks), content, args.spread, args.cold)))


if __name__ == "__main__":
    main()
