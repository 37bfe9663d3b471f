"""Burst benchmark: N members click the answer buttons of one daily post at once.

Drives the REAL discord.py client (StudyBot's DiscordAdapter) against the local fake Discord
(tests/e2e/fakes/discord_fake.py): the fake pushes N INTERACTION_CREATE events down the
gateway websocket as fast as it can, and records when each interaction callback arrives.

Prints clicks per second and the p50/p99/max time from INTERACTION_CREATE to the interaction
callback (Discord's 3-second acknowledgement window) and to the member's answer, then checks
that every click was recorded exactly once: each member's second click says "already
answered", and the results edited into the post at close count N answers.

    /work/venv/bin/python bench/discord_burst.py [--clicks 1000] [--content real|generated]

The fake, the bot and SQLite share one process and one event loop, so the fake's own work
is included in the bot's latency: the numbers are pessimistic.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.discord import DiscordAdapter  # noqa: E402
from adapters.discord.client import ACK_BUDGET  # noqa: E402
from bot.config import DEFAULT_CONTENT, Secret, Settings  # noqa: E402
from bot.content import ContentError, load_pack  # noqa: E402
from bot.service import StudyService  # noqa: E402
from tests.e2e.discord.pack import build_pack  # noqa: E402
from tests.e2e.fakes.discord_fake import DEFERRED_CHANNEL_MESSAGE, FakeDiscord, buttons  # noqa: E402

UTC = timezone.utc
POST_AT = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 Europe/Berlin


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def bench(clicks: int, content: str) -> int:
    errors = ErrorCounter()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().addHandler(errors)

    with tempfile.TemporaryDirectory() as tmp:
        if content == "real":
            try:
                load_pack(DEFAULT_CONTENT)
                pack = DEFAULT_CONTENT
            except ContentError as e:
                print(f"note: the real content pack does not load ({str(e).splitlines()[0]}); using generated questions")
                pack = build_pack(Path(tmp) / "pack")
        else:
            pack = build_pack(Path(tmp) / "pack")

        async with FakeDiscord() as fake:
            with fake.redirect():
                settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp}/bench.db", content_path=pack,
                                    discord_token=Secret(fake.token))
                clock = Clock(POST_AT - timedelta(hours=2))
                service = await StudyService.open(settings, clock=clock)
                adapter = DiscordAdapter(settings, guild_ready_timeout=0.05)
                task = asyncio.create_task(adapter.run(service))
                try:
                    await adapter.wait_ready(30)
                    return await _run(fake, service, clock, clicks, errors)
                finally:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
                    await service.close()


async def _run(fake: FakeDiscord, service: StudyService, clock: Clock, clicks: int, errors: ErrorCounter) -> int:
    study = fake.channel_ids[0]
    admin = fake.user("admin", admin=True)
    setup = await fake.slash(admin, "studybot", {"channel": ("channel", study), "time": "09:00",
                                                 "timezone": "Europe/Berlin"}, sub="setup")
    assert "every day at 09:00" in setup.text(), setup.text()
    clock.now = POST_AT
    await service.run_due(POST_AT)
    (post,) = [m for m in fake.channel_messages(study) if m.get("webhook_id") is None]
    components = buttons(post)
    rng = random.Random(1)
    if components and components[0]["type"] == 3:  # a "choose N" question: submit the select
        select = components[0]
        values = [o["value"] for o in select["options"]]

        def click(member):  # noqa: ANN001, ANN202
            return fake.click_payload(member, post, select["custom_id"], rng.sample(values, select["min_values"]))
        kind = f"select submissions (choose {select['min_values']})"
    else:
        ids = [b["custom_id"] for b in components]

        def click(member):  # noqa: ANN001, ANN202
            return fake.click_payload(member, post, rng.choice(ids))
        kind = "button clicks"

    members = [fake.user(f"member{i:04d}") for i in range(clicks)]
    burst = [click(m) for m in members]

    print(f"sending {clicks} {kind} on one daily post through the fake gateway...")
    start = time.perf_counter()
    for inter in burst:
        await fake.send_interaction(inter)
    sent = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(i.done.wait() for i in burst)), 120)
    end = time.perf_counter()

    acks = [i.callback_at - i.sent_at for i in burst]
    answers = [i.final_at - i.sent_at for i in burst]
    deferred = sum(1 for i in burst if i.callback_type == DEFERRED_CHANNEL_MESSAGE)
    recorded = sum(1 for i in burst if re.search(r"Correct!|Not quite", i.text()))
    print(f"sent in {sent - start:.2f}s ({clicks / (sent - start):.0f}/s); all answered after {end - start:.2f}s")
    print(f"throughput:                {clicks / (end - start):.0f} clicks/s")
    print(f"INTERACTION_CREATE -> callback (ack):  p50 {statistics.median(acks) * 1000:.0f} ms · "
          f"p99 {pct(acks, 99) * 1000:.0f} ms · max {max(acks) * 1000:.0f} ms")
    print(f"INTERACTION_CREATE -> answer shown:    p50 {statistics.median(answers) * 1000:.0f} ms · "
          f"p99 {pct(answers, 99) * 1000:.0f} ms · max {max(answers) * 1000:.0f} ms")
    print(f"acknowledged with a defer first (burst, or core slower than {ACK_BUDGET}s): {deferred}; "
          f"answers recorded: {recorded}/{clicks}")

    # exactly once: a second click from everyone says "already answered"...
    again = [click(m) for m in members]
    for inter in again:
        await fake.send_interaction(inter)
    await asyncio.wait_for(asyncio.gather(*(i.done.wait() for i in again)), 120)
    duplicates = sum(1 for i in again if "already answered" in i.text())
    # ...and the results edited into the post at close count every member once
    clock.now = POST_AT + timedelta(days=1)
    await service.run_due(clock.now)
    closed = fake.messages[int(post["id"])]
    fields = {f["name"]: f["value"] for e in closed["embeds"] for f in e.get("fields", [])}
    answered = int(fields.get("Answered", "-1"))
    late = sum(1 for a in acks if a >= 3.0)
    discord_errors = [r for r in errors.records if r.name.startswith("discord")]
    ok = recorded == clicks and duplicates == clicks and answered == clicks and not late and not discord_errors
    print(f"second clicks saying 'already answered': {duplicates}/{clicks}; "
          f"'Answered' on the closed post: {answered}; acks over 3 s: {late}; "
          f"errors logged: {len(errors.records)} (discord.py: {len(discord_errors)})")
    print("OK: every click recorded exactly once" if ok else "FAILED: see the numbers above")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--content", choices=("real", "generated"), default="real")
    args = parser.parse_args()
    sys.exit(asyncio.run(bench(args.clicks, args.content)))


if __name__ == "__main__":
    main()
