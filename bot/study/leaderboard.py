"""Group boards from maintained aggregates: top N, ranks with ties, a member's own place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.commands import Member as ChatMember
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


def _members_above(points) -> ScalarSelect[int]:  # noqa: ANN001 - a column or a value
    """How many members of the board hold more points: a range sum over the buckets."""
    return (
        select(func.coalesce(func.sum(Above.members), 0))
        .where(Above.group_id == Score.group_id, Above.period == Score.period, Above.points > points)
        .scalar_subquery()
    )


Above = aliased(ScoreBucket)


async def board(
    session: AsyncSession, group_id: int, period: str, member: ChatMember | None, top: int = 10
) -> Board:
    """Two indexed reads whatever the board's size: the top rows, and my row with the total;
    ranks are range sums over the point buckets, not counts over members. ``member`` is found
    by its platform identity in the same read, so asking costs no member lookup."""
    on_board = (Score.group_id == group_id, Score.period == period)
    top_rows = (
        await session.execute(
            select(Score.points, Member.name, Member.id, _members_above(Score.points))
            .join(Member, Member.id == Score.member_id)
            .where(*on_board)
            .order_by(Score.points.desc(), Score.first_scored_at, Score.member_id)
            .limit(top)
        )
    ).all()
    rows = [Row(int(above) + 1, name, points, mid) for points, name, mid, above in top_rows]
    total = (
        select(func.coalesce(func.sum(ScoreBucket.members), 0))
        .where(ScoreBucket.group_id == group_id, ScoreBucket.period == period)
        .scalar_subquery()
    )
    mine = None
    if member is not None:
        mine = (
            await session.execute(
                select(Score.points, Member.name, Member.id, _members_above(Score.points), total)
                .join(Member, Member.id == Score.member_id)
                .where(*on_board, Member.platform == member.platform, Member.workspace == member.workspace,
                       Member.user_id == member.user_id)
            )
        ).first()
    if mine is None:
        return Board(rows, None, int(await session.scalar(select(total))))
    points, name, member_id, above, members = mine
    me = next((r for r in rows if r.member_id == member_id), None) or Row(int(above) + 1, name, points, member_id)
    return Board(rows, me, int(members))


@dataclass(frozen=True, slots=True)
class MemberStats:
    progress: dict[str, tuple[int, int]]  # domain id -> (answered, correct)
    streak: int
    best_streak: int
    rank: int | None
    points: int
    members: int


async def member_stats(
    session: AsyncSession, member: ChatMember, member_id: int | None, group_id: int | None, latest_seq: int | None
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
        b = await board(session, group_id, "all", member, top=0)
        members = b.members
        if b.me is not None:
            rank, points = b.me.rank, b.me.points
    return MemberStats(progress, streak, best, rank, points, members)
