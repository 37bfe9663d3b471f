"""Test helpers: a settable clock, a poster that records what the core sends, delivery log checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from bot.commands import Context, Member, Place
from bot.replies import Reply


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now

    def set(self, value: datetime) -> datetime:
        self.now = value.astimezone(timezone.utc)
        return self.now


@dataclass
class RecordingPoster:
    posts: list[tuple[Place, Reply, str]] = field(default_factory=list)
    updates: list[tuple[Place, str, Reply]] = field(default_factory=list)
    checks: list[tuple[Place, Reply]] = field(default_factory=list)  # setup's notices
    keys: dict[str, str] = field(default_factory=dict)

    async def post(self, place: Place, reply: Reply, *, key: str | None = None) -> str:
        ref = f"m{len(self.posts) + 1}"
        self.posts.append((place, reply, ref))
        if key is not None:
            self.keys[key] = ref
        return ref

    async def find(self, place: Place, key: str) -> str | None:
        return self.keys.get(key)

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        self.updates.append((place, message_ref, reply))

    async def check(self, place: Place, notice: Reply) -> None:
        self.checks.append((place, notice))


PLACE = Place("terminal", "ws1", "general")


def ctx(user: str, *, admin: bool = False, place: Place = PLACE, name: str | None = None) -> Context:
    return Context(Member(place.platform, place.workspace, user, name or user.title(), admin), place)


async def right_and_wrong(service, quiz_id: int) -> tuple[frozenset[int], frozenset[int]]:  # noqa: ANN001
    """The correct positions of a quiz, and a wrong pick of the same size (read from the store)."""
    from bot.store.models import Quiz

    async with service.sessions() as session:
        quiz = await session.get(Quiz, quiz_id)
    question = service.pack.question_by_id[quiz.question_id]
    right = frozenset(i for i, key in enumerate(quiz.option_order) if key in question.answer)
    others = [i for i in range(len(quiz.option_order)) if i not in right]
    return right, frozenset(others[: len(right)])


async def stop_serving(task, service) -> None:  # noqa: ANN001 - an asyncio.Task and a StudyService, either may be None
    """Stop a bot process under test: cancel the adapter's task, then close its service."""
    import asyncio
    import contextlib

    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if service is not None:
        await service.close()


def delivery_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The WARNING-or-worse records of the daily-post delivery, where platform failures are logged."""
    return [r for r in caplog.records if r.name == "bot.schedule.daily" and r.levelno >= logging.WARNING]


def assert_one_warning(caplog: pytest.LogCaptureFixture, *words: str) -> None:
    """Exactly one delivery WARNING, without a traceback, naming every one of ``words``."""
    [warning] = delivery_warnings(caplog)
    assert warning.levelno == logging.WARNING and warning.exc_info is None, warning
    assert all(w in warning.getMessage() for w in words), warning.getMessage()
