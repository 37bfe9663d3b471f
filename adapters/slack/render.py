"""The one place that turns the core's neutral replies into Slack Block Kit.

Everything Slack-visible goes through :func:`render` (messages, ephemeral replies, chat.update)
or :func:`render_home` (the App Home tab). Both always stay inside Slack's documented limits:
long content is split or cut with an ellipsis, never sent in a form Slack would reject.

Markup: the core writes ``**bold**``, ```` `code` ```` and fenced code blocks; Slack's mrkdwn
spells bold ``*bold*``, keeps backticks and fences, and needs ``&``, ``<`` and ``>`` escaped;
a :class:`~bot.replies.Mention` becomes ``<#C…>`` or ``<@U…>``, which Slack shows as a link.
Links never come inside text: ``Card.url`` and ``Card.links`` become masked ``<url|label>`` links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot import codec
from bot.replies import Card, Choice, Field, Mention, Menu, Reply, Tone, render_mentions

# --- Slack limits (https://api.slack.com/reference/block-kit) ---------------------------------
MAX_BLOCKS = 50  # per message
MAX_HOME_BLOCKS = 100  # per App Home view
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
MAX_FIELDS = 10
FIELD_TEXT = 2000
CONTEXT_TEXT = 2000  # kept below the 3000 text-object limit: footers are short by nature
ACTIONS_ELEMENTS = 25
OPTION_TEXT = 75
OPTION_VALUE = 150
MAX_CHECKBOX_OPTIONS = 10
MAX_SELECT_OPTIONS = 100
PLACEHOLDER_TEXT = 150
FALLBACK_TEXT = 3000  # the top-level `text` (notifications); Slack allows 40k but truncates display
MAX_BODY_SECTIONS = 6  # a very long body is split into at most this many sections, then cut

ELLIPSIS = "…"

TONE_EMOJI = {
    Tone.INFO: "",
    Tone.QUIZ: "📝",
    Tone.SUCCESS: "✅",
    Tone.FAILURE: "❌",
    Tone.WARNING: "⚠️",
    Tone.RESULT: "📊",
}

#: action_id prefix of the checkboxes a member ticks for a "choose N" question.
PICK_PREFIX = "pick:"


@dataclass(frozen=True)
class SlackMessage:
    """What chat.postMessage / chat.update / response_url take: fallback text + blocks."""

    text: str
    blocks: list[dict[str, Any]]

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


# --- text ---------------------------------------------------------------------------------------

_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


def escape(text: str) -> str:
    """Slack's three control characters; everything else is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mention(m: Mention) -> str:
    return f"<#{m.id}>" if m.kind == "channel" else f"<@{m.id}>"


def _convert_plain(segment: str) -> str:
    bold = _BOLD.sub(lambda m: f"*{m.group(1)}*", escape(segment))
    return render_mentions(bold, _mention)


def _convert_inline(segment: str) -> str:
    out, last = [], 0
    for m in _INLINE_CODE.finditer(segment):
        out.append(_convert_plain(segment[last:m.start()]))
        out.append(escape(m.group(0)))
        last = m.end()
    out.append(_convert_plain(segment[last:]))
    return "".join(out)


def mrkdwn(text: str) -> str:
    """Core markup to Slack mrkdwn: ``**b**`` -> ``*b*`` outside code, ``&<>`` escaped."""
    if not text:
        return ""
    out, last = [], 0
    for m in _FENCE.finditer(text):
        out.append(_convert_inline(text[last:m.start()]))
        fence = m.group(0)
        if not fence.endswith("```") or len(fence) < 6:
            fence = fence + "\n```"  # an unclosed fence: close it so Slack does not swallow the rest
        out.append(escape(fence))
        last = m.end()
    out.append(_convert_inline(text[last:]))
    return "".join(out)


