"""Replies as terminal text: the one place the terminal decides how things look."""

from __future__ import annotations

import re
import textwrap

from bot import codec
from bot.replies import Card, Mention, Reply, render_mentions

_BOLD = re.compile(r"\*\*(.+?)\*\*")
WIDTH = 88


def _mention(m: Mention) -> str:
    """The terminal has no ids to resolve: a channel or member is shown by name."""
    return m.label


def _text(text: str) -> str:
    return render_mentions(text, _mention)


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def bold(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self.color else text

    def dim(self, text: str) -> str:
        return f"\033[2m{text}\033[0m" if self.color else text

    def inline(self, text: str) -> str:
        return _BOLD.sub(lambda m: self.bold(m.group(1)), text)


def _wrap(text: str, indent: str = "  ") -> list[str]:
    out: list[str] = []
    in_code = False
    for line in text.splitlines() or [""]:
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code or not line.strip():
            out.append(indent + line if line.strip() else "")
        else:
            out += textwrap.wrap(line, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]
    return out


def render_card(card: Card, style: Style) -> list[str]:
    lines = [style.bold(f"▌ {card.title}")]
    if card.url:
        lines.append("  " + style.dim(card.url))
    if card.body:
        lines += [style.inline(line) for line in _wrap(_text(card.body))]
    if card.code:
        lines.append("")
        lines += ["    " + line for line in card.code.rstrip().splitlines()]
        lines.append("")
    for f in card.fields:
        lines.append(f"  {style.bold(f.name)}: {style.inline(_text(f.value))}")
    for choice in card.choices:
        lines += _wrap(f"{choice.label}) {choice.text}", "    ")
    if card.choices and not card.closed:
        how = f"type {card.pick} letters, e.g. ac" if card.pick > 1 else "type a letter to answer"
        lines.append("  " + style.dim(f"({how})"))
    for action in card.actions:
        command = codec.decode_action(action.id)
        if command is not None:
            lines.append("  " + style.bold(f"[{action.label}]") + style.dim(f" type /{command}"))
    if card.menu is not None:
        lines.append("  " + style.dim(f"{card.menu.label}: type {card.menu.typed}"))
    for link in card.links:
        lines.append(f"  → {link.label}: {link.url}")
    if card.footer:
        lines.append("  " + style.dim(_text(card.footer)))
    return lines


def render(reply: Reply, style: Style, where: str = "") -> str:
    head = style.dim("(only you can see this)") if reply.private else style.dim(where) if where else ""
    lines = [head] if head else []
    if reply.text:
        lines += [style.inline(line) for line in _wrap(_text(reply.text), "")]
    for card in reply.cards:
        lines += render_card(card, style)
    return "\n".join(lines)
