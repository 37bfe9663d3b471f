"""``SlackAdapter``: runs the Bolt app in Socket Mode or as an HTTP app, and posts for the core."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.config import Settings

from .app import EVENTS_PATH, PLATFORM, SlackBot, build_app
from .poster import SlackPoster

log = logging.getLogger(__name__)


class SlackAdapter:
    """Slack for StudyBot.

    Socket Mode when ``settings.slack_app_token`` is set and ``http`` is False (no public URL
    needed); otherwise an HTTP app on ``port`` (default ``settings.port``) that serves Slack's
    slash command, interactivity and event requests on ``/slack/events`` with request-signature
    verification on, plus ``GET /healthz``.

    ``base_url`` points the Web API client elsewhere (tests); ``host`` defaults to all interfaces.
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
    ) -> None:
        self.settings = settings
        self.http = http or settings.slack_app_token is None
        self.base_url = base_url
        self.port = settings.port if port is None else port
        self.host = host
        self.path = path
        self.admin_ttl = admin_ttl
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
        """Attach as the service's Slack poster and serve until cancelled.
        Raises ValueError at once when the settings lack a token this mode needs."""
        if (problem := self.problem()) is not None:
            raise ValueError(problem)
        # one connection pool for every Web API call and response_url post
        session = aiohttp.ClientSession()
        try:
            self.bot = build_app(
                service, self.settings, base_url=self.base_url, session=session, admin_ttl=self.admin_ttl
            )
            self.poster = SlackPoster(self.bot.client)
            service.attach(self.platform, self.poster)
            if self.http:
                await self._serve_http()
            else:
                await self._serve_socket()
        finally:
            await session.close()

    async def _serve_http(self) -> None:
        assert self.bot is not None
        app = self.bot.app

        async def handle(request: web.Request) -> web.Response:
            bolt_req = await to_bolt_request(request)
            bolt_resp = await app.async_dispatch(bolt_req)
            return await to_aiohttp_response(bolt_resp)

        async def health(_: web.Request) -> web.Response:
            return web.Response(text="ok")

        web_app = web.Application()
        web_app.router.add_post(self.path, handle)
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
