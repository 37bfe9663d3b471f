"""``bot.posting.Poster`` over discord.py: scheduled daily posts and quiz-close edits."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.commands import Place
from bot.replies import Reply

from .render import render

log = logging.getLogger(__name__)

#: How long a post waits for the client to have logged in (the scheduler may tick first).
LOGIN_WAIT = 60.0


class DiscordPoster:
    """Posts to a channel id and edits a message by id through the client's REST session.

    Uses partial channels/messages, so neither needs the channel in the cache nor any
    intent; only the Send Messages / Embed Links / View Channel permissions in that channel.
    """

    def __init__(self, client: discord.Client, logged_in: asyncio.Event | None = None) -> None:
        self.client = client
        self._logged_in = logged_in

    async def _ready(self) -> None:
        if self._logged_in is not None and not self._logged_in.is_set():
            await asyncio.wait_for(self._logged_in.wait(), LOGIN_WAIT)

    def _channel(self, place: Place) -> discord.PartialMessageable:
        guild_id = int(place.workspace) if place.workspace.isdigit() else None
        return self.client.get_partial_messageable(int(place.channel), guild_id=guild_id)

    async def post(self, place: Place, reply: Reply) -> str:
        await self._ready()
        if reply.private:
            log.warning("Discord: a private reply was sent to a channel post; posting it publicly")
        r = render(reply)
        kwargs: dict = {"embeds": r.embeds}
        if r.content:
            kwargs["content"] = r.content
        if r.view is not None:
            kwargs["view"] = r.view
        message = await self._channel(place).send(**kwargs)
        return str(message.id)

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        await self._ready()
        r = render(reply)
        message = self._channel(place).get_partial_message(int(message_ref))
        await message.edit(content=r.content, embeds=r.embeds, view=r.view)
