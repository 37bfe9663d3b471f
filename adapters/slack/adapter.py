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
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.config import Settings
from bot.store.db import sessionmaker
from bot.store.receipts import Receipts

from .app import BOT_SCOPES, EVENTS_PATH, INSTALL_PATH, PLATFORM, REDIRECT_PATH, UNINSTALLED, SlackBot
from .auth import FixedAuthorize
from .client import check_token, make_client
from .installations import SqlInstallationStore, SqlOAuthStateStore, StoreAuthorize
from .poster import SlackPoster
from .webapp import events_handler, oauth_handler

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
        # "Add to Slack" needs the HTTP app: Slack redirects the installing admin's browser to it
        self.http = http or settings.slack_app_token is None or settings.slack_oauth
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
        s = self.settings
        oauth = {"SLACK_CLIENT_ID": s.slack_client_id, "SLACK_CLIENT_SECRET": s.slack_client_secret,
                 "SLACK_STATE_SECRET": s.slack_state_secret}
        if any(oauth.values()):
            missing = [name for name, value in oauth.items() if not value]
            if missing:
                return f"Slack's \"Add to Slack\" mode needs {', '.join(missing)} too"
            if s.slack_signing_secret is None:
                return "Slack's \"Add to Slack\" mode needs SLACK_SIGNING_SECRET"
            return None
        if s.slack_bot_token is None:
            return "Slack needs SLACK_BOT_TOKEN (or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET)"
        if self.http and s.slack_signing_secret is None:
            return "Slack's HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)"
        return None

    async def run(self, service: Any) -> None:
        """Check the token (or open the installation store), attach as the service's Slack poster
        and serve until cancelled. Raises ValueError at once when the settings lack something this
        mode needs, and TokenRejected when Slack refuses the bot token (never with a secret in it)."""
        if (problem := self.problem()) is not None:
            raise ValueError(problem)
        sessions = sessionmaker(service.engine)
        secret = self.settings.slack_signing_secret.reveal() if self.settings.slack_signing_secret else None
        # one connection pool for every Web API call and response_url post
        session = aiohttp.ClientSession()
        try:
            app_client = make_client(None, self.base_url, session)  # each request brings its workspace's token
            if self.settings.slack_oauth:
                store = SqlInstallationStore(
                    sessions, str(self.settings.slack_client_id),
                    on_saved=lambda workspace: service.resume_workspace(PLATFORM, workspace, UNINSTALLED),
                )
                authorize: AsyncAuthorize = StoreAuthorize(store)
                self.poster = SlackPoster(app_client, token_for=store.token_for)
                oauth = self._oauth_settings(store, sessions)
                log.info("Slack: \"Add to Slack\" mode, installations in the database")
            else:
                assert self.settings.slack_bot_token is not None
                token = self.settings.slack_bot_token.reveal()
                client = make_client(token, self.base_url, session)
                identity = await check_token(client)
                log.info("Slack token checked: bot %s in workspace %s", identity.user_id, identity.team_id)
                # a token that works again means the app was installed again: resume what an uninstall paused
                await service.resume_workspace(PLATFORM, identity.team_id, UNINSTALLED)
                authorize, store, oauth = FixedAuthorize(identity, token), None, None
                self.poster = SlackPoster(client)
            self.bot = SlackBot(
                service, client=app_client, signing_secret=secret, authorize=authorize, installations=store,
                oauth_settings=oauth, admin_ttl=self.admin_ttl, clock=self.clock,
            )
            service.attach(self.platform, self.poster)
            try:
                if self.http:
                    await self._serve_http(Receipts(sessions), secret or "")
                else:
                    await self._serve_socket()
            finally:
                await self._drain()
        finally:
            await session.close()

    def _oauth_settings(self, store: SqlInstallationStore, sessions: Any) -> AsyncOAuthSettings:
        assert self.settings.slack_client_secret is not None and self.settings.slack_state_secret is not None
        return AsyncOAuthSettings(
            client_id=str(self.settings.slack_client_id),
            client_secret=self.settings.slack_client_secret.reveal(),
            scopes=list(BOT_SCOPES),
            installation_store=store,
            installation_store_bot_only=True,
            state_store=SqlOAuthStateStore(sessions, self.settings.slack_state_secret.reveal()),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            install_page_rendering_enabled=False,  # /slack/install goes straight to Slack's consent screen
        )

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
        if (flow := self.bot.app.oauth_flow) is not None:
            web_app.router.add_get(flow.install_path, oauth_handler(flow.handle_installation))
            web_app.router.add_get(flow.redirect_uri_path, oauth_handler(flow.handle_callback))
        web_app.router.add_get("/healthz", health)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, backlog=1024)  # room for a burst of new connections
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
