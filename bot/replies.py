"""What the core answers: platform-neutral values each adapter renders its own way.

Text uses a tiny markup that every adapter can translate: ``**bold**``, ```` `code` ````,
fenced code blocks and :class:`Mention` (a channel or member, written with ``str(mention)``).
Links are never embedded in text; they travel as ``Link`` values (or a card's ``url``) so
each platform can mask them its own way. What a member typed is echoed only through
:func:`quote`, so it is short and can never turn into markup.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Literal, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class Visibility(Enum):
    PUBLIC = "public"
    PRIVATE = "private"  # only the member who asked sees it (ephemeral)


class Tone(Enum):
    """How a card should look: adapters map tones to colours or emoji."""

    INFO = "info"
    QUIZ = "quiz"
    SUCCESS = "success"
    FAILURE = "failure"
    WARNING = "warning"
    RESULT = "result"


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer option. ``id`` is the codec string an adapter puts on its button."""

    id: str
    label: str  # "A", "B", ...
    text: str


@dataclass(frozen=True, slots=True)
class Action:
    """A button that runs a command (``codec.action``), like a review's "Next"."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Menu:
    """A follow-up offered on a card, such as reporting a question. ``id`` is its codec id and
    an option's id is ``f"{id}:{value}"``. Adapters show it their own way: a closed menu is one
    button that asks for the options in a second step where the platform needs it (Discord),
    an open one shows its options at once; Slack uses one select for both; the terminal shows
    ``typed``, the command that does the same."""

    id: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label)
    typed: str
    open: bool = False

    def option_id(self, value: str) -> str:
        return f"{self.id}:{value}"


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    body: str = ""
    url: str | None = None  # the title links here
    fields: tuple[Field, ...] = ()
    links: tuple[Link, ...] = ()
    code: str | None = None  # a code snippet shown as a block (questions that read code)
    choices: tuple[Choice, ...] = ()
    pick: int = 1  # how many choices a member must select together (1 = one button click)
    closed: bool = False  # choices shown but no longer clickable
    actions: tuple[Action, ...] = ()
    footer: str | None = None
    tone: Tone = Tone.INFO
    menu: Menu | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    cards: tuple[Card, ...] = ()
    text: str = ""
    visibility: Visibility = Visibility.PUBLIC
    #: Answering a click: this reply takes the place of the clicked message (a review or an
    #: exam goes on in one message) instead of arriving as a new one.
    replace: bool = False

    @property
    def private(self) -> bool:
        return self.visibility is Visibility.PRIVATE


def rendered_once(render: Callable[P, T]) -> Callable[P, T]:
    """Remember what ``render(reply, ...)`` made for each distinct reply (the last 256): in a burst
    most members get one of a few identical replies (the same feedback for the same pick). A reply
    that cannot be a key (a list where a tuple belongs) is rendered each time instead of failing."""
    cached = functools.lru_cache(maxsize=256)(render)

    @functools.wraps(render)
    def once(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return cached(*args, **kwargs)
        except TypeError:
            return render(*args, **kwargs)

    return once


def say(text: str, *, private: bool = True) -> Reply:
    """A short text reply, private by default (errors, refusals, confirmations)."""
    return Reply(text=text, visibility=Visibility.PRIVATE if private else Visibility.PUBLIC)


def show(*cards: Card, private: bool = False, text: str = "") -> Reply:
    return Reply(cards=cards, text=text, visibility=Visibility.PRIVATE if private else Visibility.PUBLIC)


# --- mentions --------------------------------------------------------------------------------

#: Private-use characters delimit a mention inside text; :func:`quote` strips them from input.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MENTION = re.compile("\ue000([#@])([^|\ue000\ue001]+)\\|([^\ue000\ue001]*)\ue001")


@dataclass(frozen=True, slots=True)
class Mention:
    """A channel or member named in reply text. Each adapter renders it natively (Slack and
    Discord as a clickable mention of ``id``, the terminal as ``#name``/``@name``)."""

    kind: Literal["channel", "member"]
    id: str
    name: str = ""  # shown where ids mean nothing to a reader; the id when empty

    def __str__(self) -> str:
        sigil = "#" if self.kind == "channel" else "@"
        return f"{_OPEN}{sigil}{self.id.replace('|', '')}|{self.name}{_CLOSE}"

    @property
    def label(self) -> str:
        return ("#" if self.kind == "channel" else "@") + (self.name or self.id)


def render_mentions(text: str, render: Callable[[Mention], str]) -> str:
    """Replace every mention in ``text`` with what ``render`` makes of it."""
    if _OPEN not in text:
        return text
    return _MENTION.sub(lambda m: render(Mention("channel" if m[1] == "#" else "member", m[2], m[3])), text)


# --- echoing what a member typed ---------------------------------------------------------

ECHO_LIMIT = 40
_MARKUP = str.maketrans({"`": "'", _OPEN: None, _CLOSE: None})


def quote(text: str, limit: int = ECHO_LIMIT) -> str:
    """Member input fit to echo in a reply: one line, no markup or control characters,
    at most ``limit`` characters (cut with an ellipsis)."""
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in " \t\n")
    text = re.sub(r"\*{2,}", "*", " ".join(text.translate(_MARKUP).split()))  # no **bold**
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
