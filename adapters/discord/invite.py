"""The OAuth2 URL that adds StudyBot to a server, with exactly what it needs.

Scopes: ``bot`` (a bot user that can post the daily quiz) and ``applications.commands``
(slash commands). Permissions, in the channel it posts to:

- View Channels: to see the study channel at all;
- Send Messages: the daily post;
- Embed Links: the post and replies are embeds with masked links;
- Read Message History: when Discord's answer to a post was lost (a 5xx or a dropped
  connection after Discord stored it, or a restart in between), the bot looks for that post
  in the channel's recent messages before sending it again, so it never posts twice.

Nothing else: editing the bot's own message (closing a quiz) needs no permission, nor does
answering interactions (slash commands, buttons, ephemeral replies use the interaction
webhook), so Manage Messages and the like are not requested.
"""

from __future__ import annotations

import base64
import binascii

import discord

SCOPES = ("bot", "applications.commands")
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)


def invite_url(client_id: int) -> str:
    """``https://discord.com/oauth2/authorize?client_id=…&scope=bot+applications.commands&permissions=84992``"""
    return discord.utils.oauth_url(client_id, permissions=PERMISSIONS, scopes=SCOPES)


def client_id_from_token(token: str) -> int | None:
    """The application (client) id encoded in the first part of a bot token, or None.

    Lets ``studybot discord invite-url`` work from ``DISCORD_TOKEN`` alone."""
    first = (token or "").strip().split(".", 1)[0]
    if not first:
        return None
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(decoded) if decoded.isdigit() else None


async def application_id(token: str) -> int:
    """The application (client) id for a bot token, asked from Discord
    (``GET /oauth2/applications/@me``); offline, the id encoded in the token itself.

    ``token`` may be a ``bot.config.Secret``. Raises ValueError (never containing the token)
    when Discord rejects the token or no id can be found."""
    import asyncio

    import aiohttp

    secret = token.reveal() if hasattr(token, "reveal") else str(token)
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(secret)
        info = await http.application_info()
        return int(info["id"])
    except discord.LoginFailure:
        raise ValueError("Discord rejected DISCORD_TOKEN (401 Unauthorized): copy the bot token again "
                         "from the Developer Portal (Bot > Reset Token)") from None
    except (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError):
        found = client_id_from_token(secret)
        if found is None:
            raise ValueError("Could not reach Discord to look up the application id; "
                             "pass --client-id (Developer Portal > General Information > Application ID)") from None
        return found
    finally:
        await http.close()
