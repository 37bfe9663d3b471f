"""The weekly recap that goes with a group's first daily post of a week.

It covers the week before (weeks are named by their Monday, and an answer belongs to the week
of its quiz's post date), read from the maintained week boards plus one aggregate over that
week's answers:

- the top 3 of last week's board (members with points);
- the most improved member: the largest rise in weekly points from the week before last to
  last week, among members who answered in both weeks (a newcomer is new, not improved);
  ties go to more points last week, then to who scored first; nobody when no one rose;
- how many members answered, and the group's accuracy (correct answers / answers);
- the weakest objective: the lowest share of correct answers among the week's daily quizzes
  (ties: more answers, then the earlier post).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.store.models import Answer, Member, Quiz, Score
from bot.study.leaderboard import Row, board


@dataclass(frozen=True, slots=True)
class Improved:
    name: str
    gain: int  # points last week minus points the week before
    points: int  # points last week


@dataclass(frozen=True, slots=True)
class Weakest:
    objective_id: str
    answered: int
    correct: int


@dataclass(frozen=True, slots=True)
class Recap:
    week: str  # the recapped week's Monday, ISO
    top: list[Row]
    improved: Improved | None
    members: int  # members who answered that week
    answered: int
    correct: int
    weakest: Weakest | None


def _week_before(week: str) -> str:
    return (date.fromisoformat(week) - timedelta(days=7)).isoformat()


async def recap_for_post(session: AsyncSession, quiz: Quiz) -> Recap | None:
    """The recap to send with daily ``quiz``: only for the group's first post of its week, and
    only when the week before had daily quizzes. Reads committed rows only, so a post sent
    again after a failure carries the same recap."""
    if quiz.kind != "daily" or quiz.week is None or quiz.group_id is None:
        return None
    last = _week_before(quiz.week)
    daily = (Quiz.group_id == quiz.group_id, Quiz.kind == "daily")
    earlier_this_week, had_quizzes = (await session.execute(select(
        exists().where(*daily, Quiz.week == quiz.week, Quiz.seq < quiz.seq),
        exists().where(*daily, Quiz.week == last),
    ))).one()
    if earlier_this_week or not had_quizzes:
        return None
    return await week_recap(session, quiz.group_id, last)


async def week_recap(session: AsyncSession, group_id: int, week: str) -> Recap:
    top = [r for r in (await board(session, group_id, week, None, top=3)).rows if r.points > 0]
    members, answered, correct = (await session.execute(
        select(func.count(), func.coalesce(func.sum(Score.answered), 0), func.coalesce(func.sum(Score.correct), 0))
        .where(Score.group_id == group_id, Score.period == week)
    )).one()

    now, before = aliased(Score), aliased(Score)
    gain = now.points - before.points
    improved = (await session.execute(
        select(Member.name, gain, now.points)
        .join(before, and_(before.group_id == now.group_id, before.member_id == now.member_id,
                           before.period == _week_before(week)))
        .join(Member, Member.id == now.member_id)
        .where(now.group_id == group_id, now.period == week, gain > 0)
        .order_by(gain.desc(), now.points.desc(), now.first_scored_at, now.member_id)
        .limit(1)
    )).first()

    right = func.sum(case((Answer.correct.is_(True), 1), else_=0))
    per_objective = (await session.execute(
        select(Quiz.objective_id, func.count(), right, func.min(Quiz.seq))
        .join(Answer, Answer.quiz_id == Quiz.id)
        .where(Quiz.group_id == group_id, Quiz.kind == "daily", Quiz.week == week)
        .group_by(Quiz.objective_id)
    )).all()
    weakest = min(per_objective, key=lambda r: (r[2] / r[1], -r[1], r[3]), default=None)
    return Recap(
        week=week,
        top=top,
        improved=Improved(*improved) if improved else None,
        members=int(members),
        answered=int(answered),
        correct=int(correct),
        weakest=Weakest(weakest[0], int(weakest[1]), int(weakest[2])) if weakest else None,
    )
