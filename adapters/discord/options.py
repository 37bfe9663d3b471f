"""Check a slash command's option values on receipt, before discord.py hands them on.

Discord's client only offers valid values, but it does not stop a stale client or a hand-made
request from sending others, and discord.py does not check ``Literal`` choices, ``Range``
bounds or required options on receipt (a ``period:month`` reached the core and raised
``TypeError``). :func:`problem` finds the first bad value and says, in words a member
understands, what the option takes.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.enums import AppCommandOptionType

#: How much of a rejected value is quoted back (a member may paste a page into an option).
QUOTE_MAX = 40
_SUBCOMMAND_TYPES = (AppCommandOptionType.subcommand.value, AppCommandOptionType.subcommand_group.value)


def leaf_options(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The options of the (sub)command that runs, below any subcommand groups."""
    options: list[dict[str, Any]] = list(data.get("options") or [])
    while len(options) == 1 and options[0].get("type") in _SUBCOMMAND_TYPES:
        options = list(options[0].get("options") or [])
    return options


def quote(value: Any) -> str:
    """A rejected value as inline code, cut short, so it can neither flood nor format the reply."""
    text = " ".join(str(value).split()).replace("`", "'")
    if len(text) > QUOTE_MAX:
        text = text[: QUOTE_MAX - 1] + "…"
    return f"`{text}`" if text else "an empty value"


def problem(interaction: discord.Interaction) -> str | None:
    """What is wrong with the options of this slash command interaction, or None."""
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return None
    data: dict[str, Any] = dict(interaction.data or {})  # type: ignore[arg-type]
    given = {o.get("name"): o for o in leaf_options(data)}
    resolved: dict[str, Any] = dict(data.get("resolved") or {})
    for param in command.parameters:
        option = given.get(param.display_name)
        if option is None:
            if param.required:
                return f"**{param.display_name}** is required: {param.description}."
            continue
        found = _check(param, option.get("value"), resolved)
        if found:
            return found
    return None


def _check(param: app_commands.Parameter, value: Any, resolved: dict[str, Any]) -> str | None:
    name = f"**{param.display_name}**"
    kind = param.type
    if param.choices:
        if value not in [c.value for c in param.choices]:
            names = ", ".join(c.name for c in param.choices)
            return f"{quote(value)} is not a choice for {name}. Choose one of: {names}."
        return None
    if kind is AppCommandOptionType.string:
        if not isinstance(value, str):
            return f"{name} must be text."
        low, high = param.min_value, param.max_value
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            return f"{quote(value)} does not fit {name}: it takes {_between(low, high)} characters."
        return None
    if kind in (AppCommandOptionType.integer, AppCommandOptionType.number):
        number_types = (int,) if kind is AppCommandOptionType.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, number_types):
            return f"{quote(value)} is not a {'whole ' if kind is AppCommandOptionType.integer else ''}number: " \
                   f"{name} takes a number."
        low, high = param.min_value, param.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{quote(value)} is out of range: {name} takes {_between(low, high)}."
        return None
    if kind is AppCommandOptionType.channel:
        channel = (resolved.get("channels") or {}).get(str(value))
        allowed = {t.value for t in param.channel_types}
        if channel is None or (allowed and channel.get("type") not in allowed):
            return f"{name} must be a text channel of this server."
        return None
    if kind is AppCommandOptionType.user and str(value) not in (resolved.get("users") or {}):
        return f"{name} must be a member of this server."
    return None


def _between(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"
