"""Group boards from maintained aggregates: top N, ranks with ties, a member's own place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
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


async def board(session: AsyncSession, group_id: int, period: str, member_id: int | None, top: int = 10) -> Board:
    """Four small indexed reads whatever the board's size (ranks come from the point buckets)."""
    top_rows = (
        await session.execute(
            select(Score.points, Member.name, Member.id)
            .join(Member, Member.id == Score.member_id)
            .where(Score.group_id == group_id, Score.period == period)
            .order_by(Score.points.desc(), Score.first_scored_at, Score.member_id)
            .limit(top)
        )
    ).all()
    mine = None
    if member_id is not None:
        mine = (
            await session.execute(
                select(Score.points, Member.name)
                .join(Member, Member.id == Score.member_id)
                .where(Score.group_id == group_id, Score.period == period, Score.member_id == member_id)
            )
        ).first()
    on_board = (ScoreBucket.group_id == group_id, ScoreBucket.period == period)
    # members above each top score (a handful of buckets), then the total and the count above me
    floor = top_rows[-1][0] if top_rows else None
    above: dict[int, int] = {}
    if floor is not None:
        seen = 0
        for points, n in await session.execute(
            select(ScoreBucket.points, ScoreBucket.members).where(*on_board, ScoreBucket.points >= floor)
            .order_by(ScoreBucket.points.desc())
        ):
            above[points] = seen
            seen += n
    total, over_me = (
        await session.execute(
            select(
                func.coalesce(func.sum(ScoreBucket.members), 0),
                func.coalesce(func.sum(case((ScoreBucket.points > (mine[0] if mine else 0), ScoreBucket.members), else_=0)), 0),
            ).where(*on_board)
        )
    ).one()
    rows = [Row(above.get(points, 0) + 1, name, points, mid) for points, name, mid in top_rows]
    me = next((r for r in rows if r.member_id == member_id), None)
    if me is None and mine is not None:
        me = Row(int(over_me) + 1, mine[1], mine[0], member_id)
    return Board(rows, me, int(total))


@dataclass(frozen=True, slots=True)
class MemberStats:
    progress: dict[str, tuple[int, int]]  # domain id -> (answered, correct)
    streak: int
    best_streak: int
    rank: int | None
    points: int
    members: int


async def member_stats(
    session: AsyncSession, member_id: int | None, group_id: int | None, latest_seq: int | None
) -> MemberStats:
    if member_id is None:
        members = (await board(session, group_id, "all", None, top=0)).members if group_id is not None else 0
        return MemberStats({}, 0, 0, None, 0, members)
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
