"""Question health from real answers, and members' reports.

Figures come from answers to daily quizzes: each member's one first answer to a question the
whole group got. Practice answers are left out: practice favours what a member missed before,
so its answers are repeats, not a fair sample. Per question:

- answered, and the share correct;
- the most-chosen wrong option (by option key in the content file);
- the discrimination index D = p(top) - p(bottom): the share of correct answers among members
  in the top third of their group's all-time board minus that share among the bottom third.
  Thirds are NTILE(3) over the board in its own order (points, then who scored first), so with
  n members the top third holds ceil(n/3). D is unknown (None) while either third has no
  answer to the question. A good question has D > 0: the strongest members get it right more
  often than the weakest.

A question is **flagged** once it has at least :data:`MIN_ANSWERS` answers and either a wrong
option was chosen more often than the key (for "choose N" questions: than the least-chosen key),
or D < 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.pack import Pack
from bot.store.models import Answer, QuestionReport, Quiz, Score
from bot.store.upsert import insert_for

MIN_ANSWERS = 20
SPREAD = "a wrong option is chosen more often than the key"
INVERTED = "the bottom third does better than the top third"


@dataclass(slots=True)
class Health:
    question_id: str
    answered: int = 0
    correct: int = 0
    chosen: Counter[str] = field(default_factory=Counter)  # option key -> answers that picked it
    top: list[int] = field(default_factory=lambda: [0, 0])  # top third: [answered, correct]
    bottom: list[int] = field(default_factory=lambda: [0, 0])
    reports: Counter[str] = field(default_factory=Counter)  # reason -> members
    flags: list[str] = field(default_factory=list)

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def discrimination(self) -> float | None:
        if not self.top[0] or not self.bottom[0]:
            return None
        return self.top[1] / self.top[0] - self.bottom[1] / self.bottom[0]

    def top_wrong(self, answer: frozenset[str]) -> tuple[str, int] | None:
        """The most-chosen wrong option key and how often (the earlier key on a tie)."""
        wrong = sorted((-n, key) for key, n in self.chosen.items() if key not in answer and n > 0)
        return (wrong[0][1], -wrong[0][0]) if wrong else None


async def question_health(session: AsyncSession, pack: Pack, group_id: int | None = None) -> list[Health]:
    """Every question that has answers or reports, flags set; one group's, or all groups'."""
    board = (Score.period == "all",) + ((Score.group_id == group_id,) if group_id is not None else ())
    thirds = select(
        Score.group_id, Score.member_id,
        func.ntile(3).over(partition_by=Score.group_id,
                           order_by=(Score.points.desc(), Score.first_scored_at, Score.member_id)).label("third"),
    ).where(*board).subquery()
    daily = (Quiz.kind == "daily",) + ((Quiz.group_id == group_id,) if group_id is not None else ())
    rows = await session.execute(
        select(Quiz.question_id, Quiz.option_order, Answer.picks, Answer.correct, thirds.c.third, func.count())
        .join(Answer, Answer.quiz_id == Quiz.id)
        .outerjoin(thirds, and_(thirds.c.group_id == Quiz.group_id, thirds.c.member_id == Answer.member_id))
        .where(*daily)
        .group_by(Quiz.question_id, Quiz.option_order, Answer.picks, Answer.correct, thirds.c.third)
    )
    found: dict[str, Health] = {}
    for question_id, order, picks, correct, third, n in rows:
        h = found.setdefault(question_id, Health(question_id))
        h.answered += n
        h.correct += n if correct else 0
        for position in picks:
            h.chosen[order[int(position)]] += n
        for which, bucket in ((1, h.top), (3, h.bottom)):
            if third == which:
                bucket[0] += n
                bucket[1] += n if correct else 0
    reported = select(QuestionReport.question_id, QuestionReport.reason, func.count()).group_by(
        QuestionReport.question_id, QuestionReport.reason)
    if group_id is not None:
        reported = reported.where(QuestionReport.group_id == group_id)
    for question_id, reason, n in await session.execute(reported):
        found.setdefault(question_id, Health(question_id)).reports[reason] += n
    for h in found.values():
        question = pack.question_by_id.get(h.question_id)
        if question is not None and h.answered >= MIN_ANSWERS:
            least_key = min(h.chosen.get(k, 0) for k in question.answer)
            if any(n > least_key for k, n in h.chosen.items() if k not in question.answer):
                h.flags.append(SPREAD)
            if (d := h.discrimination) is not None and d < 0:
                h.flags.append(INVERTED)
    return sorted(found.values(), key=lambda h: (not h.flags, -sum(h.reports.values()), -h.answered, h.question_id))


async def latest_answered(session: AsyncSession, member_id: int) -> Quiz | None:
    return await session.scalar(
        select(Quiz).join(Answer, Answer.quiz_id == Quiz.id).where(Answer.member_id == member_id)
        .order_by(Answer.answered_at.desc(), Answer.id.desc()).limit(1)
    )


async def answered(session: AsyncSession, quiz_id: int, member_id: int) -> bool:
    return await session.scalar(
        select(Answer.id).where(Answer.quiz_id == quiz_id, Answer.member_id == member_id)
    ) is not None


async def file_report(
    session: AsyncSession, quiz: Quiz, member_id: int, group_id: int | None, reason: str, at: datetime
) -> str | None:
    """Store a member's report; returns the reason of their earlier report of this question
    instead when there is one (each member's report counts once per question)."""
    stored = await session.execute(
        insert_for(session, QuestionReport)
        .values(question_id=quiz.question_id, member_id=member_id, quiz_id=quiz.id, group_id=group_id,
                reason=reason, reported_at=at)
        .on_conflict_do_nothing(index_elements=["question_id", "member_id"])
    )
    if stored.rowcount == 1:
        return None
    return await session.scalar(
        select(QuestionReport.reason).where(QuestionReport.question_id == quiz.question_id,
                                            QuestionReport.member_id == member_id)
    )

