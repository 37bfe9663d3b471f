"""Burst benchmark: N members click the answer buttons of one daily post at once.

Drives the REAL discord.py client (StudyBot's DiscordAdapter) against the local fake Discord
(tests/e2e/fakes/discord_fake.py), in two processes:

* the bot: StudyService on a SQLite file + DiscordAdapter, with discord.py's REST routes and
  gateway pointed at the fake. It is this script re-invoked as ``--serve-bot``; it prints
  ``READY`` once connected, then obeys one command per stdin line (``run_due <ISO time>``:
  set its clock and run the scheduler, answered by ``DONE``; ``cpu``: answered by ``CPU
  <seconds of CPU the process used>``) and shuts down at stdin EOF.
  It logs to stderr, which the parent echoes (prefixed ``[bot]``) and scans for errors;
* this process: the fake (gateway websocket + REST) and the load generator. It sets a group
  up with ``/studybot setup``, has the bot post the daily quiz, then pushes N
  INTERACTION_CREATE events down the gateway as fast as it can, and the fake records when
  each interaction callback and each answer arrives.

Every timestamp is taken by the fake, in this process, on one ``time.perf_counter`` clock.
Prints clicks per second, the p50/p99/max time from INTERACTION_CREATE to the interaction
callback (Discord's 3-second acknowledgement window) and to the member's answer, how many
REST calls the bot made per click and how much CPU it used per click, checks the targets
(1,000 clicks sent within 0.1 s, ack p99 under 500 ms, every answer shown within 1.5 s), then
checks that every click was recorded exactly once: each member's second click says "already
answered", and the results edited into the post at close count N answers. It also fails on
any acknowledgement over 3 s or any error logged by discord.py, and counts the errors logged
by either process.

    python bench/discord_burst.py [--clicks 1000] [--content real|generated] [--in-process]

With ``--in-process`` the bot runs in this process and event loop, as before: the fake's own
work (sending the events, serving the bot's HTTP calls) then competes with the bot for the
loop and is included in its latency, so those numbers are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.discord import DiscordAdapter  # noqa: E402
from adapters.discord.client import ACK_BUDGET  # noqa: E402
from bot.cli import run_loop, settle_heap  # noqa: E402
from bot.config import DEFAULT_CONTENT, Secret, Settings  # noqa: E402
from bot.content.pack import ContentError, load_pack  # noqa: E402
from bot.service import StudyService  # noqa: E402
from tests.e2e.discord.pack import build_pack  # noqa: E402
from tests.e2e.fakes.discord_fake import (  # noqa: E402
    DEFERRED_CHANNEL_MESSAGE,
    FakeDiscord,
    Interaction,
    User,
    buttons,
    redirect_discord_py,
)
from tests.helpers import Clock, stop_serving  # noqa: E402

UTC = timezone.utc
POST_AT = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # 09:00 Europe/Berlin
START_AT = POST_AT - timedelta(hours=2)  # the bot's clock when the group is set up
ACK_WINDOW = 3.0  # Discord's acknowledgement window, seconds
TOKEN_ENV = "DISCORD_TOKEN"  # how the bot process gets the (fake) bot token
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
LOG_LINE = re.compile(r"^(?P<level>[A-Z]+) (?P<name>[\w.]+): (?P<message>.*)$")


@dataclass(frozen=True)
class LoggedError:
    """A log record at ERROR or above, from either process."""

    logger: str
    message: str


class ErrorCounter(logging.Handler):
    """Collects this process's ERROR (and worse) log records."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[LoggedError] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(LoggedError(record.name, record.getMessage()))


def bot_settings(database_url: str, pack: Path, token: str) -> Settings:
    return Settings(database_url=database_url, content_path=pack, discord_token=Secret(token))


# --- the bot, in this process or in its own ---------------------------------------------------


class Bot(Protocol):
    errors: list[LoggedError]  # what the bot logged at ERROR that this process's logging did not see

    async def start(self) -> None: ...

    async def run_due(self, at: datetime) -> None: ...

    async def cpu(self) -> float: ...

    async def stop(self) -> None: ...


