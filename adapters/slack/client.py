"""The Web API client StudyBot uses, and the token check at startup.

slack_sdk's default client retries once on a dropped connection, whatever the method: a
chat.postMessage that Slack stored before the connection dropped would be posted twice. Here
connection errors are retried only for calls that are safe to repeat, and a 429 is retried
after its Retry-After when that wait is short (users.info is never retried: the member's reply
must not wait for a name, see ``Directory``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

#: Calls that create something each time they are sent: never re-sent after an unclear outcome.
NOT_IDEMPOTENT = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "oauth.v2.access"})
#: The longest Retry-After the client waits out itself; longer ones go back to the caller.
MAX_RATE_LIMIT_WAIT = 10.0


def api_method(request: HttpRequest) -> str:
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class SafeConnectionRetry(AsyncConnectionErrorRetryHandler):
    """Retries a dropped connection once, only for calls that are safe to send twice."""

    async def _can_retry_async(
        self, *, state: RetryState, request: HttpRequest,
        response: HttpResponse | None = None, error: Exception | None = None,
    ) -> bool:
        if api_method(request) in NOT_IDEMPOTENT:
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class ShortRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Waits out a 429 when Retry-After is short; users.info and long waits are left to the caller."""

    async def _can_retry_async(
        self, *, state: RetryState, request: HttpRequest,
        response: HttpResponse | None = None, error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429 or api_method(request) == "users.info":
            return False
        wait = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        value = wait[0] if isinstance(wait, list) else wait
        try:
            return float(value) <= MAX_RATE_LIMIT_WAIT
        except ValueError:
            return True


def retry_handlers() -> list[AsyncRetryHandler]:
    return [SafeConnectionRetry(max_retry_count=1), ShortRateLimitRetry(max_retry_count=2)]


def make_client(
    token: str | None, base_url: str | None = None, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client with StudyBot's retry rules; pass ``session`` to share one connection pool."""
    kwargs: dict[str, Any] = {"token": token, "session": session, "retry_handlers": retry_handlers(), "timeout": 15}
    if base_url:
        kwargs["base_url"] = base_url if base_url.endswith("/") else base_url + "/"
    return AsyncWebClient(**kwargs)


class TokenRejected(Exception):
    """Slack refused the bot token at startup (the message names the error, never the token)."""


@dataclass(frozen=True)
class BotIdentity:
    """What ``auth.test`` says about the bot token: who and where it is."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    bot_id: str | None


#: auth.test errors that no retry fixes: the token itself is wrong.
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                          "not_allowed_token_type", "missing_scope"})


async def check_token(client: AsyncWebClient, *, attempts: int = 3, backoff: float = 1.0) -> BotIdentity:
    """``auth.test`` once at startup. A refused token raises :class:`TokenRejected` at once;
    transient failures are retried ``attempts`` times, then raised as TokenRejected too."""
    last = ""
    for attempt in range(attempts):
        try:
            resp = await client.auth_test()
            return BotIdentity(
                team_id=str(resp["team_id"]), enterprise_id=resp.get("enterprise_id") or None,
                user_id=str(resp["user_id"]), bot_id=resp.get("bot_id"),
            )
        except SlackApiError as e:
            error = str(e.response.get("error") or e.response.status_code)
            if error in TOKEN_ERRORS:
                raise TokenRejected(
                    f"Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token (xoxb-...) "
                    "from OAuth & Permissions, or reinstall the app"
                ) from None
            last = error
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            last = type(e).__name__
        log.warning("auth.test failed (%s), attempt %d of %d", last, attempt + 1, attempts)
        if attempt + 1 < attempts:
            await asyncio.sleep(backoff * 2**attempt)
    raise TokenRejected(f"could not check SLACK_BOT_TOKEN with Slack's auth.test ({last}); is Slack reachable?")
