"""The posting half of ``bench/scale.py``: 10,000 groups due at the same 09:00.

Worker processes (``--workers``, default 2) each run the real scheduler tick (``run_due``) of a
real StudyService on one PostgreSQL store, posting through the real SlackPoster (slack_sdk) to
the fake Slack in this process. Every Web API call takes ``--latency`` (50 ms) and the fake
allows ``--rate`` calls per second (over that: 429 with Retry-After: 1).

The workers' clock is virtual (09:00 when the bench starts, then running in real time), so the
bench prints the time from 09:00 to the last post, then jumps the clock to the quizzes' close
and prints the time to the last results edit. It checks that every group got exactly one post
and every post exactly one edit.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import sys
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.cpu import backend_cpu, machine_busy, process_cpu  # noqa: E402

UTC = timezone.utc
NINE = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
TOKEN = "xoxb-bench-token"


class RateLimit:
    """A fault matcher: true (answer 429) for calls over ``per_second`` in the current second."""

    def __init__(self, per_second: int) -> None:
        self.per_second, self.second, self.count = per_second, 0, 0

    def __call__(self, _path: str) -> bool:
        now = int(time.monotonic())
        if now != self.second:
            self.second, self.count = now, 0
        self.count += 1
        return self.count > self.per_second


def _worker(url: str, base_url: str, nine: float, offset, stop, cpu) -> None:  # noqa: ANN001 - multiprocessing values
    """One worker process: the real scheduler tick, over and over, until told to stop. Its clock
    reads 09:00 at wall-clock time ``nine`` (plus ``offset``, the bench's jump to the close)."""
    import logging

    from bot.cli import run_loop

    logging.basicConfig(level=logging.ERROR)

    async def main() -> None:
        import aiohttp
        from slack_sdk.web.async_client import AsyncWebClient

        from adapters.slack.poster import SlackPoster
        from bot.cli import settle_heap
        from bot.config import DEFAULT_CONTENT, Settings
        from bot.service import StudyService

        def clock() -> datetime:
            return NINE + timedelta(seconds=time.time() - nine + offset.value)

        service = await StudyService.open(Settings(database_url=url, content_path=DEFAULT_CONTENT), clock=clock)
        settle_heap()  # as `studybot run` does once started
        # one connection pool for every call, as the Slack adapter has
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        service.attach("slack", SlackPoster(AsyncWebClient(token=TOKEN, base_url=base_url, session=session)))
        try:
            while not stop.is_set():
                await service.run_due()
                await asyncio.sleep(0.1)
        finally:
            await session.close()
            await service.close()

    run_loop(main())  # the event loop `studybot run` uses
    with cpu.get_lock():
        cpu.value += time.process_time()


async def _seed(url: str, groups: int) -> None:
    from sqlalchemy import insert

    from bot.store.db import make_engine, upgrade
    from bot.store.models import Group

    engine = make_engine(url)
    await upgrade(engine)
    rows = [dict(platform="slack", workspace=f"T{i // 100:04d}", channel=f"C{i:06d}", post_time="09:00",
                 timezone="UTC", open_hours=1, paused=False, admins=[], seed=i + 1, posts_made=0,
                 next_post_at=NINE, created_at=NINE - timedelta(days=1)) for i in range(groups)]
    async with engine.begin() as conn:
        for i in range(0, groups, 1000):
            await conn.execute(insert(Group), rows[i:i + 1000])
    await engine.dispose()


async def _wait(what, done, timeout: float) -> float:  # noqa: ANN001
    start = time.monotonic()
    while not done():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic()


def _cpu_now(procs: list[mp.Process], database: str) -> tuple[float | None, ...]:
    """CPU seconds so far: the workers, the database's backends, this process (the fake Slack), the machine."""
    workers = [process_cpu(p.pid) for p in procs]
    backends = backend_cpu(database)
    return (None if None in workers else sum(workers), sum(backends.values()) if backends else None,
            time.process_time(), machine_busy())


def _where_cpu_went(used: list[float | None], seconds: float) -> str:
    """Where the cores went from 09:00 to the last post (of the machine's cores times the seconds)."""
    workers, database, fake, machine = used
    text = (f"CPU from 09:00 to the last post, of {os.cpu_count()} cores x {seconds:.1f} s: workers "
            f"{'?' if workers is None else f'{workers:.1f} s'}, PostgreSQL {'?' if database is None else f'{database:.1f} s'}, "
            f"the fake Slack {fake:.1f} s")
    if None not in used:
        text += f", the rest of the machine (the kernel's work for them included) {max(machine - workers - database - fake, 0):.1f} s"
    return text


async def run(groups: int = 10_000, workers: int = 2, latency: float = 0.05, rate: int = 500) -> None:
    import asyncpg

    from tests.e2e.fakes.slack_fake import FakeSlack

    name = f"studybot_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="test")
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = PG.format(name=name)
    fake = FakeSlack(bot_token=TOKEN)
    await fake.start()
    procs: list[mp.Process] = []
    try:
        await _seed(url, groups)
        for i in range(groups):
            fake.add_channel(f"C{i:06d}", f"study-{i}")
        fake.faults.add("POST", RateLimit(rate), status=429, headers={"Retry-After": "1"}, times=None)
        fake.faults.add("POST", lambda _path: True, kind="slow", delay=latency, times=None)

        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
        ctx = mp.get_context("spawn")
        offset, stop, cpu = ctx.Value("d", 0.0), ctx.Event(), ctx.Value("d", 0.0)
        nine = time.time() + 8  # the workers start (and idle) before their clocks reach 09:00
        procs = [ctx.Process(target=_worker, args=(url, fake.base_url, nine, offset, stop, cpu)) for _ in range(workers)]
        for p in procs:
            p.start()
        await asyncio.sleep(nine - time.time())
        start = time.monotonic()
        cpu_at_nine = _cpu_now(procs, name)
        if fake.posts():
            raise SystemExit("a worker posted before 09:00")

        def posted() -> int:
            return sum(1 for m in fake.messages.values() if m.metadata)

        last_post = await _wait("the posts", lambda: posted() >= groups, 600)
        used = [after - before if None not in (before, after) else None
                for before, after in zip(cpu_at_nine, _cpu_now(procs, name), strict=True)]
        limited = sum(1 for c in fake.calls_to("chat.postMessage") if c.error == "ratelimited")
        print(f"posts: {groups} groups due at 09:00, {workers} worker processes on PostgreSQL, "
              f"{latency * 1000:.0f} ms per call, {rate} calls/s allowed")
        print(f"  09:00 -> last post: {last_post - start:.1f} s "
              f"({groups / (last_post - start):.0f} posts/s; {limited} answered 429 and were retried)")
        print(f"  {_where_cpu_went(used, last_post - start)}")

        # jump the workers' clocks to 10:00, when every quiz closes
        close_start = time.monotonic()
        offset.value = 3600 - (close_start - start)

        def edited() -> int:
            return sum(1 for m in fake.messages.values() if m.metadata and m.updates)

        last_edit = await _wait("the results edits", lambda: edited() >= groups, 600)
        print(f"  10:00 -> last results edit: {last_edit - close_start:.1f} s")

        stop.set()
        for p in procs:
            p.join(30)
        print(f"  the workers' CPU: {cpu.value:.1f} s in all, {cpu.value / groups * 1000:.1f} ms per group "
              "(start-up, posting and closing)")
        per_channel = Counter(m.channel for m in fake.messages.values() if m.metadata)
        doubles = sum(n - 1 for n in per_channel.values() if n > 1)
        edits = Counter(len(m.updates) for m in fake.messages.values() if m.metadata)
        sends = sum(1 for c in fake.calls_to("chat.postMessage") if c.ok)
        print(f"  posts: {len(per_channel)} channels posted, {doubles} doubles, {sends} successful sends; "
              f"edits per post: {dict(edits)}")
        ok = len(per_channel) == groups and doubles == 0 and edits == Counter({1: groups})
        print(f"  check: {'every post sent once, every close edited once' if ok else 'FAILED'}")
        if not ok:
            raise SystemExit(1)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        await fake.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(run(groups=int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
