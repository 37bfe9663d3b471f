"""Benchmark: concurrent members answering one daily quiz through the public API.

Prints answers per second and p50/p99 latency of ``StudyService.handle(Answer)`` with N
members answering at once, next to stdlib ``sqlite3`` doing the same inserts one
transaction per answer with the same durability settings (WAL, synchronous=FULL); then the
latency of a leaderboard (top 10 + my rank) on a board of 100,000 members.

    python bench/answers.py [--members 200] [--rounds 10] [--board 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select

from bot import codec
from bot.cli import settle_heap
from bot.commands import Answer, Context, Leaderboard, Member, Place, PostNow, Setup
from bot.config import Settings
from bot.service import StudyService
from bot.store.models import Group, Score, ScoreBucket
from bot.store.models import Member as MemberRow

PLACE = Place("bench", "ws", "general")


def ctx(user: str, admin: bool = False) -> Context:
    return Context(Member("bench", "ws", user, user, admin), PLACE)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


class Poster:
    def __init__(self) -> None:
        self.last = None

    async def post(self, place, reply, *, key=None):  # noqa: ANN001, ANN201
        self.last = reply
        return "1"

    async def find(self, place, key):  # noqa: ANN001, ANN201
        return None

    async def update(self, place, ref, reply):  # noqa: ANN001, ANN201
        pass

    async def check(self, place, notice):  # noqa: ANN001, ANN201
        pass


async def api_path(db: Path, members: int, rounds: int) -> tuple[float, list[list[float]], int]:
    """Each round posts a new daily quiz that every member answers at once; returns the rate,
    the latencies per round (the first round also creates every member) and answers recorded."""
    now = [datetime(2026, 1, 5, 7, 0, tzinfo=timezone.utc)]
    service = await StudyService.open(Settings(database_url=f"sqlite+aiosqlite:///{db}"), clock=lambda: now[0])
    settle_heap()  # as `studybot run` does once started
    poster = Poster()
    service.attach("bench", poster)
    await service.handle(ctx("admin", True), Setup(time="06:00", timezone="UTC"))
    latencies: list[list[float]] = []
    recorded = 0
    total_time = 0.0
    for _ in range(rounds):
        await service.handle(ctx("admin", True), PostNow())
        card = next(c for c in poster.last.cards if c.choices)  # after the objective (and a Monday recap)
        quiz_id = codec.decode(card.choices[0].id).quiz_id
        picks = [frozenset(random.sample(range(len(card.choices)), card.pick)) for _ in range(members)]
        latencies.append([])

        async def one(i: int, quiz_id: int, pick: frozenset[int]) -> None:
            nonlocal recorded
            start = time.perf_counter()
            [reply] = await service.handle(ctx(f"member{i}"), Answer(quiz_id, pick))
            latencies[-1].append(time.perf_counter() - start)
            recorded += reply.cards[0].title.startswith(("✅", "❌"))

        start = time.perf_counter()
        await asyncio.gather(*(one(i, quiz_id, picks[i]) for i in range(members)))
        total_time += time.perf_counter() - start
        now[0] += timedelta(days=1)
        await service.run_due()
    await service.close()
    return members * rounds / total_time, latencies, recorded


def stdlib_path(db: Path, answers: int) -> float:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute(
        "CREATE TABLE answers (id INTEGER PRIMARY KEY, quiz_id INTEGER, member_id INTEGER, picks TEXT, "
        "correct BOOLEAN, points INTEGER, answered_at DATETIME, UNIQUE (quiz_id, member_id))"
    )
    start = time.perf_counter()
    for i in range(answers):
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO answers (quiz_id, member_id, picks, correct, points, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (i // 200, i, "1", True, 10, "2026-01-05 07:00:00"),
        )
        con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return answers / elapsed


async def leaderboard(db: Path, size: int, calls: int) -> tuple[list[float], list[float]]:
    """Seed a board of ``size`` members straight into the store, then time the public API."""
    service = await StudyService.open(Settings(database_url=f"sqlite+aiosqlite:///{db}"))
    await service.handle(ctx("admin", True), Setup(time="06:00", timezone="UTC"))
    rng = random.Random(7)
    at = datetime(2026, 1, 5, tzinfo=timezone.utc)
    async with service.sessions() as session, session.begin():
        group_id = await session.scalar(select(Group.id))
        await session.execute(insert(MemberRow), [
            dict(platform="bench", workspace="ws", user_id=f"m{i}", name=f"m{i}") for i in range(size)
        ])
        ids = (await session.scalars(select(MemberRow.id).where(MemberRow.user_id.like("m%")))).all()
        points = [rng.choice(range(0, 2000, 2)) for _ in ids]
        await session.execute(insert(Score), [
            dict(group_id=group_id, period="all", member_id=m, points=p, correct=p // 10, answered=p // 10 + 1,
                 first_scored_at=at) for m, p in zip(ids, points, strict=True)
        ])
        counts: dict[int, int] = {}
        for p in points:
            counts[p] = counts.get(p, 0) + 1
        await session.execute(insert(ScoreBucket), [
            dict(group_id=group_id, period="all", points=p, members=n) for p, n in counts.items()
        ])
    top, middle = [], []
    for i in range(calls):
        for user, out in (("m0", top), (f"m{size // 2 + i}", middle)):
            start = time.perf_counter()
            [reply] = await service.handle(ctx(user), Leaderboard("all"))
            out.append(time.perf_counter() - start)
            assert reply.cards[0].fields[0].value.startswith("#")
    await service.close()
    return top, middle


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200, help="members answering at once")
    parser.add_argument("--rounds", type=int, default=10, help="daily quizzes, each answered by every member")
    parser.add_argument("--board", type=int, default=100_000, help="members on the leaderboard")
    parser.add_argument("--calls", type=int, default=200, help="leaderboard requests to time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rate, rounds, recorded = await api_path(tmp / "api.db", args.members, args.rounds)
        latencies = [t for r in rounds for t in r]
        warm = [t for r in rounds[1:] for t in r] or latencies
        answers = args.members * args.rounds
        stdlib = stdlib_path(tmp / "stdlib.db", answers)
        print(f"answers: {args.members} concurrent members x {args.rounds} daily quizzes = {answers} answers "
              f"({recorded} recorded)")
        print(f"  public API (SQLAlchemy + aiosqlite, group commit): {rate:8.0f} answers/s  "
              f"p50 {1000 * statistics.median(latencies):.1f} ms  p99 {1000 * pct(latencies, 0.99):.1f} ms")
        print(f"    after the first round (members known):             p50 {1000 * statistics.median(warm):.1f} ms  "
              f"p99 {1000 * pct(warm, 0.99):.1f} ms")
        print(f"  stdlib sqlite3, one transaction per answer:         {stdlib:8.0f} answers/s")
        print(f"  ratio API / stdlib: {rate / stdlib:.2f}  (target >= 0.5; p99 target < 50 ms)")
        small_top, small_middle = await leaderboard(tmp / "small.db", 1_000, args.calls)
        top, middle = await leaderboard(tmp / "board.db", args.board, args.calls)
        print(f"leaderboard with {args.board} members (top 10 + my rank), {args.calls} calls each:")
        print(f"  asked by the leader:        p50 {1000 * statistics.median(top):.2f} ms  p99 {1000 * pct(top, 0.99):.2f} ms")
        print(f"  asked by a mid-table member: p50 {1000 * statistics.median(middle):.2f} ms  "
              f"p99 {1000 * pct(middle, 0.99):.2f} ms  (target < 5 ms)")
        ratio = statistics.median(middle) / statistics.median(small_middle)
        print(f"  the same with 1,000 members: p50 {1000 * statistics.median(small_middle):.2f} ms  "
              f"(ratio {args.board:,} / 1,000 members: {ratio:.2f})")


if __name__ == "__main__":
    asyncio.run(main())
