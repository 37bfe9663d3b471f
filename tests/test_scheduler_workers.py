"""Several workers on one store: every due quiz is posted by exactly one of them and every close
edited once; a worker killed while sending is replaced once its lease runs out (within a minute).
On PostgreSQL and on SQLite (the same code, for one or two processes)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.commands import Place, Setup
from bot.schedule.daily import CONCURRENCY, LEASE
from bot.store.models import Quiz
from tests.helpers import RecordingPoster, ctx

UTC = timezone.utc
MONDAY_0800 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
MONDAY_0900 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class Platform(RecordingPoster):
    """One platform shared by every worker, as Discord or Slack is: a post sent by one worker is
    found by another. Each call yields to the event loop, so the workers' ticks interleave."""

    def __init__(self) -> None:
        super().__init__()
        self.hold: asyncio.Event | None = None  # while set to an unset event, posts hang (a stuck worker)

    async def post(self, place, reply, *, key=None):  # noqa: ANN001, ANN201
        await asyncio.sleep(0.002)
        if self.hold is not None:
            await self.hold.wait()
        return await super().post(place, reply, key=key)

    async def update(self, place, message_ref, reply):  # noqa: ANN001, ANN201
        await asyncio.sleep(0.002)
        await super().update(place, message_ref, reply)


async def _groups(service, clock, n: int, **setup) -> None:  # noqa: ANN001
    clock.set(MONDAY_0800)
    for i in range(n):
        await service.handle(ctx("a", admin=True, place=Place("terminal", "ws1", f"g{i}")),
                             Setup(time="09:00", timezone="UTC", **setup))


async def test_n_workers_post_each_due_quiz_once_and_edit_each_close_once(open_service, clock, database_url):
    workers = [await open_service() for _ in range(3 if database_url.startswith("postgresql") else 2)]
    platform = Platform()
    for w in workers:
        w.attach("terminal", platform)
    await _groups(workers[0], clock, 12, open_hours=1)

    clock.set(MONDAY_0900)
    await asyncio.gather(*(w.run_due() for w in workers))
    await asyncio.gather(*(w.run_due() for w in workers))  # a second round finds nothing left to do
    assert Counter(place.channel for place, _, _ in platform.posts) == {f"g{i}": 1 for i in range(12)}

    clock.set(MONDAY_0900 + timedelta(hours=1))
    await asyncio.gather(*(w.run_due() for w in workers))
    await asyncio.gather(*(w.run_due() for w in workers))
    edited = Counter(ref for _, ref, _ in platform.updates)
    assert edited == {ref: 1 for _, _, ref in platform.posts}


async def test_a_worker_killed_while_sending_is_replaced_when_its_lease_runs_out(open_service, clock):
    stuck, spare = await open_service(), await open_service()
    hung, platform = Platform(), Platform()
    hung.hold = asyncio.Event()  # never set: this worker dies waiting for the platform
    stuck.attach("terminal", hung)
    spare.attach("terminal", platform)
    await _groups(stuck, clock, 1)

    clock.set(MONDAY_0900)
    sending = asyncio.create_task(stuck.run_due())
    while not await _leased(spare):
        await asyncio.sleep(0.01)
    sending.cancel()  # kill -9: the lease stays in the store

    clock.set(MONDAY_0900 + timedelta(seconds=20))
    await spare.run_due()
    assert platform.posts == []  # still the dead worker's
    wake = await spare.next_wakeup()
    assert wake == MONDAY_0900 + LEASE and timedelta(minutes=1) > LEASE

    clock.set(wake)
    await spare.run_due()
    assert [place.channel for place, _, _ in platform.posts] == ["g0"]
    await spare.run_due()
    assert len(platform.posts) == 1


async def _quizzes(service, condition) -> int:  # noqa: ANN001
    """How many quizzes in the store meet ``condition``."""
    async with service.sessions() as session:
        return await session.scalar(select(func.count()).where(condition))


async def _leased(service, n: int = 1) -> bool:  # noqa: ANN001
    """Whether ``n`` daily quizzes are held by a worker's send lease."""
    return await _quizzes(service, Quiz.lease_owner.is_not(None)) >= n


async def test_a_send_in_flight_on_one_worker_is_left_alone_by_the_others(open_service, clock):
    first, second = await open_service(), await open_service()
    platform = Platform()
    platform.hold = asyncio.Event()  # the first worker's sends wait on the platform
    for w in (first, second):
        w.attach("terminal", platform)
    await _groups(first, clock, 3)

    clock.set(MONDAY_0900)
    sending = asyncio.create_task(first.run_due())
    while not await _leased(second, 3):  # the first worker opened all three and is sending them
        await asyncio.sleep(0.01)
    clock.set(MONDAY_0900 + timedelta(seconds=5))
    await second.run_due()  # sees the opened, not yet posted quizzes: they are leased
    platform.hold.set()
    await sending
    assert Counter(place.channel for place, _, _ in platform.posts) == {"g0": 1, "g1": 1, "g2": 1}


class GatedPlatform(Platform):
    """A platform whose edits wait at ``gate`` (when set), counting how many wait there."""

    def __init__(self) -> None:
        super().__init__()
        self.gate: asyncio.Event | None = None
        self.waiting = 0

    async def update(self, place, message_ref, reply):  # noqa: ANN001, ANN201
        if (gate := self.gate) is not None:
            self.waiting += 1
            await gate.wait()
            self.waiting -= 1
        await super().update(place, message_ref, reply)


async def _until(condition) -> None:  # noqa: ANN001
    while not condition():
        await asyncio.sleep(0.01)


async def test_results_edits_queued_behind_a_long_close_are_not_taken_over_by_another_worker(open_service, clock):
    """More quizzes close at once than a worker edits at a time: the edits still waiting their
    turn are not leased yet, so their lease runs from their own send, and another worker ticking
    LEASE after the close leaves them to the worker that has them queued."""
    busy, other = await open_service(), await open_service()
    platform, spare = GatedPlatform(), Platform()
    busy.attach("terminal", platform)
    other.attach("terminal", spare)
    queued = 6
    n = CONCURRENCY + queued
    await _groups(busy, clock, n, open_hours=1)
    clock.set(MONDAY_0900)
    await busy.run_due()
    assert len(platform.posts) == n

    close = MONDAY_0900 + timedelta(hours=1)
    clock.set(close)
    first = platform.gate = asyncio.Event()
    closing = asyncio.create_task(busy.run_due())
    await _until(lambda: platform.waiting == CONCURRENCY)  # a full first wave in flight, the rest queued
    clock.set(close + LEASE * 2 / 3)
    platform.gate = second = asyncio.Event()
    first.set()
    while await _quizzes(busy, Quiz.results_sent.is_(True)) < CONCURRENCY or platform.waiting < queued:
        await asyncio.sleep(0.01)
    clock.set(close + LEASE + timedelta(seconds=5))  # the close is older than a lease; those sends are not
    await other.run_due()
    second.set()
    await closing
    edited = Counter(ref for _, ref, _ in platform.updates + spare.updates)
    assert edited == {ref: 1 for _, _, ref in platform.posts}