class LocalBot:
    """StudyService + DiscordAdapter in the running event loop, discord.py pointed at the fake."""

    def __init__(self, settings: Settings, api_base: str, gateway_url: str, now: datetime) -> None:
        self.settings, self.api_base, self.gateway_url = settings, api_base, gateway_url
        self.clock = Clock(now)
        self.errors: list[LoggedError] = []  # its records reach this process's logging directly
        self._redirect = contextlib.ExitStack()
        self._service: StudyService | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._redirect.enter_context(redirect_discord_py(self.api_base, self.gateway_url))
        self._service = await StudyService.open(self.settings, clock=self.clock)
        adapter = DiscordAdapter(self.settings, guild_ready_timeout=0.05)
        self._task = asyncio.create_task(adapter.run(self._service))
        await adapter.wait_ready(30)

    async def run_due(self, at: datetime) -> None:
        assert self._service is not None
        self.clock.set(at)
        await self._service.run_due(at)

    async def cpu(self) -> float:
        return time.process_time()

    async def stop(self) -> None:
        await stop_serving(self._task, self._service)
        self._task = self._service = None
        self._redirect.close()


class BotProcess:
    """The bot as a child process (this script with ``--serve-bot``), driven over stdin/stdout."""

    def __init__(self, settings: Settings, api_base: str, gateway_url: str, now: datetime) -> None:
        assert settings.discord_token is not None
        self.token = settings.discord_token.reveal()
        self.args = ["--serve-bot", "--database-url", settings.database_url, "--pack", str(settings.content_path),
                     "--api-base", api_base, "--gateway", gateway_url, "--now", now.isoformat()]
        self.errors: list[LoggedError] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._stderr: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, *self.args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, TOKEN_ENV: self.token}, limit=1 << 20,
        )
        self._stderr = asyncio.create_task(self._read_stderr())
        await self._expect("READY", timeout=60)

    async def run_due(self, at: datetime) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(f"run_due {at.isoformat()}\n".encode())
        await self.proc.stdin.drain()
        await self._expect("DONE", timeout=120)

    async def cpu(self) -> float:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(b"cpu\n")
        await self.proc.stdin.drain()
        return float(await self._expect("CPU", timeout=30))

    async def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()  # EOF: the bot disconnects and exits
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._stderr is not None:
            await self._stderr  # every log line, up to the exit, is counted

    async def _expect(self, word: str, *, timeout: float) -> str:
        """The rest of the next line the bot prints, which must start with ``word``."""
        assert self.proc is not None and self.proc.stdout is not None
        line = (await asyncio.wait_for(self.proc.stdout.readline(), timeout)).decode().strip()
        first, _, rest = line.partition(" ")
        if first != word:
            if not line:  # EOF: the process died; let its traceback reach our stderr first
                await asyncio.wait_for(self.proc.wait(), 10)
            raise RuntimeError(f"the bot process said {line!r} instead of {word} (exit code {self.proc.returncode})")
        return rest

    async def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        async for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            print(f"[bot] {line}", file=sys.stderr)
            m = LOG_LINE.match(line)
            if m and m["level"] in ("ERROR", "CRITICAL"):
                self.errors.append(LoggedError(m["name"], m["message"]))


async def serve_bot(database_url: str, pack: Path, api_base: str, gateway_url: str, now: datetime) -> None:
    """The child process: run the bot, obey stdin commands until EOF (see the module docstring)."""
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)  # stderr, read by the parent
    bot = LocalBot(bot_settings(database_url, pack, os.environ[TOKEN_ENV]), api_base, gateway_url, now)
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    try:
        await bot.start()
        settle_heap()  # as `studybot run` does once started
        print("READY", flush=True)
        while line := (await commands.readline()).decode().strip():
            verb, _, arg = line.partition(" ")
            if verb == "cpu":
                print(f"CPU {await bot.cpu()}", flush=True)
                continue
            if verb != "run_due":
                raise ValueError(f"unknown command {line!r}")
            await bot.run_due(datetime.fromisoformat(arg))
            print(f"DONE {line}", flush=True)
    finally:
        await bot.stop()