def truncate(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def fit_mrkdwn(text: str, limit: int) -> str:
    """Already-converted mrkdwn cut to ``limit`` without leaving a broken entity, link or fence."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 5, 1)]  # room for the ellipsis and a closing fence
    cut = _PARTIAL_ENTITY.sub("", cut)
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):  # do not leave half a <url|label>
        cut = cut[:opened]
    cut = cut.rstrip() + ELLIPSIS
    if cut.count("```") % 2:
        cut += "\n```"
    return cut[:limit]


def split_mrkdwn(text: str, limit: int = SECTION_TEXT, max_parts: int = MAX_BODY_SECTIONS) -> list[str]:
    """Split converted mrkdwn into pieces of at most ``limit`` characters, at line breaks when
    possible, closing and reopening code fences across pieces; the last piece is cut with an
    ellipsis when even ``max_parts`` pieces are not enough."""
    if len(text) <= limit:
        return [text] if text.strip() else []
    room = limit - 10  # leave room for a reopened and a closing fence
    parts: list[str] = []
    buf: list[str] = []
    size = 0
    in_fence = False

    def flush() -> None:
        nonlocal buf, size
        lines = buf + (["```"] if in_fence else [])
        piece = "\n".join(lines)
        if piece.strip("`\n "):
            parts.append(piece)
        buf = ["```"] if in_fence else []
        size = sum(len(x) + 1 for x in buf)

    for line in text.split("\n"):
        chunks = [line[i:i + room - 8] for i in range(0, len(line), room - 8)] or [""]
        for chunk in chunks:
            if size + len(chunk) + 1 > room and buf:
                flush()
            buf.append(chunk)
            size += len(chunk) + 1
        if line.count("```") % 2:
            in_fence = not in_fence
    if buf:
        in_fence_at_end = in_fence
        piece = "\n".join(buf + (["```"] if in_fence_at_end else []))
        if piece.strip("`\n "):
            parts.append(piece)
    if len(parts) > max_parts:
        last = parts[max_parts - 1]
        last = fit_mrkdwn(last, limit - 2)
        parts = parts[: max_parts - 1] + [last if last.endswith(ELLIPSIS) else last + "\n" + ELLIPSIS]
    return [fit_mrkdwn(p, limit) for p in parts]


def plain_text(text: str, limit: int) -> dict[str, Any]:
    text = render_mentions(text, lambda m: m.label).replace("**", "").strip() or " "
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def md(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": fit_mrkdwn(text, limit) or " "}


def masked_link(url: str, label: str) -> str:
    """``<url|label>``: the url keeps its own characters except the three Slack reserves."""
    safe_url = url.strip().replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace("&", "&amp;")
    safe_label = escape(label.replace("|", "¦").replace("**", "")).strip() or safe_url
    return f"<{safe_url}|{safe_label}>"


# --- blocks ---------------------------------------------------------------------------------


def _sections(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in split_mrkdwn(text)]


def _field_text(f: Field, limit: int) -> str:
    name = mrkdwn(f.name).strip()
    value = mrkdwn(f.value).strip()
    text = f"*{name}*\n{value}" if name and value else (f"*{name}*" if name else value)
    return fit_mrkdwn(text or " ", limit)


def _field_blocks(fields: tuple[Field, ...]) -> list[dict[str, Any]]:
    """Consecutive inline fields share a section (two columns, 10 per section); others stand alone."""
    blocks: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []

    def close_group() -> None:
        if group:
            blocks.append({"type": "section", "fields": list(group)})
            group.clear()

    for f in fields:
        if f.inline:
            group.append({"type": "mrkdwn", "text": _field_text(f, FIELD_TEXT)})
            if len(group) == MAX_FIELDS:
                close_group()
        else:
            close_group()
            name = mrkdwn(f.name).strip()
            value = mrkdwn(f.value).strip()
            text = f"*{name}*\n{value}" if name and value else (f"*{name}*" if name else value)
            blocks.extend(_sections(text))
    close_group()
    return blocks


def _links_block(card: Card) -> dict[str, Any] | None:
    links: list[str] = []
    if card.url and all(link.url.strip() != card.url.strip() for link in card.links):
        links.append(masked_link(card.url, card.title or "Open"))
    links.extend(masked_link(link.url, link.label) for link in card.links if link.url)
    if not links:
        return None
    text, used = "", 0
    for i, link in enumerate(links):
        piece = link if i == 0 else "  ·  " + link
        if used + len(piece) > SECTION_TEXT - 2:
            text += "  " + ELLIPSIS
            break
        text += piece
        used += len(piece)
    return {"type": "section", "text": {"type": "mrkdwn", "text": ("🔗 " + text)[:SECTION_TEXT]}}


def _code_block(code: str) -> dict[str, Any]:
    code = code.rstrip("\n").replace("```", "ˋˋˋ")
    room = SECTION_TEXT - len("```\n\n```") - 2
    body = escape(code)
    if len(body) > room:
        body = _PARTIAL_ENTITY.sub("", body[: room - 2]).rstrip() + "\n" + ELLIPSIS
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"```\n{body}\n```"}}


def _choice_line(choice: Choice) -> str:
    label = escape(choice.label.strip())
    return f"*{label}.* {mrkdwn(choice.text).strip()}" if label else mrkdwn(choice.text).strip()


def _buttons(choices: tuple[Choice, ...]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    elements = [
        {
            "type": "button",
            "text": plain_text(choice.label or choice.text or "?", BUTTON_TEXT),
            "action_id": choice.id[:ACTION_ID],
            "value": choice.id[:BUTTON_VALUE],
        }
        for choice in choices
    ]
    for start in range(0, len(elements), ACTIONS_ELEMENTS):
        blocks.append({"type": "actions", "elements": elements[start:start + ACTIONS_ELEMENTS]})
    return blocks


def _multi_pick(choices: tuple[Choice, ...], pick: int) -> list[dict[str, Any]] | None:
    """Checkboxes (values = displayed positions) plus a Submit button whose action_id is the
    codec's quiz prefix; the app reads the ticked boxes from the payload state on submit."""
    picks = [codec.decode(c.id) for c in choices]
    if any(p is None or len(p.positions) != 1 for p in picks):
        return None
    quiz_ids = {p.quiz_id for p in picks if p}
    if len(quiz_ids) != 1 or len(choices) > MAX_CHECKBOX_OPTIONS:
        return None
    quiz_id = quiz_ids.pop()
    options = []
    for choice, p in zip(choices, picks, strict=True):
        assert p is not None
        label = f"*{escape(choice.label)}.* " if choice.label else ""
        text = fit_mrkdwn(label + mrkdwn(choice.text).strip(), OPTION_TEXT) or "?"
        options.append({"text": {"type": "mrkdwn", "text": text}, "value": str(next(iter(p.positions)))[:OPTION_VALUE]})
    prefix = codec.quiz_prefix(quiz_id)
    return [
        {
            "type": "actions",
            "elements": [
                {"type": "checkboxes", "action_id": (PICK_PREFIX + prefix)[:ACTION_ID], "options": options},
                {
                    "type": "button",
                    "style": "primary",
                    "text": plain_text(f"Submit {pick} answers", BUTTON_TEXT),
                    "action_id": prefix[:ACTION_ID],
                    "value": str(pick),
                },
            ],
        }
    ]


def _menu(menu: Menu) -> dict[str, Any]:
    """A card's menu as one static select: picking an option is the whole action on Slack."""
    return {
        "type": "actions",
        "elements": [{
            "type": "static_select",
            "action_id": menu.id[:ACTION_ID],
            "placeholder": plain_text(menu.label, PLACEHOLDER_TEXT),
            "options": [
                {"text": plain_text(label, OPTION_TEXT), "value": menu.option_id(value)[:OPTION_VALUE]}
                for value, label in menu.options[:MAX_SELECT_OPTIONS]
            ],
        }],
    }


def card_blocks(card: Card) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    emoji = TONE_EMOJI.get(card.tone, "")
    title = f"{emoji} {card.title}".strip() if card.title else ""
    if title:
        blocks.append({"type": "header", "text": plain_text(title, HEADER_TEXT)})
    if (links := _links_block(card)) is not None:
        blocks.append(links)
    if card.body:
        blocks.extend(_sections(mrkdwn(card.body)))
    if card.code:
        blocks.append(_code_block(card.code))
    if card.choices:
        blocks.extend(_sections("\n".join(_choice_line(c) for c in card.choices)))
        if not card.closed:
            multi = _multi_pick(card.choices, card.pick) if card.pick > 1 else None
            blocks.extend(multi if multi is not None else _buttons(card.choices))
    if card.menu is not None and card.menu.options:
        blocks.append(_menu(card.menu))
    blocks.extend(_field_blocks(card.fields))
    if card.actions:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "style": "primary", "text": plain_text(a.label, BUTTON_TEXT),
             "action_id": a.id[:ACTION_ID], "value": a.id[:BUTTON_VALUE]}
            for a in card.actions[:ACTIONS_ELEMENTS]
        ]})
    if card.footer:
        blocks.append({"type": "context", "elements": [md(mrkdwn(card.footer), CONTEXT_TEXT)]})
    return blocks


