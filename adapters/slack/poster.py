"""``bot.posting.Poster`` over Slack's Web API: the core's scheduled posts and quiz closes."""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import Place
from bot.replies import Reply

from .render import render

log = logging.getLogger(__name__)


class SlackPoster:
    """Posts with chat.postMessage (returns the message ``ts``) and edits with chat.update.

    The message ref is the ``ts``. If Slack files the post under a different channel id than
    the one asked for (a channel given by name), the ref is ``"<channel id>:<ts>"`` so a later
    chat.update, which needs the id, still finds the message.
    """

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, place: Place, reply: Reply) -> str:
        message = render(reply)
        resp = await self.client.chat_postMessage(
            channel=place.channel, unfurl_links=False, unfurl_media=False, **message.as_kwargs()
        )
        ts = str(resp["ts"])
        channel = resp.get("channel")
        if channel and channel != place.channel:
            return f"{channel}:{ts}"
        return ts

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        channel, _, ts = message_ref.rpartition(":")
        message = render(reply)
        await self.client.chat_update(channel=channel or place.channel, ts=ts, **message.as_kwargs())
