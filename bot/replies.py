"""What the core answers: platform-neutral values each adapter renders its own way.

Text uses a tiny markup that every adapter can translate: ``**bold**``, ```` `code` ````
and fenced code blocks. Links are never embedded in text; they travel as ``Link`` values
(or a card's ``url``) so each platform can mask them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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


def say(text: str, *, private: bool = True) -> Reply:
    """A short text reply, private by default (errors, refusals, confirmations)."""
    return Reply(text=text, visibility=Visibility.PRIVATE if private else Visibility.PUBLIC)


def show(*cards: Card, private: bool = False, text: str = "") -> Reply:
    return Reply(cards=cards, text=text, visibility=Visibility.PRIVATE if private else Visibility.PUBLIC)
