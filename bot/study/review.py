"""What ``/review`` asks next: the member's most overdue card; when nothing is due, a new
question from the objective where the member stands to gain most (weight x (1 - recall))."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import Member
from bot.content.pack import Objective, Pack, Question
from bot.store.members import MemberIds
from bot.store.models import Quiz, ReviewCard
from bot.study import memory, readiness
from bot.study.quiz import shuffled_order

#: Due cards read per /review: enough to skip cards whose question left the pack.
DUE_WINDOW = 20


@dataclass(frozen=True, slots=True)
class Pick:
    """A review question to show, or (``quiz`` None) nothing due."""

    quiz: Quiz | None
    question: Question | None
    objective: Objective | None
    due: int  # cards due now, the picked one included
    next_due: datetime | None  # when nothing is due: when the next card is
    new: bool = False  # a new question, offered because nothing was due
    cards: int = 0  # the member's cards in all


class Reviews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], pack: Pack, members: MemberIds,
                 clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.pack = pack
        self.members = members
        self.now = clock

    async def next(self, member: Member, *, new: bool = False, rng: random.Random | None = None) -> Pick:
        rng = rng or random.Random()
        now = self.now()
        async with self.sessions() as session, session.begin():
            member_id = await self.members.id_of(session, member)
            mine = ReviewCard.member_id == member_id
            due = await session.scalar(select(func.count()).select_from(ReviewCard).where(mine, ReviewCard.due <= now))
            for question_id in await session.scalars(
                select(ReviewCard.question_id).where(mine, ReviewCard.due <= now).order_by(ReviewCard.due)
                .limit(DUE_WINDOW)
            ):
                if (question := self.pack.question_by_id.get(question_id)) is not None:
                    return await self._open(session, member_id, question, rng, Pick(None, None, None, int(due), None))
            if new:
                question = self._new_question(await memory.cards_of(session, [member_id]), now, rng)
                return await self._open(session, member_id, question, rng, Pick(None, None, None, 0, None, new=True))
            next_due, cards = (await session.execute(
                select(func.min(ReviewCard.due), func.count()).where(mine)
            )).one()
        return Pick(None, None, None, 0, next_due, cards=int(cards))

    async def _open(self, session: AsyncSession, member_id: int, question: Question, rng: random.Random,
                    pick: Pick) -> Pick:
        objective = self.pack.objective_by_id[question.objective_id]
        quiz = Quiz(kind="review", owner_id=member_id, question_id=question.id, objective_id=objective.id,
                    option_order=shuffled_order(question, rng), opened_at=self.now())
        session.add(quiz)
        await session.flush()
        return Pick(quiz, question, objective, pick.due, None, pick.new)

    def _new_question(self, cards: list[ReviewCard], now: datetime, rng: random.Random) -> Question:
        """An unseen question of the objective with the largest expected gain; once every
        question has a card, the one the member is likeliest to have forgotten."""
        seen = {c.question_id for c in cards}
        ranked = sorted(readiness.assess(self.pack, cards, now).objectives, key=lambda o: -o.gain)
        for o in ranked:
            unseen = [q for q in self.pack.questions_by_objective[o.objective.id] if q.id not in seen]
            if unseen:
                return rng.choice(unseen)
        known = [c for c in cards if c.question_id in self.pack.question_by_id]
        weakest = min(known, key=lambda c: memory.retrievability(c, now))
        return self.pack.question_by_id[weakest.question_id]