def _limit(blocks: list[dict[str, Any]], max_blocks: int) -> list[dict[str, Any]]:
    """Keep within the block budget; interactive blocks (answer buttons) are kept first."""
    if len(blocks) <= max_blocks:
        return blocks
    keep = max_blocks - 1
    interactive = [i for i, b in enumerate(blocks) if b["type"] == "actions"]
    chosen = set(interactive[:keep])
    for i in range(len(blocks)):
        if len(chosen) >= keep:
            break
        chosen.add(i)
    kept = [b for i, b in enumerate(blocks) if i in chosen]
    omitted = len(blocks) - len(kept)
    kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"{ELLIPSIS} {omitted} more parts not shown"}]})
    return kept


def _unique_actions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slack rejects a message in which two elements share an action_id: keep the first."""
    seen: set[str] = set()
    out = []
    for block in blocks:
        if block["type"] == "actions":
            elements = [e for e in block["elements"] if e["action_id"] not in seen]
            seen.update(e["action_id"] for e in elements)
            if not elements:
                continue
            block = {**block, "elements": elements}
        out.append(block)
    return out


def _blocks(reply: Reply, max_blocks: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.text:
        blocks.extend(_sections(mrkdwn(reply.text)))
    for i, card in enumerate(reply.cards):
        if i > 0 or blocks:
            blocks.append({"type": "divider"})
        blocks.extend(card_blocks(card))
    return _limit(_unique_actions(blocks), max_blocks)


def fallback_text(reply: Reply) -> str:
    """The notification / screen-reader text that goes with the blocks."""
    if reply.text:
        text = reply.text
    elif reply.cards:
        first = reply.cards[0]
        text = first.title + (f": {first.body}" if first.body else "")
    else:
        text = "StudyBot"
    return fit_mrkdwn(mrkdwn(text).strip() or "StudyBot", FALLBACK_TEXT)


def render(reply: Reply, *, max_blocks: int = MAX_BLOCKS) -> SlackMessage:
    """A reply as a message (chat.postMessage, chat.update, response_url, chat.postEphemeral)."""
    return SlackMessage(text=fallback_text(reply), blocks=_blocks(reply, max_blocks))


def render_home(reply: Reply) -> dict[str, Any]:
    """A reply as an App Home view for views.publish."""
    blocks = _blocks(reply, MAX_HOME_BLOCKS)
    if not blocks:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": fallback_text(reply)}}]
    return {"type": "home", "blocks": blocks}
