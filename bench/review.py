"""Benchmark: what a review answer costs next to a daily answer, 200 members at once.

Each round posts a daily quiz that every member answers at once (the answer also reviews the
member's FSRS card for it), then, a day later, every member opens ``/review`` (untimed) and
answers their most overdue card at once (which reschedules that existing card). Both go
through ``StudyService.handle(Answer)``; prints the median time for all members' answers to
be acknowledged, per kind, p50/p99 per answer, and the ratio review / daily (target <= 1.5).

    python bench/review.py [--members 200] [--rounds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from answers import Poster, ctx, pct  # the daily-answer bench's members and poster (bench/ is on sys.path)

from bot import codec
from bot.commands import Answer, PostNow, Review, Setup
from bot.config import Settings
from bot.replies import Reply
from bot.service import StudyService


def quiz_of(reply: Reply) -> tuple[int, int, int]:
    card = next(c for c in reply.cards if c.choices)
    return codec.decode(card.choices[0].id).quiz_id, len(card.choices), card.pick


async def burst(service: StudyService, picks: dict[int, tuple[int, frozenset[int]]]) -> tuple[float, list[float]]:
    """Every member answers at once; (seconds until all are acknowledged, per-answer latencies)."""
    latencies: list[float] = []

    async def one(i: int, quiz_id: int, pick: frozenset[int]) -> None:
        start = time.perf_counter()
        replies = await service.handle(ctx(f"member{i}"), Answer(quiz_id, pick))
        latencies.append(time.perf_counter() - start)
        assert replies[0].cards and replies[0].cards[0].title.startswith(("✅", "❌")), replies[0]

    start = time.perf_counter()
    await asyncio.gather(*(one(i, q, p) for i, (q, p) in picks.items()))
    return time.perf_counter() - start, latencies


async def run(db: Path, members: int, rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    now = [datetime(2026, 1, 5, 7, 0, tzinfo=timezone.utc)]
    service = await StudyService.open(Settings(database_url=f"sqlite+aiosqlite:///{db}"), clock=lambda: now[0])
    poster = Poster()
    service.attach("bench", poster)
    rng = random.Random(5)
    await service.handle(ctx("admin", True), Setup(time="06:00", timezone="UTC"))
    out: dict[str, tuple[list[float], list[float]]] = {"daily": ([], []), "review": ([], [])}
    for n in range(rounds + 1):  # round 0 creates the members and their first cards: not counted
        await service.handle(ctx("admin", True), PostNow())
        quiz_id, options, pick = quiz_of(poster.last)
        daily = {i: (quiz_id, frozenset(rng.sample(range(options), pick))) for i in range(members)}
        took, latencies = await burst(service, daily)
        if n:
            out["daily"][0].append(took)
            out["daily"][1].extend(latencies)
        now[0] += timedelta(days=1)
        await service.run_due()
        review = {}
        for i in range(members):
            [reply] = await service.handle(ctx(f"member{i}"), Review())
            quiz_id, options, pick = quiz_of(reply)
            review[i] = (quiz_id, frozenset(rng.sample(range(options), pick)))
        took, latencies = await burst(service, review)
        if n:
            out["review"][0].append(took)
            out["review"][1].extend(latencies)
    await service.close()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200, help="members answering at once")
    parser.add_argument("--rounds", type=int, default=8, help="rounds of a daily burst and a review burst")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = await run(Path(tmp) / "review.db", args.members, args.rounds)
    print(f"{args.members} members answering at once, {args.rounds} rounds (after a warm-up round):")
    for kind, (bursts, latencies) in out.items():
        print(f"  {kind:6} answers: burst of {args.members} acknowledged in {1000 * statistics.median(bursts):6.1f} ms "
              f"(median)  per answer p50 {1000 * statistics.median(latencies):.1f} ms  "
              f"p99 {1000 * pct(latencies, 0.99):.1f} ms")
    ratio = statistics.median(out["review"][0]) / statistics.median(out["daily"][0])
    print(f"  ratio review / daily (median burst): {ratio:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    asyncio.run(main())
