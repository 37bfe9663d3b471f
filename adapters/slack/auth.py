"""Who the bot is in each workspace, without an ``auth.test`` call per request.

Bolt's built-in single-team authorization calls ``auth.test`` on the first request (so a slow
or failing call delays that request's ack past Slack's 3 s and shows members Bolt's "reinstall"
text) and once per concurrent cold request. StudyBot checks the token once at startup instead
(:func:`adapters.slack.client.check_token`) and answers every request from that result.
"""

from __future__ import annotations

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext

from .client import BotIdentity


class FixedAuthorize(AsyncAuthorize):
    """Single-workspace mode: every request uses the one bot token checked at startup."""

    def __init__(self, identity: BotIdentity, token: str) -> None:
        self.identity = identity
        self.token = token

    async def __call__(
        self, *, context: AsyncBoltContext, enterprise_id: str | None, team_id: str | None, user_id: str | None,
        actor_enterprise_id: str | None = None, actor_team_id: str | None = None, actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        return AuthorizeResult(
            enterprise_id=self.identity.enterprise_id, team_id=self.identity.team_id,
            bot_user_id=self.identity.user_id, bot_id=self.identity.bot_id, bot_token=self.token, user_id=user_id,
        )
