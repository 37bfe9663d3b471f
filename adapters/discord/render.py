"""The one place that turns the core's neutral replies into Discord embeds and components.

Everything that leaves the bot goes through :func:`render` (messages) or :func:`choice_name`
(autocomplete / option choices), so Discord's limits are enforced here and nowhere else:
long content is cut with an ellipsis instead of making Discord reject the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord

from bot import codec
from bot.replies import Card, Choice, Mention, Menu, Reply, Tone, render_mentions

# Discord limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
EMBEDS_MAX = 10
CHOICES_MAX = 25  # option choices and autocomplete results
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTION_MAX = 100  # select option label / description / value
BUTTONS_PER_ROW = 5
ROWS_MAX = 5
URL_MAX = 2048

ELLIPSIS = "…"
BLANK = "\u200b"  # Discord rejects empty field names/values

COLOURS = {
    Tone.INFO: discord.Colour.blurple(),
    Tone.QUIZ: discord.Colour.gold(),
    Tone.SUCCESS: discord.Colour.green(),
    Tone.FAILURE: discord.Colour.red(),
    Tone.WARNING: discord.Colour.orange(),
    Tone.RESULT: discord.Colour.teal(),
}

#: When every option fits in this many characters, the button shows "A · text", else just "A".
SHORT_OPTION = 40

_FENCE = "```"


def truncate(text: str | None, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, ending with an ellipsis when cut.

    A cut inside a fenced code block closes the fence, so the rest of the message still
    renders as text rather than as code."""
    text = text or ""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    if cut.count(_FENCE) % 2 == 1:  # we are inside an open code block: close it
        room = limit - len("\n" + _FENCE) - 1
        if room <= 0:
            return ELLIPSIS
        cut = text[:room]
        if cut.count(_FENCE) % 2 == 0:  # the shorter cut is outside the block again
            return cut.rstrip() + ELLIPSIS
        return cut.rstrip() + ELLIPSIS + "\n" + _FENCE
    return cut.rstrip() + ELLIPSIS


def _mention(m: Mention) -> str:
    return f"<#{m.id}>" if m.kind == "channel" else f"<@{m.id}>"


def _label(m: Mention) -> str:
    return m.label


def native(text: str | None) -> str:
    """Core text with its mentions as Discord mentions, which render in content, descriptions
    and field values (titles and footers do not render them: there they become plain labels)."""
    return render_mentions(text or "", _mention)


def _safe_url(url: str | None) -> str | None:
    if not url or len(url) > URL_MAX or not re.match(r"^https?://", url):
        return None
    return url


def masked_link(label: str, url: str) -> str:
    """``[label](url)``; brackets in the label are escaped so they cannot break the link."""
    label = (label or url).replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url.replace(')', '%29')})"


def _code_block(code: str, limit: int) -> str:
    code = code.replace(_FENCE, "`\u200b``")  # a fence inside the snippet would end the block
    budget = limit - len(_FENCE) * 2 - 2
    if budget <= 1:
        return ""
    if len(code) > budget:
        code = code[: budget - 1] + ELLIPSIS
    return f"{_FENCE}\n{code}\n{_FENCE}"


def _choice_line(choice: Choice, limit: int = DESCRIPTION_MAX) -> str:
    return truncate(f"**{choice.label}.** {choice.text}", limit)


