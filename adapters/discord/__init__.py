"""StudyBot on Discord (discord.py 2.x): slash commands, daily posts with answer buttons.

``DiscordAdapter(settings).run(service)`` logs in (on this process's shards when
``settings.discord_shard_count`` is set), registers the slash commands when Discord's copy
differs (globally, or to ``settings.discord_guild``), registers itself as the service's
Discord poster and serves until cancelled. ``invite_url(client_id)`` is the OAuth2 invite link.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.commands import Place
from bot.config import Settings
from bot.replies import Reply

from .client import ShardedStudyBotClient, StudyBotClient
from .invite import client_id_from_token, invite_url
from .poster import DiscordPoster

if TYPE_CHECKING:
    from bot.service import StudyService

__all__ = ["DiscordAdapter", "StudyBotClient", "invite_url", "client_id_from_token"]

log = logging.getLogger(__name__)
#: How long a stopping adapter waits for interactions in flight (inside the runner's bound).
DRAIN_SECONDS = 9.0


class DiscordAdapter:
    """The Discord adapter (see ``adapters.base.Adapter``); also the platform's ``Poster``."""

    platform = "discord"

    def __init__(self, settings: Settings, *, guild_ready_timeout: float = 2.0) -> None:
        if settings.discord_token is None:
            raise ValueError("DISCORD_TOKEN is not set")
        self.settings = settings
        self.guild_ready_timeout = guild_ready_timeout
        self.client: StudyBotClient | None = None
        self._poster: DiscordPoster | None = None
        self._started = asyncio.Event()

    async def run(self, service: StudyService) -> None:
        """Connect, attach as poster, serve until cancelled; the client is closed on the way out."""
        client = self._client(service)
        self.client = client
        self._poster = DiscordPoster(client, client.logged_in)
        service.attach(self.platform, self)
        self._started.set()
        try:
            # reconnects after gateway drops are discord.py's job (reconnect=True)
            await client.start(self.settings.discord_token.reveal(), reconnect=True)
        finally:
            # stopping: answer what was acknowledged before closing the client that sends it
            await client.drain(DRAIN_SECONDS)
            if not client.is_closed():
                await client.close()
            log.info("Discord: disconnected")

    def _client(self, service: StudyService) -> StudyBotClient:
        """One plain connection by default; with DISCORD_SHARD_COUNT, this process's shards."""
        options = {"sync_guild": self.settings.discord_guild, "guild_ready_timeout": self.guild_ready_timeout}
        count, shards = self.settings.discord_shard_count, self.settings.discord_shards
        if count is None:
            return StudyBotClient(service, **options)
        log.info("Discord: serving shard(s) %s of %d", ",".join(map(str, shards or ())), count)
        return ShardedStudyBotClient(service, shard_ids=list(shards or range(count)), shard_count=count, **options)

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Until the client has connected and received its servers (for runners and tests)."""
        await asyncio.wait_for(self._started.wait(), timeout)
        assert self.client is not None
        await asyncio.wait_for(self.client.wait_until_ready(), timeout)

    # --- bot.posting.Poster ------------------------------------------------------------------

    async def _ready_poster(self) -> DiscordPoster:
        await asyncio.wait_for(self._started.wait(), 60)
        assert self._poster is not None
        return self._poster

    async def post(self, place: Place, reply: Reply, *, key: str | None = None) -> str:
        return await (await self._ready_poster()).post(place, reply, key=key)

    async def find(self, place: Place, key: str) -> str | None:
        return await (await self._ready_poster()).find(place, key)

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        await (await self._ready_poster()).update(place, message_ref, reply)

    async def check(self, place: Place, notice: Reply) -> None:
        await (await self._ready_poster()).check(place, notice)
