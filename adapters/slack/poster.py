"""``bot.posting.Poster`` over Slack's Web API: the core's scheduled posts, quiz closes, setup checks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.commands import Place
from bot.posting import DeliveryError, Problem
from bot.replies import Reply

from .render import render

log = logging.getLogger(__name__)

#: A workspace's bot token, None when the app is not installed there.
TokenFor = Callable[[str], Awaitable[str | None]]

#: The metadata event type that marks StudyBot's posts (found again with conversations.history).
EVENT_TYPE = "studybot_post"
#: How many recent messages :meth:`SlackPoster.find` looks through.
HISTORY = 50
_ERRORS = {
    "not_in_channel": Problem.NOT_IN_CHANNEL,
    "channel_not_found": Problem.NO_CHANNEL,
    "is_archived": Problem.ARCHIVED,
    "message_not_found": Problem.NO_MESSAGE,
    "cant_update_message": Problem.NO_MESSAGE,
    "restricted_action": Problem.MISSING_PERMISSIONS,
    "missing_scope": Problem.MISSING_PERMISSIONS,
    "invalid_auth": Problem.BAD_AUTH,
    "not_authed": Problem.BAD_AUTH,
    "account_inactive": Problem.BAD_AUTH,
    "token_revoked": Problem.BAD_AUTH,
    "token_expired": Problem.BAD_AUTH,
    "ratelimited": Problem.RATE_LIMITED,
    "internal_error": Problem.UNAVAILABLE,
    "fatal_error": Problem.UNAVAILABLE,
    "service_unavailable": Problem.UNAVAILABLE,
    "request_timeout": Problem.UNAVAILABLE,
}


def classify(error: BaseException) -> DeliveryError:
    """A slack_sdk / network failure in the core's terms."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = str(response.get("error") or "") if isinstance(response.data, dict) else ""
        status = response.status_code
        if status == 429 or code == "ratelimited":
            after = response.headers.get("Retry-After") or response.headers.get("retry-after")
            return DeliveryError(Problem.RATE_LIMITED, code or "429", float(after) if after else None)
        if code in _ERRORS:
            return DeliveryError(_ERRORS[code], code)
        if status >= 500:
            return DeliveryError(Problem.UNAVAILABLE, code or str(status))
        return DeliveryError(Problem.REJECTED, code or str(status))
    return DeliveryError.unreachable(error)


async def _call(work: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
    try:
        return await work
    except (SlackApiError, aiohttp.ClientError, OSError, asyncio.TimeoutError) as e:
        raise classify(e) from None


class SlackPoster:
    """Posts with chat.postMessage (returns the message ``ts``) and edits with chat.update.

    The message ref is the ``ts``. If Slack files the post under a different channel id than
    the one asked for (a channel given by name), the ref is ``"<channel id>:<ts>"`` so a later
    chat.update, which needs the id, still finds the message.

    It calls Slack through its own client with no retry handlers: slack_sdk's default
    connection-error retry would send a ``chat.postMessage`` again after a reset that came
    after Slack stored the post. The scheduler retries instead, after :meth:`find` looked for
    the post's key in the channel's history (message metadata; needs ``channels:history``).
    """

    def __init__(self, client: AsyncWebClient, token_for: TokenFor | None = None) -> None:
        self.client = AsyncWebClient(token=client.token, base_url=client.base_url, session=client.session,
                                     timeout=client.timeout, retry_handlers=[])
        self.token_for = token_for

    async def _auth(self, place: Place) -> dict[str, str]:
        """The workspace's own bot token when the app is installed in many ("Add to Slack")."""
        if self.token_for is None:
            return {}
        token = await self.token_for(place.workspace)
        if token is None:  # uninstalled: the workspace's groups are paused until it installs again
            raise DeliveryError(Problem.BAD_AUTH, "app_uninstalled")
        return {"token": token}

    async def post(self, place: Place, reply: Reply, *, key: str | None = None) -> str:
        message = render(reply)
        extra: dict[str, Any] = {}
        if key is not None:
            extra["metadata"] = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}
        resp = await _call(self.client.chat_postMessage(
            channel=place.channel, unfurl_links=False, unfurl_media=False, **message.as_kwargs(), **extra,
            **await self._auth(place),
        ))
        ts = str(resp["ts"])
        channel = resp.get("channel")
        if channel and channel != place.channel:
            return f"{channel}:{ts}"
        return ts

    async def find(self, place: Place, key: str) -> str | None:
        resp = await _call(self.client.conversations_history(
            channel=place.channel, limit=HISTORY, include_all_metadata=True, **await self._auth(place)))
        for message in resp.get("messages") or []:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == EVENT_TYPE and (metadata.get("event_payload") or {}).get("key") == key:
                return str(message["ts"])
        return None

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        channel, _, ts = message_ref.rpartition(":")
        message = render(reply)
        await _call(self.client.chat_update(
            channel=channel or place.channel, ts=ts, **message.as_kwargs(), **await self._auth(place)))

    async def check(self, place: Place, notice: Reply) -> None:
        """Post ``notice``: Slack answers not_in_channel / channel_not_found / is_archived otherwise."""
        await self.post(place, notice)