# --- the burst ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    clicks: int
    recorded: int  # first clicks answered "Correct!" / "Not quite"
    duplicates: int  # second clicks answered "already answered"
    answered: int  # "Answered" on the closed post
    late: int  # acknowledgements after Discord's window

    @property
    def exactly_once(self) -> bool:
        return self.recorded == self.duplicates == self.answered == self.clicks and not self.late


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(values: list[float]) -> str:
    return (f"p50 {statistics.median(values) * 1000:.0f} ms · p99 {pct(values, 99) * 1000:.0f} ms · "
            f"max {max(values) * 1000:.0f} ms")


def choose_pack(content: str, tmp: Path) -> Path:
    if content == "real":
        try:
            load_pack(DEFAULT_CONTENT)
            return DEFAULT_CONTENT
        except ContentError as e:
            print(f"note: the real content pack does not load ({str(e).splitlines()[0]}); using generated questions")
    return build_pack(tmp / "pack")


async def bench(clicks: int, content: str, in_process: bool) -> int:
    counter = ErrorCounter()
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    logging.getLogger().addHandler(counter)

    with tempfile.TemporaryDirectory() as tmp:
        pack = choose_pack(content, Path(tmp))
        async with FakeDiscord() as fake:
            settings = bot_settings(f"sqlite+aiosqlite:///{tmp}/bench.db", pack, fake.token)
            kind = LocalBot if in_process else BotProcess
            bot: Bot = kind(settings, fake.api_base, fake.gateway_url, START_AT)
            try:
                await bot.start()
                print("bot: in this process and event loop, with the fake (pessimistic)" if in_process
                      else "bot: its own process; the fake and the load generator: this one")
                outcome = await burst(fake, bot, clicks)
            finally:
                await bot.stop()

    errors = counter.errors + bot.errors
    discord_errors = [e for e in errors if e.logger.startswith("discord")]
    print(f"second clicks saying 'already answered': {outcome.duplicates}/{clicks}; "
          f"'Answered' on the closed post: {outcome.answered}; acks over {ACK_WINDOW:.0f} s: {outcome.late}; "
          f"errors logged: {len(errors)} (discord.py: {len(discord_errors)})")
    ok = outcome.exactly_once and not discord_errors
    print("OK: every click recorded exactly once" if ok else "FAILED: see the numbers above")
    return 0 if ok else 1


