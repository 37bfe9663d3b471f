"""The one button-id codec every adapter shares: ``quiz:<quiz_id>:<positions>`` for answers,
``cmd:<command>`` for buttons that run a command (a review's "Next"),
``report:<quiz_id>[:<reason>]`` for reporting a question.

Positions are the displayed option indexes (0-based, as a string of digits), never the
option keys in the content file, so a button id reveals nothing about the answer. A command
button carries the words a member could type themselves, run through the same parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "quiz"
_PATTERN = re.compile(r"^quiz:(\d{1,18}):([0-5]{1,6})$")
#: A regex adapters can use to route persistent buttons (discord DynamicItem, Bolt action ids).
TEMPLATE = r"quiz:(?P<quiz_id>\d{1,18}):(?P<picks>[0-5]{1,6})"


@dataclass(frozen=True, slots=True)
class Pick:
    quiz_id: int
    positions: frozenset[int]


def encode(quiz_id: int, positions: int | frozenset[int] | set[int] | list[int]) -> str:
    if isinstance(positions, int):
        positions = [positions]
    digits = "".join(str(p) for p in sorted(set(positions)))
    return f"{PREFIX}:{quiz_id}:{digits}"


def decode(custom_id: str) -> Pick | None:
    """Return the pick, or None for anything that is not one of our ids."""
    m = _PATTERN.match(custom_id.strip())
    if not m:
        return None
    digits = m.group(2)
    if len(set(digits)) != len(digits):
        return None
    return Pick(int(m.group(1)), frozenset(int(d) for d in digits))


REPORT = "report"
#: Report controls: ``report:<quiz_id>`` asks why, ``report:<quiz_id>:<reason>`` files the report.
REPORT_TEMPLATE = r"report:(?P<quiz_id>\d{1,18})(?::(?P<reason>[a-z]{1,16}))?"
_REPORT = re.compile(rf"^{REPORT_TEMPLATE}$")


@dataclass(frozen=True, slots=True)
class ReportPick:
    quiz_id: int
    reason: str | None  # None: the member has not said why yet


def report_id(quiz_id: int, reason: str | None = None) -> str:
    return f"{REPORT}:{quiz_id}" + (f":{reason}" if reason else "")


def decode_report(custom_id: str) -> ReportPick | None:
    m = _REPORT.match(custom_id.strip())
    return ReportPick(int(m.group("quiz_id")), m.group("reason")) if m else None


def quiz_prefix(quiz_id: int) -> str:
    """The id of a multi-select control: adapters append the picked positions on submit."""
    return f"{PREFIX}:{quiz_id}"


ACTION_PREFIX = "cmd"
#: A regex adapters route command buttons by.
ACTION_TEMPLATE = r"cmd:(?P<command>[a-z0-9][a-z0-9 -]{0,39})"
_ACTION = re.compile(rf"^{ACTION_TEMPLATE}$")


def action(command: str) -> str:
    """The id of a button that runs ``command`` (as typed, without the prefix): ``cmd:review``."""
    if not _ACTION.match(f"{ACTION_PREFIX}:{command}"):
        raise ValueError(f"not a button command: {command!r}")
    return f"{ACTION_PREFIX}:{command}"


def decode_action(custom_id: str) -> str | None:
    """The command text of a command button's id, or None."""
    m = _ACTION.match(custom_id.strip())
    return m.group("command") if m else None
