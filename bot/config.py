"""Settings from the environment. Secrets are wrapped so they never print."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONTENT = Path(__file__).resolve().parent.parent / "content" / "dp100"


class Secret(str):
    """A string that hides itself from repr/str formatting in logs and errors."""

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def reveal(self) -> str:
        return str.__str__(self)


def _secret(env: dict[str, str], name: str) -> Secret | None:
    value = env.get(name, "").strip()
    return Secret(value) if value else None


def default_sqlite_path() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "studybot" / "studybot.db"


def database_url_from(env: dict[str, str]) -> str:
    """``DATABASE_URL`` (any SQLAlchemy URL; Heroku's postgres:// is accepted), else the
    SQLite file at ``STUDYBOT_DB``, else a file under the user's data directory."""
    url = env.get("DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+asyncpg://" + url[len("postgresql://"):]
        if url.startswith("sqlite:///") and "+aiosqlite" not in url:
            url = "sqlite+aiosqlite:///" + url[len("sqlite:///"):]
        return url
    path = Path(env.get("STUDYBOT_DB", "").strip() or default_sqlite_path()).expanduser()
    return f"sqlite+aiosqlite:///{path}"


def parse_shards(text: str, count: int) -> tuple[int, ...]:
    """``DISCORD_SHARDS``: shard ids and ranges, e.g. ``0-3`` or ``0,2,4-5``, each below ``count``."""
    shards: set[int] = set()
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"DISCORD_SHARDS: {part!r} is not a shard number or a range like 0-3")
        first, last = int(low), int(high) if dash else int(low)
        if first > last or last >= count:
            raise ValueError(f"DISCORD_SHARDS: {part!r} is not within 0-{count - 1} (DISCORD_SHARD_COUNT={count})")
        shards.update(range(first, last + 1))
    return tuple(sorted(shards))


def shard_settings(count_text: str, shards_text: str) -> dict[str, object]:
    """The shard fields of :class:`Settings` from ``DISCORD_SHARD_COUNT`` and ``DISCORD_SHARDS``
    (every shard when only the count is set); a clear ValueError for anything else."""
    count_text, shards_text = count_text.strip(), shards_text.strip()
    if not count_text:
        if shards_text:
            raise ValueError("DISCORD_SHARDS needs DISCORD_SHARD_COUNT (the number of shards in all)")
        return {}
    if not count_text.isdigit() or int(count_text) < 1:
        raise ValueError(f"DISCORD_SHARD_COUNT must be a whole number of at least 1, not {count_text!r}")
    count = int(count_text)
    shards = parse_shards(shards_text, count) if shards_text else tuple(range(count))
    return {"discord_shard_count": count, "discord_shards": shards}


@dataclass(frozen=True)
class Settings:
    database_url: str
    content_path: Path = DEFAULT_CONTENT
    discord_token: Secret | None = field(default=None, repr=False)
    discord_guild: int | None = None  # sync commands to one test server instantly
    #: Discord sharding: how many shards the bot has in all, and which of them this process
    #: serves (None: discord.py's plain one-connection client)
    discord_shard_count: int | None = None
    discord_shards: tuple[int, ...] | None = None
    slack_bot_token: Secret | None = field(default=None, repr=False)
    slack_signing_secret: Secret | None = field(default=None, repr=False)
    slack_app_token: Secret | None = field(default=None, repr=False)
    # "Add to Slack" (many workspaces): all three set switches the Slack adapter to OAuth mode
    slack_client_id: str | None = None
    slack_client_secret: Secret | None = field(default=None, repr=False)
    slack_state_secret: Secret | None = field(default=None, repr=False)
    port: int = 3000
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        guild = env.get("DISCORD_GUILD_ID", "").strip()
        return cls(
            database_url=database_url_from(env),
            content_path=Path(env.get("STUDYBOT_CONTENT", "").strip() or DEFAULT_CONTENT),
            discord_token=_secret(env, "DISCORD_TOKEN"),
            discord_guild=int(guild) if guild.isdigit() else None,
            **shard_settings(env.get("DISCORD_SHARD_COUNT", ""), env.get("DISCORD_SHARDS", "")),
            slack_bot_token=_secret(env, "SLACK_BOT_TOKEN"),
            slack_signing_secret=_secret(env, "SLACK_SIGNING_SECRET"),
            slack_app_token=_secret(env, "SLACK_APP_TOKEN"),
            slack_client_id=env.get("SLACK_CLIENT_ID", "").strip() or None,
            slack_client_secret=_secret(env, "SLACK_CLIENT_SECRET"),
            slack_state_secret=_secret(env, "SLACK_STATE_SECRET"),
            port=int(env.get("PORT", "3000") or 3000),
            log_level=env.get("STUDYBOT_LOG_LEVEL", "INFO").upper(),
        )

    @property
    def wants_discord(self) -> bool:
        return self.discord_token is not None

    @property
    def slack_oauth(self) -> bool:
        """Whether "Add to Slack" is configured (SLACK_CLIENT_ID, _SECRET and SLACK_STATE_SECRET)."""
        return None not in (self.slack_client_id, self.slack_client_secret, self.slack_state_secret)

    @property
    def wants_slack(self) -> bool:
        if self.slack_oauth:
            return self.slack_signing_secret is not None
        return self.slack_bot_token is not None and (
            self.slack_app_token is not None or self.slack_signing_secret is not None
        )
