"""``bot.posting.Poster`` over discord.py: scheduled daily posts, quiz-close edits, setup checks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
import discord

from bot.commands import Place
from bot.posting import DeliveryError, Problem
from bot.replies import Reply

from .render import render

log = logging.getLogger(__name__)

#: How long a post waits for the client to have logged in (the scheduler may tick first).
LOGIN_WAIT = 60.0
#: How far back :meth:`DiscordPoster.find` looks for a post in the channel's history.
HISTORY = 50
#: Discord error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes)
_CODES = {
    50001: Problem.NOT_IN_CHANNEL,  # Missing Access
    50013: Problem.MISSING_PERMISSIONS,
    10003: Problem.NO_CHANNEL,  # Unknown Channel
    10008: Problem.NO_MESSAGE,  # Unknown Message
}
T = TypeVar("T")


def classify(error: BaseException) -> DeliveryError:
    """A discord.py / network failure in the core's terms."""
    if isinstance(error, discord.RateLimited):  # longer than the client's max_ratelimit_timeout
        return DeliveryError(Problem.RATE_LIMITED, "429", error.retry_after)
    if isinstance(error, discord.HTTPException):
        detail = f"{error.status} {error.code}" if error.code else str(error.status)
        if error.code in _CODES:
            return DeliveryError(_CODES[error.code], detail)
        if error.status == 401:
            return DeliveryError(Problem.BAD_AUTH, detail)
        if error.status == 403:
            return DeliveryError(Problem.MISSING_PERMISSIONS, detail)
        if error.status == 404:
            return DeliveryError(Problem.NO_CHANNEL, detail)
        if error.status == 429:
            return DeliveryError(Problem.RATE_LIMITED, detail)
        if error.status >= 500:
            return DeliveryError(Problem.UNAVAILABLE, detail)
        return DeliveryError(Problem.REJECTED, detail)
    return DeliveryError.unreachable(error)


async def _call(work: Awaitable[T]) -> T:
    try:
        return await work
    except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError, asyncio.TimeoutError) as e:
        raise classify(e) from None


class DiscordPoster:
    """Posts to a channel id and edits a message by id through the client's REST session.

    Uses partial channels/messages, so neither needs the channel in the cache nor any
    intent, nor a gateway connection: any worker can post for any group. Needs View Channel,
    Send Messages, Embed Links and Read Message History (to find a post whose answer was lost).

    A daily post carries its key as the message nonce with ``enforce_nonce`` (discord.py sets
    it with the nonce): Discord returns the existing message for a repeat within minutes, so
    discord.py's own retries after a 5xx or a reset connection cannot double it. After that
    window :meth:`find` looks in the channel's recent history for the bot's message whose
    buttons carry the key.
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

    async def post(self, place: Place, reply: Reply, *, key: str | None = None) -> str:
        await self._ready()
        if reply.private:
            log.warning("Discord: a private reply was sent to a channel post; posting it publicly")
        r = render(reply)
        kwargs: dict = {"embeds": r.embeds}
        if r.content:
            kwargs["content"] = r.content
        if r.view is not None:
            kwargs["view"] = r.view
        if key is not None:
            kwargs["nonce"] = key[:25]  # Discord's limit; keys are shorter
        message = await _call(self._channel(place).send(**kwargs))
        return str(message.id)

    async def find(self, place: Place, key: str) -> str | None:
        await self._ready()
        me = self.client.user.id if self.client.user else None

        async def look() -> str | None:
            async for message in self._channel(place).history(limit=HISTORY):
                if me is not None and message.author.id != me:
                    continue
                if any(getattr(c, "custom_id", None) and c.custom_id.startswith(key)
                       for row in message.components for c in getattr(row, "children", [row])):
                    return str(message.id)
            return None

        return await _call(look())

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        await self._ready()
        r = render(reply)
        message = self._channel(place).get_partial_message(int(message_ref))
        await _call(message.edit(content=r.content, embeds=r.embeds, view=r.view))

    async def check(self, place: Place, notice: Reply) -> None:
        """Post ``notice`` (proves View Channel, Send Messages, Embed Links) and read the channel's
        history (Read Message History, which finding a lost post needs)."""
        await self.post(place, notice)
        await self.find(place, "\0")
