"""Neutral commands and who sends them, plus the one text parser adapters share.

Discord builds commands from typed slash-command options; Slack and the terminal type
text (``leaderboard week``), which :func:`parse` turns into the same commands.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Literal

from bot.replies import quote

Period = Literal["all", "week", "last-week"]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a command was sent: one channel on one platform."""

    platform: str  # "discord", "slack", "terminal"
    workspace: str  # Discord guild id, Slack team id
    channel: str


@dataclass(frozen=True, slots=True)
class Member:
    platform: str
    workspace: str
    user_id: str
    name: str
    is_admin: bool = False  # the platform says so (Manage Server, workspace admin/owner)


@dataclass(frozen=True, slots=True)
class Context:
    member: Member
    place: Place
    #: How this platform spells user commands: "/" (Discord, terminal) or "/studybot " (Slack).
    prefix: str = "/"


# --- commands -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Practice:
    """``/quiz``: a private practice question."""


@dataclass(frozen=True, slots=True)
class Leaderboard:
    period: Period = "all"


@dataclass(frozen=True, slots=True)
class Lookup:
    query: str


@dataclass(frozen=True, slots=True)
class ListObjectives:
    domain: str | None = None  # a domain id ("3") or words of its title


@dataclass(frozen=True, slots=True)
class Today:
    pass


@dataclass(frozen=True, slots=True)
class Stats:
    pass


@dataclass(frozen=True, slots=True)
class Review:
    """``/review``: the member's next due card; ``new`` asks for a new question instead."""

    new: bool = False


@dataclass(frozen=True, slots=True)
class Readiness:
    """``/readiness``: the member's predicted exam score; ``group`` the group's view (admins)."""

    group: bool = False


@dataclass(frozen=True, slots=True)
class MockExam:
    """``/exam [questions]`` starts or shows the member's timed mock exam; ``history`` lists past ones."""

    questions: int | None = None
    history: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    quiz_id: int
    positions: frozenset[int]


#: Why a member reports a question (the key is stored), in the order the menus show them.
REPORT_REASONS: dict[str, str] = {
    "wrong": "Wrong answer", "unclear": "Unclear", "outdated": "Outdated", "typo": "Typo",
}


@dataclass(frozen=True, slots=True)
class Report:
    """A member reports a question they answered. ``quiz_id`` None: their latest answered one;
    ``reason`` None: ask them why first."""

    reason: str | None = None
    quiz_id: int | None = None


@dataclass(frozen=True, slots=True)
class Reports:
    """``/studybot report``: flagged and reported questions with their figures. Admin only."""


@dataclass(frozen=True, slots=True)
class Setup:
    """Make a channel a study group (or change its settings). Admin only."""

    time: str  # "HH:MM", validated by the core so the member gets a friendly message
    timezone: str = "UTC"
    channel: str | None = None  # defaults to the channel the command was sent in
    open_hours: int | None = None  # quiz open duration; None = until the next daily post


@dataclass(frozen=True, slots=True)
class Pause:
    pass


@dataclass(frozen=True, slots=True)
class Resume:
    pass


@dataclass(frozen=True, slots=True)
class PostNow:
    pass


@dataclass(frozen=True, slots=True)
class Status:
    pass


