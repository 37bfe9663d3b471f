"""Group boards from maintained aggregates: top N, ranks with ties, a member's own place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Member, Progress, Score, ScoreBucket, Standing


@dataclass(frozen=True, slots=True)
class Row:
    rank: int  # competition ranking: ties share a rank (1, 2, 2, 4)
    name: str
    points: int
    member_id: int


@dataclass(frozen=True, slots=True)
class Board:
    rows: list[Row]
    me: Row | None  # None when the member has not answered on this board yet
    members: int


async def _rank_of(session: AsyncSession, group_id: int, period: str, points: int) -> int:
    above = await session.scalar(
        select(func.coalesce(func.sum(ScoreBucket.members), 0)).where(
            ScoreBucket.group_id == group_id, ScoreBucket.period == period, ScoreBucket.points > points
        )
    )
    return int(above) + 1


async def board(session: AsyncSession, group_id: int, period: str, member_id: int | None, top: int = 10) -> Board:
    top_rows = (
        await session.execute(
            select(Score.points, Member.name, Member.id)
            .join(Member, Member.id == Score.member_id)
            .where(Score.group_id == group_id, Score.period == period)
            .order_by(Score.points.desc(), Score.first_scored_at, Score.member_id)
            .limit(top)
        )
    ).all()
    buckets = dict(
        (
            await session.execute(
                select(ScoreBucket.points, ScoreBucket.members).where(
                    ScoreBucket.group_id == group_id, ScoreBucket.period == period,
                    ScoreBucket.points >= (top_rows[-1][0] if top_rows else 0),
                )
            )
        ).all()
    )
    rows = []
    for points, name, mid in top_rows:
        rank = 1 + sum(n for p, n in buckets.items() if p > points)
        rows.append(Row(rank, name, points, mid))
    members = int(
        await session.scalar(
            select(func.coalesce(func.sum(ScoreBucket.members), 0)).where(
                ScoreBucket.group_id == group_id, ScoreBucket.period == period
            )
        )
    )
    me = next((r for r in rows if r.member_id == member_id), None)
    if me is None and member_id is not None:
        mine = (
            await session.execute(
                select(Score.points, Member.name)
                .join(Member, Member.id == Score.member_id)
                .where(Score.group_id == group_id, Score.period == period, Score.member_id == member_id)
            )
        ).first()
        if mine is not None:
            me = Row(await _rank_of(session, group_id, period, mine[0]), mine[1], mine[0], member_id)
    return Board(rows, me, members)


@dataclass(frozen=True, slots=True)
class MemberStats:
    progress: dict[str, tuple[int, int]]  # domain id -> (answered, correct)
    streak: int
    best_streak: int
    rank: int | None
    points: int
    members: int


async def member_stats(
    session: AsyncSession, member_id: int, group_id: int | None, latest_seq: int | None
) -> MemberStats:
    progress = {
        d: (a, c)
        for d, a, c in await session.execute(
            select(Progress.domain_id, Progress.answered, Progress.correct).where(Progress.member_id == member_id)
        )
    }
    streak = best = points = members = 0
    rank = None
    if group_id is not None:
        standing = await session.get(Standing, (group_id, member_id))
        if standing is not None:
            best = standing.best_streak
            # a streak is alive while the member answered the latest post or the one before it
            alive = latest_seq is not None and standing.last_seq >= latest_seq - 1
            streak = standing.streak if alive else 0
        b = await board(session, group_id, "all", member_id, top=0)
        members = b.members
        if b.me is not None:
            rank, points = b.me.rank, b.me.points
    return MemberStats(progress, streak, best, rank, points, members)
