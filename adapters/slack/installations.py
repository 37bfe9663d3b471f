"""slack_sdk's installation and OAuth state stores over StudyBot's own database (no second one).

One installation per workspace, or one for a whole Enterprise Grid org installed org-wide (the
bot token; StudyBot asks for bot scopes only). Requests are authorized from it without an
``auth.test`` call (:class:`StoreAuthorize`), and the scheduler's posts for a group use its
workspace's token (:meth:`SqlInstallationStore.token_for`).

Groups are keyed by workspace (team id) in every mode, as Slack's payloads name it, so a
workspace keeps its groups whether it is served by its own install or by its org's. The org's
token is found for a workspace through ``slack_org_teams``, filled from the org-wide requests
each workspace sends; the same rows tell which groups an org-wide uninstall pauses and an org
re-install resumes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from logging import Logger

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import OAuthState, SlackInstallation, SlackOrgTeam
from bot.store.upsert import insert_for

log = logging.getLogger(__name__)
UTC = timezone.utc


def workspace_key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> str:
    if is_enterprise_install or not team_id:
        return f"E:{enterprise_id or ''}"
    return team_id


def _when(value: float | datetime | str | None) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    return datetime.now(UTC)


class SqlInstallationStore(AsyncInstallationStore):
    """Installations in the ``slack_installations`` table. ``on_saved(workspace)`` runs after an
    install for each workspace it serves (StudyBot resumes the groups an uninstall paused)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], client_id: str,
        on_saved: Callable[[str], Awaitable[None]] | None = None, cache_seconds: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.client_id = client_id
        self.on_saved = on_saved
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Bot | None]] = {}
        self._orgs: dict[str, str] = {}  # team id -> enterprise id, for workspaces of org-wide installs

    @property
    def logger(self) -> Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        if not installation.bot_token:
            raise ValueError("StudyBot needs a bot token: install with bot scopes")
        key = workspace_key(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
        row = dict(
            workspace=key, enterprise_id=installation.enterprise_id, team_id=installation.team_id,
            team_name=installation.team_name, is_enterprise_install=bool(installation.is_enterprise_install),
            app_id=installation.app_id, bot_token=installation.bot_token, bot_id=installation.bot_id,
            bot_user_id=installation.bot_user_id, bot_scopes=",".join(installation.bot_scopes or []),
            installer_user_id=installation.user_id, installed_at=_when(installation.installed_at),
        )
        async with self.sessions() as session, session.begin():
            ins = insert_for(session, SlackInstallation).values(**row)
            await session.execute(ins.on_conflict_do_update(
                index_elements=["workspace"], set_={k: v for k, v in row.items() if k != "workspace"}))
        self._cache.pop(key, None)
        log.info("Slack app installed in %s (%s)", key, installation.team_name or installation.enterprise_name or "")
        if self.on_saved is not None:
            for team in await self._served(installation.enterprise_id, key):
                await self.on_saved(team)

    async def async_save_bot(self, bot: Bot) -> None:
        raise NotImplementedError("installations are saved whole (async_save)")

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        key = workspace_key(enterprise_id, team_id, is_enterprise_install)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        async with self.sessions() as session:
            row = await session.get(SlackInstallation, key)
        bot = None if row is None else Bot(
            app_id=row.app_id, enterprise_id=row.enterprise_id, team_id=row.team_id, team_name=row.team_name,
            bot_token=row.bot_token, bot_id=row.bot_id or "", bot_user_id=row.bot_user_id or "",
            bot_scopes=row.bot_scopes, is_enterprise_install=row.is_enterprise_install,
            installed_at=row.installed_at,
        )
        self._cache[key] = (time.monotonic() + self.cache_seconds, bot)
        return bot

    async def async_find_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = await self.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install)
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id, enterprise_id=bot.enterprise_id, team_id=bot.team_id, team_name=bot.team_name,
            bot_token=bot.bot_token, bot_id=bot.bot_id, bot_user_id=bot.bot_user_id, bot_scopes=bot.bot_scopes,
            user_id=user_id or "", is_enterprise_install=bot.is_enterprise_install, installed_at=bot.installed_at,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        key = workspace_key(enterprise_id, team_id, team_id is None)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(SlackInstallation).where(SlackInstallation.workspace == key))
        self._cache.pop(key, None)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:  # the workspace's installation (user-token-only revocations keep it)
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def token_for(self, workspace: str) -> str | None:
        """The bot token of ``workspace`` (a team id): its own install's, else its org's org-wide
        install's; None when neither is there."""
        bot = await self.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None and (enterprise := await self._org_of(workspace)) is not None:
            bot = await self.async_find_bot(enterprise_id=enterprise, team_id=None, is_enterprise_install=True)
        return bot.bot_token if bot else None

    async def remember_org_team(self, enterprise_id: str, team_id: str) -> None:
        """``team_id`` is served by the org-wide install of ``enterprise_id`` (one write per
        workspace and process)."""
        if self._orgs.get(team_id) == enterprise_id:
            return
        async with self.sessions() as session, session.begin():
            ins = insert_for(session, SlackOrgTeam).values(team_id=team_id, enterprise_id=enterprise_id)
            await session.execute(ins.on_conflict_do_update(
                index_elements=["team_id"], set_={"enterprise_id": enterprise_id}))
        self._orgs[team_id] = enterprise_id

    async def remove(self, *, enterprise_id: str | None, team_id: str | None, org_wide: bool) -> list[str]:
        """Forget an installation Slack revoked (a workspace's, or with ``org_wide`` the org's);
        returns the workspaces it served, whose groups should pause. An org's workspace list is
        kept, so installing again resumes them."""
        key = workspace_key(enterprise_id, team_id, org_wide)
        teams = await self._served(enterprise_id, key)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(SlackInstallation).where(SlackInstallation.workspace == key))
        self._cache.pop(key, None)
        return teams

    async def _served(self, enterprise_id: str | None, key: str) -> list[str]:
        """The workspaces the installation ``key`` serves: its own, or for an org-wide one the
        org's workspaces it has served so far."""
        if not key.startswith("E:"):
            return [key]
        async with self.sessions() as session:
            return list(await session.scalars(
                select(SlackOrgTeam.team_id).where(SlackOrgTeam.enterprise_id == (enterprise_id or ""))
                .order_by(SlackOrgTeam.team_id)))

    async def _org_of(self, team_id: str) -> str | None:
        if (known := self._orgs.get(team_id)) is not None:
            return known
        async with self.sessions() as session:
            row = await session.get(SlackOrgTeam, team_id)
        if row is not None:
            self._orgs[team_id] = row.enterprise_id
        return row.enterprise_id if row else None