@dataclass(frozen=True, slots=True)
class Admins:
    """List, add or remove members who may run admin commands in this group."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


Command = (
    Help | Practice | Leaderboard | Lookup | ListObjectives | Today | Stats | Answer | Report
    | Review | Readiness | MockExam | Setup | Pause | Resume | PostNow | Status | Admins | Reports
)


@dataclass(frozen=True, slots=True)
class ParseError:
    """Text that is not a command: ``message`` says what is wrong and how to say it."""

    message: str


# --- text parsing -------------------------------------------------------------------------

_SLACK_CHANNEL = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")
_SLACK_USER = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")
_HOURS = re.compile(r"[0-9]{1,4}")  # ASCII only: int() takes other digits too, and refuses "²"

USAGE = {
    "help": "help",
    "quiz": "quiz",
    "leaderboard": "leaderboard [week|last-week]",
    "objective": "objective <what you are looking for>",
    "objectives": "objectives [domain number]",
    "today": "today",
    "stats": "stats",
    "review": "review [new]",
    "readiness": "readiness [group]",
    "exam": "exam [questions 10-60 | history]",
    "answer": "answer <letter(s)>",
    "setup": "setup [#channel] HH:MM [Area/City] [hours-open]",
    "pause": "pause",
    "resume": "resume",
    "post-now": "post-now",
    "status": "status",
    "admins": "admins [add|remove @member]",
    "report": "report [" + "|".join(REPORT_REASONS) + "]",
}

_ALIASES = {
    "lb": "leaderboard", "board": "leaderboard", "top": "leaderboard",
    "obj": "objective", "lookup": "objective", "find": "objective", "search": "objective",
    "list": "objectives", "practice": "quiz", "q": "quiz", "me": "stats", "progress": "stats",
    "postnow": "post-now", "post": "post-now", "?": "help", "ready": "readiness", "mock": "exam",
}


def _usage(name: str, prefix: str) -> ParseError:
    return ParseError(f"Usage: `{prefix}{USAGE[name]}`")


def parse(text: str, *, prefix: str = "/") -> Command | ParseError:
    """Parse a typed command (``/leaderboard week``, ``studybot setup 09:00 Europe/Paris``)."""
    text = text.strip()
    if text.startswith("/"):
        text = text[1:]
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    admin_form = bool(words) and words[0].lower() == "studybot"
    if admin_form:
        words = words[1:]
    if not words:
        return Help()
    name, args = words[0].lower(), words[1:]
    name = _ALIASES.get(name, name)

    if name in ("help", "quiz", "today", "stats", "pause", "resume", "post-now", "status"):
        if args:
            return ParseError(f"`{name}` takes no options. Usage: `{prefix}{USAGE[name]}`")
        return {
            "help": Help(), "quiz": Practice(), "today": Today(), "stats": Stats(),
            "pause": Pause(), "resume": Resume(), "post-now": PostNow(), "status": Status(),
        }[name]
    if name == "leaderboard":
        if not args:
            return Leaderboard("all")
        said = "-".join(a.lower() for a in args)
        if said in ("week", "weekly", "w", "this-week"):
            return Leaderboard("week")
        if said in ("last-week", "lastweek", "last", "previous-week"):
            return Leaderboard("last-week")
        if len(args) == 1 and args[0].lower() in ("all", "all-time", "alltime"):
            return Leaderboard("all")
        return _usage("leaderboard", prefix)
    if name == "review":
        if not args:
            return Review()
        return Review(new=True) if [a.lower() for a in args] == ["new"] else _usage("review", prefix)
    if name == "readiness":
        if not args:
            # `/studybot readiness` typed in full (terminal) is the admins' group view
            return Readiness(group=admin_form)
        return Readiness(group=True) if [a.lower() for a in args] == ["group"] else _usage("readiness", prefix)
    if name == "exam":
        if not args:
            return MockExam()
        if len(args) == 1 and args[0].lower() == "history":
            return MockExam(history=True)
        if len(args) == 1 and args[0].isascii() and args[0].isdigit() and len(args[0]) <= 4:
            return MockExam(questions=int(args[0]))
        return _usage("exam", prefix)
    if name == "objective":
        query = " ".join(args).strip()
        return Lookup(query) if query else _usage("objective", prefix)
    if name == "objectives":
        return ListObjectives(" ".join(args).strip() or None)
    if name == "report":
        if not args:
            return Reports()
        if len(args) == 1 and args[0].lower() in REPORT_REASONS:
            return Report(args[0].lower())
        return ParseError(
            f"Usage: `{prefix}{USAGE['report']}`: with a reason it reports the last question you answered; "
            "without one, admins get the question report."
        )
    if name == "setup":
        return _parse_setup(args, prefix)
    if name == "admins":
        return _parse_admins(args, prefix)
    known = ", ".join(f"`{prefix}{n}`" for n in ("help", "quiz", "review", "exam", "leaderboard", "objective", "stats"))
    return ParseError(f"I don't know the command `{quote(name, 30)}`. Try {known}.")


def _parse_setup(args: list[str], prefix: str) -> Setup | ParseError:
    channel = None
    rest = list(args)
    if rest and (m := _SLACK_CHANNEL.match(rest[0]) or re.match(r"^#(\S+)$", rest[0])):
        channel = m.group(1)
        rest = rest[1:]
    if not rest or not _TIME.match(rest[0]):
        return ParseError(
            f"Tell me when to post, as HH:MM (24-hour). Usage: `{prefix}{USAGE['setup']}`, "
            f"for example `{prefix}setup 09:00 Europe/Berlin`."
        )
    time, rest = rest[0], rest[1:]
    tz = "UTC"
    if rest and not _HOURS.fullmatch(rest[0]):
        tz, rest = rest[0], rest[1:]
    hours = None
    if rest:
        if len(rest) > 1 or not _HOURS.fullmatch(rest[0]):
            return _usage("setup", prefix)
        hours = int(rest[0])
    return Setup(time=time, timezone=tz, channel=channel, open_hours=hours)


def _parse_admins(args: list[str], prefix: str) -> Admins | ParseError:
    if not args:
        return Admins()
    action, users = args[0].lower(), args[1:]
    ids = []
    for u in users:
        m = _SLACK_USER.match(u)
        ids.append(m.group(1) if m else u.lstrip("@"))
    if action not in ("add", "remove") or not ids:
        return _usage("admins", prefix)
    return Admins(add=tuple(ids)) if action == "add" else Admins(remove=tuple(ids))