def _description(card: Card, limit: int) -> str:
    """Body, code block and options within ``limit``. When it is too long, the options stay
    readable (each cut to its share of at most half), then the code, and the body takes the rest."""
    sep = "\n\n"
    choices = "\n".join(_choice_line(c) for c in card.choices)
    code = _code_block(card.code, 1_000_000) if card.code else ""
    parts = [p for p in (native(card.body), code, choices) if p]
    whole = sep.join(parts)
    if len(whole) <= limit:
        return whole
    seps = len(sep) * (len(parts) - 1)
    room = max(0, limit - seps)
    if choices:
        if len(choices) > room // 2:
            share = max(8, (room // 2) // len(card.choices) - 1)
            choices = "\n".join(_choice_line(c, share) for c in card.choices)
        room -= len(choices)
    body = native(card.body)
    if code:
        want = len(code)
        code_room = want if len(body) + want <= room else max(room - len(body), room // 2)
        code = _code_block(card.code or "", code_room) if code_room < want else code
        room -= len(code)
    body = truncate(body, max(0, room))
    return truncate(sep.join(p for p in (body, code, choices) if p), limit)


@dataclass
class Rendered:
    """What to send: pass ``content``, ``embeds`` and ``view`` to discord.py."""

    content: str | None
    embeds: list[discord.Embed]
    view: discord.ui.View | None
    ephemeral: bool

    def new(self) -> dict[str, Any]:
        """discord.py's keywords for sending this as a new message (``send_message``, ``followup.send``)."""
        out: dict[str, Any] = {"embeds": self.embeds, "ephemeral": self.ephemeral}
        if self.content:
            out["content"] = self.content
        if self.view is not None:
            out["view"] = self.view
        return out

    def edit(self) -> dict[str, Any]:
        """discord.py's keywords for editing a message into this one."""
        return {"content": self.content, "embeds": self.embeds, "view": self.view}


def card_embed(card: Card, description_limit: int = DESCRIPTION_MAX, max_fields: int = FIELDS_MAX) -> discord.Embed:
    """One embed for one card, every part within Discord's per-field limits."""
    embed = discord.Embed(
        title=truncate(render_mentions(card.title, _label), TITLE_MAX) or None,
        url=_safe_url(card.url),
        colour=COLOURS.get(card.tone, discord.Colour.blurple()),
    )
    description = _description(card, min(description_limit, DESCRIPTION_MAX))
    if description:
        embed.description = description

    links = [masked_link(link.label, link.url) for link in card.links if _safe_url(link.url)]
    room = max(0, min(max_fields, FIELDS_MAX) - (1 if links else 0))
    for f in card.fields[:room]:
        embed.add_field(
            name=truncate(f.name, FIELD_NAME_MAX) or BLANK,
            value=truncate(native(f.value), FIELD_VALUE_MAX) or BLANK,
            inline=f.inline,
        )
    if links and max_fields > 0:
        # whole links only: a cut link would be broken markdown
        value, shown = "", 0
        for link in links:
            extra = (" · " if value else "") + link
            if len(value) + len(extra) > FIELD_VALUE_MAX - 2:
                break
            value += extra
            shown += 1
        if shown < len(links):
            value += " " + ELLIPSIS
        if value.strip():
            embed.add_field(name="Links", value=value, inline=False)
    if card.footer:
        embed.set_footer(text=truncate(render_mentions(card.footer, _label), FOOTER_MAX))
    return embed


def _fit(cards: tuple[Card, ...] | list[Card], limit: int = EMBED_TOTAL_MAX) -> list[discord.Embed]:
    """One embed per card (10 at most) within the ``limit`` total. When over: the longest
    description is re-rendered smaller (down to 600, so options stay visible), then trailing
    fields of the fullest embed go, then trailing embeds, then descriptions shrink further."""
    cards = list(cards)[:EMBEDS_MAX]
    desc = [DESCRIPTION_MAX] * len(cards)
    nfields = [FIELDS_MAX] * len(cards)
    embeds = [card_embed(c) for c in cards]

    def total() -> int:
        return sum(len(e) for e in embeds)

    if total() <= limit:  # the usual case: nothing to cut
        return embeds

    for floor in (600, None, "pop", 100):
        if floor == "pop":
            while len(embeds) > 1 and total() > limit:
                embeds.pop()
            continue
        while total() > limit:
            if floor is None:  # drop a field from the embed with the most
                j = max(range(len(embeds)), key=lambda k: len(embeds[k].fields))
                if not embeds[j].fields:
                    break
                nfields[j] = len(embeds[j].fields) - 1
            else:
                j = max(range(len(embeds)), key=lambda k: len(embeds[k].description or ""))
                current = len(embeds[j].description or "")
                if current <= floor:
                    break
                desc[j] = max(floor, current - (total() - limit))
            embeds[j] = card_embed(cards[j], desc[j], nfields[j])
    while len(embeds) > 1 and total() > limit:
        embeds.pop()
    return embeds


# --- components -----------------------------------------------------------------------


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=codec.TEMPLATE):
    """One answer option. Its custom id is the core's codec string, so a click on a post made
    before a restart is routed by pattern, without any in-memory view (``clicks`` routes it)."""

    def __init__(self, custom_id: str, label: str = "?", *, disabled: bool = False,
                 row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=truncate(label, BUTTON_LABEL_MAX) or "?", custom_id=custom_id,
                              style=discord.ButtonStyle.secondary, disabled=disabled),
            row=row,
        )


class AnswerSelect(discord.ui.DynamicItem[discord.ui.Select], template=r"quiz:(?P<quiz_id>\d{1,18})"):
    """The multi-select for "choose N" questions: custom id ``codec.quiz_prefix(quiz_id)``,
    option values are the position digits (``clicks`` routes its submits)."""

    def __init__(self, custom_id: str, options: list[discord.SelectOption], pick: int, *,
                 disabled: bool = False, row: int | None = None) -> None:
        pick = max(1, min(pick, len(options) or 1))
        super().__init__(
            discord.ui.Select(custom_id=custom_id, options=options or [discord.SelectOption(label="?", value="0")],
                              min_values=pick, max_values=pick, disabled=disabled,
                              placeholder=f"Choose {pick}"),
            row=row,
        )


class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=codec.ACTION_TEMPLATE):
    """A button that runs a command (a review's "Next"): its custom id is ``codec.action``,
    routed by pattern like the answer buttons, so it works after a restart too."""

    def __init__(self, custom_id: str, label: str = "?", *, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=truncate(label, BUTTON_LABEL_MAX) or "?", custom_id=custom_id,
                              style=discord.ButtonStyle.primary),
            row=row,
        )

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):  # type: ignore[override]
        return cls(item.custom_id, getattr(item, "label", None) or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = getattr(interaction.client, "on_action_component", None)
        if handler is not None:
            await handler(interaction, self.custom_id)


class MenuButton(discord.ui.DynamicItem[discord.ui.Button], template=codec.REPORT_TEMPLATE):
    """A menu's button (a card's ``Menu``: "⚑ Report", then one button per reason). Routed by
    pattern like the answer buttons, so it works on feedback sent before a restart."""

    def __init__(self, custom_id: str, label: str = "?", *, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(label=truncate(label, BUTTON_LABEL_MAX) or "?", custom_id=custom_id,
                              style=discord.ButtonStyle.secondary),
            row=row,
        )

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):  # type: ignore[override]
        return cls(item.custom_id, getattr(item, "label", None) or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = getattr(interaction.client, "on_menu_component", None)
        if handler is not None:
            await handler(interaction, self.custom_id)


def menu_items(menu: Menu, row: int) -> list[discord.ui.Item]:
    """A closed menu is one button that asks for the options in a second private message; an
    open one is a button per option."""
    if row >= ROWS_MAX:
        return []
    if not menu.open:
        return [MenuButton(menu.id, menu.label, row=row)]
    return [MenuButton(menu.option_id(value), label, row=row) for value, label in menu.options[:BUTTONS_PER_ROW]]


def _button_label(choice: Choice, short: bool) -> str:
    return f"{choice.label} · {choice.text}" if short else choice.label


def card_items(card: Card, first_row: int) -> list[discord.ui.Item]:
    """The components for one card's choices, actions and menu, starting at ``first_row``."""
    actions = [a for a in card.actions if codec.decode_action(a.id) is not None][:BUTTONS_PER_ROW]
    items = _choice_items(card, first_row)
    row = max((i.row or 0 for i in items), default=first_row - 1) + 1
    if actions and row < ROWS_MAX:
        items += [ActionButton(a.id, a.label, row=row) for a in actions]
        row += 1
    if card.menu is not None:
        items += menu_items(card.menu, row)
    return items


def _choice_items(card: Card, first_row: int) -> list[discord.ui.Item]:
    choices = [c for c in card.choices if codec.decode(c.id) is not None]
    if not choices:
        return []
    items: list[discord.ui.Item] = []
    if card.pick > 1:
        picks = [codec.decode(c.id) for c in choices]
        quiz_id = picks[0].quiz_id  # type: ignore[union-attr]
        options = [
            discord.SelectOption(
                label=truncate(f"{c.label}. {c.text}", SELECT_OPTION_MAX),
                value=str(min(p.positions)),  # type: ignore[union-attr]
            )
            for c, p in zip(choices[:CHOICES_MAX], picks[:CHOICES_MAX], strict=True)
        ]
        if first_row < ROWS_MAX:
            items.append(AnswerSelect(codec.quiz_prefix(quiz_id), options, card.pick,
                                      disabled=card.closed, row=first_row))
        return items
    short = all(len(c.text) <= SHORT_OPTION for c in choices)
    for i, choice in enumerate(choices):
        row = first_row + i // BUTTONS_PER_ROW
        if row >= ROWS_MAX:
            break
        items.append(AnswerButton(choice.id, _button_label(choice, short), disabled=card.closed, row=row))
    return items


def build_view(cards: tuple[Card, ...]) -> discord.ui.View | None:
    view = discord.ui.View(timeout=None)
    row = 0
    for card in cards:
        items = card_items(card, row)
        for item in items:
            view.add_item(item)
        if items:
            row = max(i.row or 0 for i in items) + 1
        if row >= ROWS_MAX:
            break
    return view if view.children else None


# --- entry points ---------------------------------------------------------------------


def render(reply: Reply, embeds: list[discord.Embed] | None = None) -> Rendered:
    """A :class:`~bot.replies.Reply` as ONE Discord message (channel posts and their edits,
    which need a single message id). Never raises on long content: it is cut to fit.
    ``embeds``: the reply's cards already fitted (``_fit(reply.cards)``), so they are not built twice."""
    content = truncate(native(reply.text), CONTENT_MAX) or None
    if embeds is None:
        embeds = _fit(reply.cards)
    if content is None and not embeds:
        content = BLANK
    return Rendered(content=content, embeds=embeds, view=build_view(reply.cards[: len(embeds)]),
                    ephemeral=reply.private)


def render_messages(reply: Reply) -> list[Rendered]:
    """A reply as one or more messages (interaction replies): cards that do not fit one
    message's 10 embeds / 6000 characters continue in the next message rather than being cut."""
    chunks: list[list[tuple[Card, list[discord.Embed]]]] = []
    size = 0
    for card in reply.cards:
        fitted = _fit([card])
        n = sum(len(e) for e in fitted)
        if not chunks or len(chunks[-1]) >= EMBEDS_MAX or size + n > EMBED_TOTAL_MAX:
            chunks.append([])
            size = 0
        chunks[-1].append((card, fitted))
        size += n
    if not chunks:
        return [render(reply)]
    out = []
    for i, chunk in enumerate(chunks):
        part = Reply(cards=tuple(c for c, _ in chunk), text=reply.text if i == 0 else "", visibility=reply.visibility)
        # one card: its fitted embeds are what _fit(part.cards) would build again
        out.append(render(part, chunk[0][1] if len(chunk) == 1 else None))
    return out


def choice_name(text: str) -> str:
    """An autocomplete / option choice label (100 characters at most, never empty)."""
    return truncate(" ".join((text or "").split()), CHOICE_NAME_MAX) or "?"


def choice_value(value: str) -> str:
    return (value or "")[:CHOICE_VALUE_MAX]
