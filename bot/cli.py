"""The `studybot` command: run the bot, chat in the terminal, check content, upgrade the database."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from bot.config import Settings

log = logging.getLogger("studybot")

T = TypeVar("T")
#: Young objects collected every 100,000 net allocations instead of CPython's 700 (see settle_heap).
GC_THRESHOLDS = (100_000, 20, 10)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (pyproject installs it wherever it runs), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """Run the server's coroutine on the event loop of :func:`loop_factory`."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)


def settle_heap() -> None:
    """Once startup is done: what it loaded (modules, the content pack) stays for the process's
    life, so it is frozen out of every later collection, and young objects are collected less
    often. With CPython's defaults a burst of 1,000 Slack clicks met 3-4 full collections of up
    to 0.25-0.5 s each (bench/slack_burst.py). Such a burst keeps some 150 containers per click
    alive until its result is sent; every 20,000 it met 8-9 young collections of 20-30 ms each
    (about a fifth of the bot's CPU for the burst), every 100,000 one of about 50 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="studybot",
        description="StudyBot: daily DP-100 objectives, quizzes and leaderboards for study groups "
        "on Discord, Slack and the terminal.",
        epilog="Settings come from the environment: DISCORD_TOKEN, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, "
        "SLACK_APP_TOKEN, DATABASE_URL or STUDYBOT_DB, STUDYBOT_CONTENT, PORT, STUDYBOT_LOG_LEVEL.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run every platform whose tokens are set; the terminal chat when none are",
                         description="Start Discord when DISCORD_TOKEN is set and Slack when its tokens are set "
                         "(one process, one store); with no tokens, start the terminal chat.")
    run.add_argument("--slack-http", action="store_true",
                     help="serve Slack over HTTP on $PORT even when SLACK_APP_TOKEN is set (Socket Mode otherwise)")
    run.add_argument("--guild", type=int, metavar="ID",
                     help="sync Discord slash commands to this one server, instantly (default: DISCORD_GUILD_ID, "
                     "else globally)")
    run.set_defaults(func=_run)

    chat = sub.add_parser("chat", help="study in the terminal (commands typed or piped in)",
                          description="The terminal chat, whatever tokens are set. Reads commands from a pipe too.")
    chat.set_defaults(func=_chat)

    content = sub.add_parser("content", help="work with content packs").add_subparsers(dest="action", metavar="ACTION")
    check = content.add_parser("check", help="validate a content pack and print its coverage",
                               description="Report every problem with file, line and what is wrong; exit 1 on problems.")
    check.add_argument("path", nargs="?", type=Path, help="the pack folder (default: the bundled DP-100 pack)")
    check.add_argument("--quiet", action="store_true", help="print problems only, no coverage table")
    check.set_defaults(func=_content_check)
    report = content.add_parser(
        "report", help="question health from real answers, and members' reports",
        description="Per question: answers, share correct, most-chosen wrong option, discrimination index "
        "and members' reports, with the file and line of each question. Exit 1 when any question is flagged "
        "(20+ answers, and a wrong option beats the key or the discrimination is below 0), so CI can gate on it.")
    report.add_argument("--db", metavar="URL", help="the store to read (default: DATABASE_URL / STUDYBOT_DB)")
    report.set_defaults(func=_content_report)

    db = sub.add_parser("db", help="manage the score store").add_subparsers(dest="action", metavar="ACTION")
    upgrade = db.add_parser("upgrade", help="migrate the database to this version's schema",
                            description="Apply Alembic migrations to DATABASE_URL / STUDYBOT_DB.")
    upgrade.set_defaults(func=_db_upgrade)

    discord = sub.add_parser("discord", help="Discord helpers").add_subparsers(dest="action", metavar="ACTION")
    invite = discord.add_parser("invite-url", help="print the OAuth2 URL that adds the bot to a server",
                                description="The invite URL with the scopes and permissions StudyBot needs.")
    invite.add_argument("--client-id", type=int, help="the application id (default: asked from Discord with DISCORD_TOKEN)")
    invite.set_defaults(func=_discord_invite)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        settings = Settings.from_env()
    except ValueError as e:  # a setting that cannot work (e.g. DISCORD_SHARDS outside the count)
        print(f"studybot: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=getattr(logging, settings.log_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return args.func(args, settings) or 0
    except KeyboardInterrupt:
        return 130


def _content_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.check import check

    return check(args.path or settings.content_path, quiet=args.quiet, out=sys.stdout)


def _content_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.health_report import report
    from bot.content.pack import ContentError
    from bot.store.db import SchemaBehind

    try:
        return asyncio.run(report(settings.content_path, args.db or settings.database_url, sys.stdout))
    except (ContentError, SchemaBehind) as e:
        print(f"studybot: {e}", file=sys.stderr)
        return 2


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.db import make_engine, upgrade

    async def go() -> tuple[str | None, str | None]:
        engine = make_engine(settings.database_url)
        try:
            return await upgrade(engine)
        finally:
            await engine.dispose()

    before, after = asyncio.run(go())
    print(f"database schema: {before or 'new'} -> {after}" if before != after else f"database schema is current ({after})")
    return 0


def _discord_invite(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.discord.invite import application_id, invite_url

    client_id = args.client_id
    if client_id is None:
        if settings.discord_token is None:
            print("Give --client-id (the application id from the Developer Portal) or set DISCORD_TOKEN.", file=sys.stderr)
            return 2
        try:
            client_id = asyncio.run(application_id(settings.discord_token))
        except ValueError as e:  # Discord refused the token; the message never contains it
            print(f"studybot: {e}", file=sys.stderr)
            return 1
    print(invite_url(client_id))
    return 0


def _adapters(settings: Settings, slack_http: bool) -> list:
    adapters = []
    if settings.wants_discord:
        from adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(settings))
    if settings.wants_slack:
        from adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(settings, http=slack_http or settings.slack_app_token is None))
    elif settings.slack_oauth:
        log.warning("SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are set but SLACK_SIGNING_SECRET "
                    "is not: Slack stays off")
    elif settings.slack_bot_token is not None:
        log.warning("SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET "
                    "(HTTP mode) is: Slack stays off")
    return adapters


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.guild is not None:
        settings = dataclasses.replace(settings, discord_guild=args.guild)
    adapters = _adapters(settings, args.slack_http)
    if not adapters:
        log.info("no platform tokens set: starting the terminal chat")
        return _chat(args, settings)
    return run_loop(serve(settings, adapters, until_first_exits=False))


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.terminal import TerminalAdapter

    return run_loop(serve(settings, [TerminalAdapter(settings)], until_first_exits=True))


async def serve(settings: Settings, adapters: list, *, until_first_exits: bool) -> int:
    """Run ``adapters`` on one StudyService with the scheduler until they stop, one fails, or
    SIGTERM/SIGINT arrives; then stop without losing acknowledged work (:mod:`bot.shutdown`)."""
    from bot.content.pack import ContentError
    from bot.schedule.loop import run_scheduler
    from bot.service import StudyService
    from bot.store.db import SchemaBehind

    try:
        service = await StudyService.open(settings)
    except ContentError as e:
        print(f"StudyBot cannot start: {e}", file=sys.stderr)
        return 1
    except SchemaBehind as e:
        print(f"StudyBot cannot start: {e}", file=sys.stderr)
        return 1
    from bot import shutdown

    settle_heap()
    tasks = [asyncio.create_task(a.run(service), name=f"adapter-{a.platform}") for a in adapters]
    scheduler = asyncio.create_task(run_scheduler(service), name="scheduler")
    signalled = shutdown.stop_signal(asyncio.get_running_loop())
    rc = 0
    try:
        running = set(tasks)
        while running and not signalled.done():
            done, running = await asyncio.wait(running | {signalled}, return_when=asyncio.FIRST_COMPLETED)
            running.discard(signalled)
            failed = [t for t in done if t is not signalled and t.exception() is not None]
            for task in failed:
                error = task.exception()
                if until_first_exits:  # the chat: say it on the terminal too
                    log.error("%s stopped: %s", task.get_name(), error, exc_info=error)
                    print(f"StudyBot stopped on an error: {type(error).__name__}: {error}", file=sys.stderr)
                else:
                    log.error("adapter %s stopped: %s", task.get_name(), error)
            if failed:
                rc = 1
                break
            if until_first_exits and done - {signalled}:
                break
    finally:
        why = signalled.result() if signalled.done() else None  # None: the chat ended, or an adapter failed
        signalled.cancel()
        if not await shutdown.stop(service.desk, tasks, scheduler, why) and rc == 0:
            rc = 1
        await service.close()
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
