"""Answer clicks taken straight from the gateway: the hot path of a burst.

For every INTERACTION_CREATE discord.py builds an Interaction (the clicked message with its embeds
and components, a Member and a User), its view dispatch rebuilds the clicked message's whole view
to find the button, and it parses the message that each response returns. An answer click needs
none of that: its id and token, the member, the channel and the custom id. In a burst of 1,000
clicks those objects were about a third of the bot's CPU, and every click's acknowledgement waits
for the CPU spent on the clicks before it.

This module is the one place that uses discord.py below its public API (all of it in 2.x):

* :func:`take_answer_clicks` wraps the INTERACTION_CREATE parser of the client's connection state
  (``client._connection.parsers``, the table the gateway dispatches by). A click on an answer
  button or answer select (by its custom id) becomes a :class:`Click`; every other interaction
  (commands, other buttons) goes to discord.py unchanged;
* :meth:`Click.respond` POSTs the one interaction response, built by discord.py's own payload
  builder (once per distinct reply), without ``with_response`` (Discord answers 204, nothing to
  parse), on the plain connections of :mod:`.callbacks`. A rate limit, a 5xx or a lost connection
  is handed to discord.py's webhook adapter, which retries it; any other refusal raises
  discord.py's exception;
* :meth:`Click.interaction` builds discord.py's Interaction from the same payload when a click needs
  more than that one response (a defer, an edit, a followup, an apology).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.http import Route
from discord.webhook.async_ import async_context, interaction_message_response_params

from bot import codec
from bot.commands import Answer, Context, Member, Place
from bot.replies import Reply, rendered_once

from .callbacks import CallbackPool, Resend, Response
from .render import AnswerButton, AnswerSelect, render_messages

log = logging.getLogger(__name__)

PLATFORM = "discord"
COMPONENT = 3  # interaction type
CHANNEL_MESSAGE = 4  # interaction callback type
_BUTTON_ID = AnswerButton.__discord_ui_compiled_template__
_SELECT_ID = AnswerSelect.__discord_ui_compiled_template__


def make_context(guild_id: int | None, user_id: int, name: str, permissions: discord.Permissions,
                 channel_id: int | None) -> Context:
    """The neutral actor and place of an interaction (``is_admin`` = Manage Server)."""
    workspace = str(guild_id) if guild_id else f"dm-{user_id}"
    is_admin = bool(guild_id) and bool(permissions.manage_guild or permissions.administrator)
    member = Member(PLATFORM, workspace, str(user_id), name, is_admin)
    return Context(member=member, place=Place(PLATFORM, workspace, str(channel_id or "")), prefix="/")


def age(interaction_id: int) -> float:
    """Seconds since Discord created the interaction (its snowflake's timestamp)."""
    return time.time() - ((interaction_id >> 22) + discord.utils.DISCORD_EPOCH) / 1000


@dataclass(slots=True, eq=False)
class Click:
    """An answer click read from its gateway payload; see the module docstring."""

    data: dict[str, Any]
    state: Any  # discord.py's ConnectionState
    id: int
    user_id: int
    guild_id: int | None
    context: Context
    custom_id: str
    command: Answer | None  # None: not one of our ids after all (a malformed one)
    on_message: bool  # False: the clicked message has no such component (forged, or stale)
    _interaction: discord.Interaction | None = field(default=None, repr=False)

    def interaction(self) -> discord.Interaction:
        """discord.py's Interaction for this click, built once, on first need."""
        if self._interaction is None:
            self._interaction = discord.Interaction(data=self.data, state=self.state)  # type: ignore[arg-type]
        return self._interaction

    async def respond(self, reply: Reply, callbacks: CallbackPool | None) -> bool:
        """Show ``reply`` as the interaction's response, a new message; False (nothing sent) when it
        takes more than one message. Raises discord.HTTPException as discord.py's ``send_message`` does.

        One plain POST on ``callbacks`` (see :mod:`.callbacks`). What it cannot settle (a rate limit,
        a server error, a connection lost before the answer), or every response when ``callbacks``
        is None (a proxy is configured), goes to discord.py's webhook adapter, which retries it."""
        body = response_body(reply, self.state.allowed_mentions)
        if body is None:
            return False
        token = self.data["token"]
        if callbacks is not None:
            try:
                response = await callbacks.post_callback(self.id, token, body)
            except Resend:
                pass
            else:
                if response.status < 300:
                    return True
                error = {403: discord.Forbidden, 404: discord.NotFound}.get(response.status, discord.HTTPException)
                raise error(response, _message(response))  # type: ignore[arg-type]
        http = self.state.http
        route = Route("POST", "/interactions/{webhook_id}/{webhook_token}/callback",
                      webhook_id=self.id, webhook_token=token)
        await async_context.get().request(route, session=http._HTTPClient__session,
                                          payload=discord.utils._from_json(body),
                                          proxy=http.proxy, proxy_auth=http.proxy_auth)
        return True


def _message(response: Response) -> dict[str, Any] | str:
    """The error in a refusal's body, as discord.py's ``json_or_text`` reads it."""
    text = response.body.decode(errors="replace")
    return discord.utils._from_json(text) if response.content_type == "application/json" else text


@rendered_once
def response_body(reply: Reply, allowed_mentions: discord.AllowedMentions | None) -> bytes | None:
    """The JSON of an interaction response that shows ``reply`` as one new message, as discord.py's
    ``send_message`` builds it; None when the reply takes more than one message. Rendered once per
    distinct reply: in a burst most members get one of a few (right or wrong, points, streak, what they chose)."""
    messages = render_messages(reply)
    if len(messages) != 1:
        return None
    message = messages[0].new()
    ephemeral = message.pop("ephemeral")
    params = interaction_message_response_params(
        type=CHANNEL_MESSAGE, flags=discord.MessageFlags(ephemeral=True) if ephemeral else discord.utils.MISSING,
        previous_allowed_mentions=allowed_mentions, **message,
    )
    return discord.utils._to_json(params.payload).encode()


def read_click(data: dict[str, Any], state: Any) -> Click | None:
    """The answer click in an INTERACTION_CREATE payload; None when discord.py should handle it."""
    if data.get("type") != COMPONENT:
        return None
    inner = data.get("data") or {}
    custom_id = inner.get("custom_id")
    if not isinstance(custom_id, str):
        return None
    if _BUTTON_ID.fullmatch(custom_id):
        pick = codec.decode(custom_id)
        command = Answer(pick.quiz_id, pick.positions) if pick else None
    elif m := _SELECT_ID.fullmatch(custom_id):
        values = inner.get("values") or []
        ok = all(isinstance(v, str) and v.isdigit() for v in values)
        command = Answer(int(m["quiz_id"]), frozenset(int(v) for v in values)) if ok else None
    else:
        return None
    guild_id = int(data["guild_id"]) if data.get("guild_id") else None
    member = (data.get("member") if guild_id else None) or {}
    user = member.get("user") or data.get("user")
    if not user:
        return None
    name = member.get("nick") or user.get("global_name") or user["username"]
    permissions = discord.Permissions(int(member.get("permissions") or 0))
    channel = (data.get("channel") or {}).get("id") or data.get("channel_id")
    user_id = int(user["id"])
    context = make_context(guild_id, user_id, name, permissions, int(channel) if channel else None)
    return Click(data, state, int(data["id"]), user_id, guild_id, context, custom_id, command,
                 _on_message(data.get("message"), custom_id))


def _on_message(message: dict[str, Any] | None, custom_id: str) -> bool:
    """Whether the clicked message carries a component with this custom id: a click on any other
    (forged, or from another message) is refused."""
    return any(child.get("custom_id") == custom_id
               for row in (message or {}).get("components") or () for child in row.get("components") or (row,))


def take_answer_clicks(client: discord.Client, handle: Callable[[Click], None]) -> None:
    """Route answer clicks to ``handle`` (called in the gateway's read loop: it must not block)."""
    state = client._connection
    parse = state.parsers["INTERACTION_CREATE"]

    def parse_interaction_create(data: dict[str, Any]) -> None:
        try:
            click = read_click(data, state)
        except Exception:  # never let the gateway's read loop fail: discord.py reads it (and refuses it)
            log.exception("Discord: could not read interaction %s", data.get("id"))
            click = None
        if click is None:
            parse(data)
        else:
            handle(click)

    state.parsers["INTERACTION_CREATE"] = parse_interaction_create