async def burst(fake: FakeDiscord, bot: Bot, clicks: int) -> Outcome:
    study = fake.channel_ids[0]
    admin = fake.user("admin", admin=True)
    setup = await fake.slash(admin, "studybot", {"channel": ("channel", study), "time": "09:00",
                                                 "timezone": "Europe/Berlin"}, sub="setup")
    assert "every day at 09:00" in setup.text(), setup.text()
    await bot.run_due(POST_AT)
    # the daily post: the bot's REST message with answer buttons (not setup's notice)
    (post,) = [m for m in fake.channel_messages(study) if m.get("webhook_id") is None and m["components"]]
    components = buttons(post)
    rng = random.Random(1)
    click: Callable[[User], Interaction]
    if components and components[0]["type"] == 3:  # a "choose N" question: submit the select
        select = components[0]
        values = [o["value"] for o in select["options"]]

        def click(member: User) -> Interaction:
            return fake.click_payload(member, post, select["custom_id"], rng.sample(values, select["min_values"]))
        kind = f"select submissions (choose {select['min_values']})"
    else:
        ids = [b["custom_id"] for b in components]

        def click(member: User) -> Interaction:
            return fake.click_payload(member, post, rng.choice(ids))
        kind = "button clicks"

    members = [fake.user(f"member{i:04d}") for i in range(clicks)]
    first = [click(m) for m in members]

    print(f"sending {clicks} {kind} on one daily post through the fake gateway...")
    cpu_before = await bot.cpu()
    fake_cpu_before = time.process_time()
    start = time.perf_counter()
    for inter in first:
        await fake.send_interaction(inter)
    sent = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(i.done.wait() for i in first)), 120)
    end = time.perf_counter()
    fake_cpu = time.process_time() - fake_cpu_before
    cpu = await bot.cpu() - cpu_before

    acks = [i.callback_at - i.sent_at for i in first if i.callback_at is not None]
    answers = [i.final_at - i.sent_at for i in first if i.final_at is not None]
    deferred = sum(1 for i in first if i.callback_type == DEFERRED_CHANNEL_MESSAGE)
    recorded = sum(1 for i in first if re.search(r"Correct!|Not quite", i.text()))
    print(f"sent in {sent - start:.2f}s ({clicks / (sent - start):.0f}/s); all answered after {end - start:.2f}s")
    print(f"throughput:                {clicks / (end - start):.0f} clicks/s")
    print(f"INTERACTION_CREATE -> callback (ack):  {ms(acks)}")
    print(f"INTERACTION_CREATE -> answer shown:    {ms(answers)}")
    calls = Counter(c.path.split("/")[2] if c.path.startswith("/interactions/") else c.path.split("/")[3]
                    for c in fake.calls if c.path.startswith(("/interactions/", "/webhooks/")))
    rest = [calls[str(i.id)] + calls[i.token] for i in first]
    print(f"acknowledged with a defer first (core slower than {ACK_BUDGET}s from the click): {deferred}; "
          f"answers recorded: {recorded}/{clicks}")
    print(f"REST calls per click: {statistics.mean(rest):.2f} (1: the result is the response; 2: defer + edit); "
          f"bot CPU: {cpu:.2f} s, {cpu / clicks * 1000:.2f} ms per click; the fake's and load generator's "
          f"CPU: {fake_cpu:.2f} s")
    missed = [what for what, ok in (
        (f"sent within 0.1 s (took {sent - start:.2f} s)", sent - start <= 0.1),
        (f"ack p99 under 500 ms (was {pct(acks, 99) * 1000:.0f} ms)", pct(acks, 99) < 0.5),
        (f"every answer shown within 1.5 s (last after {max(answers):.2f} s)", max(answers) <= 1.5),
    ) if not ok]
    print("targets: all met" if not missed else "targets MISSED: " + "; ".join(missed))

    # exactly once: a second click from everyone says "already answered"...
    again = [click(m) for m in members]
    for inter in again:
        await fake.send_interaction(inter)
    await asyncio.wait_for(asyncio.gather(*(i.done.wait() for i in again)), 120)
    duplicates = sum(1 for i in again if "already answered" in i.text())
    # ...and the results edited into the post at close count every member once
    await bot.run_due(POST_AT + timedelta(days=1))
    closed = fake.messages[int(post["id"])]
    fields = {f["name"]: f["value"] for e in closed["embeds"] for f in e.get("fields", [])}
    late = sum(1 for a in acks if a >= ACK_WINDOW) + (clicks - len(acks))  # never acknowledged: late too
    return Outcome(clicks, recorded, duplicates, int(fields.get("Answered", "-1")), late)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--content", choices=("real", "generated"), default="real")
    parser.add_argument("--in-process", action="store_true",
                        help="run the bot in this process and event loop, with the fake (pessimistic)")
    # the bot process (see BotProcess); the token comes in $DISCORD_TOKEN
    parser.add_argument("--serve-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--pack", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--api-base", help=argparse.SUPPRESS)
    parser.add_argument("--gateway", help=argparse.SUPPRESS)
    parser.add_argument("--now", type=datetime.fromisoformat, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bot:
        run_loop(serve_bot(args.database_url, args.pack, args.api_base, args.gateway, args.now))
        return
    sys.exit(asyncio.run(bench(args.clicks, args.content, args.in_process)))


if __name__ == "__main__":
    main()
