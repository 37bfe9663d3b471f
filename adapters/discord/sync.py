"""Register the slash commands only when Discord's copy differs from ours.

A bulk overwrite (PUT) on every start counts against Discord's rate limits for command
registration and, for global commands, makes clients refetch them. Instead the commands
Discord has are read (one GET) and compared with what this code would send; the PUT happens
only when they differ (a new option, a changed description, a command added or removed).
No state is kept on our side, so every process and shard decides the same way.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

#: Fields Discord adds to a stored command (or that are derived from others we compare).
_SERVER_ONLY = frozenset({"id", "application_id", "version", "guild_id", "name_localized",
                          "description_localized", "dm_permission"})
#: Fields that we leave to Discord's default when we send null: any stored value then matches.
_SERVER_DEFAULTED = frozenset({"integration_types", "contexts"})


def _empty(value: Any) -> bool:
    return value is None or value is False or value == [] or value == {} or value == ""


def same(local: Any, remote: Any) -> bool:
    """Whether Discord's stored ``remote`` says what our ``local`` payload says.

    Absent, null, false and empty are alike (Discord omits ``required: false`` and empty
    lists); fields only Discord sets are ignored."""
    if isinstance(local, dict):
        if not isinstance(remote, dict):
            return False
        for key, value in local.items():
            if key in _SERVER_ONLY or (value is None and key in _SERVER_DEFAULTED):
                continue
            if not same(value, remote.get(key)):
                return False
        return all(key in local or key in _SERVER_ONLY or key in _SERVER_DEFAULTED or _empty(value)
                   for key, value in remote.items())
    if isinstance(local, list) or isinstance(remote, list):
        local, remote = local or [], remote or []
        return len(local) == len(remote) and all(same(a, b) for a, b in zip(local, remote, strict=True))
    if _empty(local) and _empty(remote):
        return True
    return local == remote


def unchanged(local: list[dict[str, Any]], remote: list[dict[str, Any]]) -> bool:
    """Whether two command lists hold the same commands (in any order)."""
    def key(c: dict[str, Any]) -> tuple[str, int]:
        return str(c.get("name")), int(c.get("type") or 1)

    theirs = {key(c): c for c in remote}
    return len(theirs) == len(remote) == len(local) and all(
        key(c) in theirs and same(c, theirs[key(c)]) for c in local)


async def sync_if_changed(client: discord.Client, tree: app_commands.CommandTree,
                          guild: discord.abc.Snowflake | None) -> bool:
    """PUT the tree's commands for ``guild`` (None: global) unless Discord already has them.
    Returns whether a PUT was made. HTTP errors propagate to the caller."""
    app_id = client.application_id
    assert app_id is not None, "sync after login"
    local = [c.to_dict(tree) for c in tree.get_commands(guild=guild)]
    try:
        if guild is None:
            remote = await client.http.get_global_commands(app_id)
        else:
            remote = await client.http.get_guild_commands(app_id, guild.id)
    except discord.HTTPException as e:
        log.warning("Discord: could not read the registered commands (%s %s); registering them again",
                    e.status, e.text or "")
        remote = None
    if remote is not None and unchanged(local, list(remote)):  # type: ignore[arg-type]
        return False
    await tree.sync(guild=guild)
    return True