class SqlOAuthStateStore(AsyncOAuthStateStore):
    """OAuth states in the ``oauth_states`` table, each signed with SLACK_STATE_SECRET (a forged
    state is refused without a database read) and consumed once, within ``expiration_seconds``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], secret: str, expiration_seconds: int = 600) -> None:
        self.sessions = sessions
        self.secret = secret.encode()
        self.expiration = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> Logger:
        return log

    def _sign(self, nonce: str) -> str:
        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        nonce = secrets.token_urlsafe(24)
        state = f"{nonce}.{self._sign(nonce)}"
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
            session.add(OAuthState(state=state, expires_at=now + self.expiration))
        return state

    async def async_consume(self, state: str) -> bool:
        nonce, _, mac = state.partition(".")
        if not mac or not hmac.compare_digest(mac, self._sign(nonce)):
            log.warning("Refused an OAuth state that StudyBot did not sign")
            return False
        async with self.sessions() as session, session.begin():
            # one statement: of two workers consuming the same state at once, one gets it back
            expires_at = await session.scalar(delete(OAuthState).where(OAuthState.state == state)
                                              .returning(OAuthState.expires_at))
        return expires_at is not None and expires_at > datetime.now(UTC)


class StoreAuthorize(AsyncAuthorize):
    """Many-workspace mode: each request gets its own workspace's bot token from the store
    (no ``auth.test`` per request), or its org's for an org-wide install (the workspace is then
    remembered as the org's, for the scheduler's posts); an unknown workspace is not authorized."""

    def __init__(self, store: SqlInstallationStore) -> None:
        self.store = store

    async def __call__(
        self, *, context: AsyncBoltContext, enterprise_id: str | None, team_id: str | None, user_id: str | None,
        actor_enterprise_id: str | None = None, actor_team_id: str | None = None, actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bot = await self.store.async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=context.is_enterprise_install)
        if bot is None:
            return None
        if bot.is_enterprise_install and bot.enterprise_id and team_id:
            await self.store.remember_org_team(bot.enterprise_id, team_id)
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id, team_id=bot.team_id, bot_user_id=bot.bot_user_id, bot_id=bot.bot_id,
            bot_token=bot.bot_token, bot_scopes=bot.bot_scopes, user_id=user_id,
        )
