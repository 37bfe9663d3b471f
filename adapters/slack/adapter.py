"""``SlackAdapter``: runs the Bolt app in Socket Mode or as an HTTP app, and posts for the core."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.config import Settings
from bot.store.db import sessionmaker
from bot.store.receipts import Receipts

from .app import EVENTS_PATH, PLATFORM, SlackBot
from .auth import FixedAuthorize
from .client import check_token, make_client
from .poster import SlackPoster
from .webapp import events_handler

log = logging.getLogger(__name__)

#: How long shutdown waits for acknowledged work (well inside a host's 30 s stop timeout).
DRAIN_SECONDS = 10.0


class SlackAdapter:
    """Slack for StudyBot.

    Socket Mode when ``settings.slack_app_token`` is set and ``http`` is False (no public URL
    needed); otherwise an HTTP app on ``port`` (default ``settings.port``) that serves Slack's
    slash command, interactivity and event requests on ``/slack/events`` with request-signature
    verification on, plus ``GET /healthz``.

    ``base_url`` points the Web API client elsewhere (tests); ``host`` defaults to all interfaces;
    ``clock`` (monotonic seconds) times the admin-flag cache of ``admin_ttl`` seconds.
    ``ready`` is set once the app is connected (Socket Mode) or listening (HTTP; ``port`` then
    holds the bound port, useful with ``port=0``).
    """

    platform = PLATFORM

    def __init__(
        self,
        settings: Settings,
        http: bool = False,
        *,
        base_url: str | None = None,
        port: int | None = None,
        host: str = "0.0.0.0",
        path: str = EVENTS_PATH,
        admin_ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.http = http or settings.slack_app_token is None
        self.base_url = base_url
        self.port = settings.port if port is None else port
        self.host = host
        self.path = path
        self.admin_ttl = admin_ttl
        self.clock = clock
        self.ready = asyncio.Event()
        self.bot: SlackBot | None = None
        self.poster: SlackPoster | None = None

    @property
    def mode(self) -> str:
        return "http" if self.http else "socket"

    @property
    def url(self) -> str:
        """Where the HTTP app listens (for tests and logs)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}{self.path}"

    def problem(self) -> str | None:
        """What is missing from the settings for this mode (None when ready to run)."""
        if self.settings.slack_bot_token is None:
            return "Slack needs SLACK_BOT_TOKEN"
        if self.http and self.settings.slack_signing_secret is None:
            return "Slack's HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)"
        return None

    async def run(self, service: Any) -> None:
        """Check the token, attach as the service's Slack poster and serve until cancelled.
        Raises ValueError at once when the settings lack a token this mode needs, and
        TokenRejected when Slack refuses the bot token (the message never holds a secret)."""
        if (problem := self.problem()) is not None:
            raise ValueError(problem)
        assert self.settings.slack_bot_token is not None
        token = self.settings.slack_bot_token.reveal()
        # one connection pool for every Web API call and response_url post
        session = aiohttp.ClientSession()
        try:
            client = make_client(token, self.base_url, session)
            identity = await check_token(client)
            log.info("Slack token checked: bot %s in workspace %s", identity.user_id, identity.team_id)
            secret = self.settings.slack_signing_secret.reveal() if self.settings.slack_signing_secret else None
            self.bot = SlackBot(
                service, client=make_client(None, self.base_url, session), signing_secret=secret,
                authorize=FixedAuthorize(identity, token), admin_ttl=self.admin_ttl, clock=self.clock,
            )
            self.poster = SlackPoster(client)
            service.attach(self.platform, self.poster)
            try:
                if self.http:
                    await self._serve_http(Receipts(sessionmaker(service.engine)), secret or "")
                else:
                    await self._serve_socket()
            finally:
                await self._drain()
        finally:
            await session.close()

    async def _drain(self) -> None:
        """Let acknowledged work finish (answers committed, replies sent), within a bound."""
        if self.bot is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.bot.tracker.idle()), DRAIN_SECONDS)
        except asyncio.TimeoutError:
            log.warning("Slack: acknowledged work still running after %.0f s; stopping anyway", DRAIN_SECONDS)

    async def _serve_http(self, receipts: Receipts, secret: str) -> None:
        assert self.bot is not None

        async def health(_: web.Request) -> web.Response:
            return web.Response(text="ok")

        web_app = web.Application()
        web_app.router.add_post(self.path, events_handler(self.bot.app, secret, receipts))
        web_app.router.add_get("/healthz", health)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            if runner.addresses:  # the bound port, when asked for port 0
                self.port = runner.addresses[0][1]
            log.info("Slack HTTP app listening on %s:%s%s", self.host, self.port, self.path)
            self.ready.set()
            await asyncio.Event().wait()
        finally:
            self.ready.clear()
            await runner.cleanup()

    async def _serve_socket(self) -> None:
        assert self.bot is not None and self.settings.slack_app_token is not None
        handler = AsyncSocketModeHandler(self.bot.app, app_token=self.settings.slack_app_token.reveal())
        try:
            await handler.connect_async()
            log.info("Slack Socket Mode connected")
            self.ready.set()
            await asyncio.Event().wait()
        finally:
            self.ready.clear()
            await handler.close_async()
