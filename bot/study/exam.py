"""Timed mock exams: draw by the exam's domain weights, one question at a time, score at the end.

An exam is a row with its deadline plus one private quiz (kind "exam") per question, so its
answers go through the AnswerDesk like any other (they reschedule FSRS cards and count toward
progress, never toward a board: only daily answers score). Each quiz closes at the exam's
deadline, so the desk refuses a late answer. The exam ends at its last answer or at its
deadline, whichever comes first; the scheduler ends expired exams, and so does the next touch.
Ending is claimed with ``UPDATE ... WHERE finished_at IS NULL``, so it happens once.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import Member
from bot.content.pack import Objective, Pack, Question
from bot.store.members import MemberIds
from bot.store.models import Answer, Exam, ExamItem, Quiz
from bot.study.quiz import AnswerDesk, decode_picks, shuffled_order
from bot.study.readiness import PASS, SCALE, shares

PER_QUESTION = timedelta(minutes=2)
MIN_QUESTIONS, MAX_QUESTIONS, DEFAULT_QUESTIONS = 10, 60, 40
PER_OBJECTIVE = 2  # each objective at most twice in one exam
RECENT_EXAMS = 3  # questions of the member's last exams are avoided while others remain


def domain_counts(pack: Pack, n: int) -> dict[str, int]:
    """Questions per domain: ``n`` split by exam share (largest remainders), no domain asked
    more than its objectives allow; what a full domain cannot take goes to the others."""
    share = shares(pack)
    room = {d.id: PER_OBJECTIVE * sum(1 for o in pack.objectives if o.domain.id == d.id) for d in pack.domains}
    raw = {d: n * s for d, s in share.items()}
    counts = {d: min(room[d], math.floor(v)) for d, v in raw.items()}
    order = sorted(raw, key=lambda d: (-(raw[d] - math.floor(raw[d])), -share[d]))
    while sum(counts.values()) < n and any(counts[d] < room[d] for d in counts):
        for d in order:
            if sum(counts.values()) < n and counts[d] < room[d]:
                counts[d] += 1
    return counts


def draw(pack: Pack, n: int, recent: set[str], rng: random.Random) -> list[Question]:
    picked: list[Question] = []
    for domain_id, count in domain_counts(pack, n).items():
        objectives = [o for o in pack.objectives if o.domain.id == domain_id]
        rounds = [rng.sample(objectives, len(objectives)) for _ in range(PER_OBJECTIVE)]
        for objective in [o for r in rounds for o in r][:count]:
            bank = [q for q in pack.questions_by_objective[objective.id] if q not in picked]
            fresh = [q for q in bank if q.id not in recent]
            picked.append(rng.choice(fresh or bank))
    rng.shuffle(picked)
    return picked


@dataclass(frozen=True, slots=True)
class Step:
    """The question a running exam is on."""

    exam: Exam
    number: int  # 1-based
    quiz: Quiz
    question: Question
    objective: Objective
    time_left: timedelta


@dataclass(frozen=True, slots=True)
class Missed:
    question: Question
    quiz: Quiz
    objective: Objective
    picks: frozenset[int] | None  # None: not answered


@dataclass(frozen=True, slots=True)
class Result:
    exam: Exam
    domains: dict[str, tuple[int, int]]  # domain id -> (correct, asked)
    missed: list[Missed]
    answered: int

    @property
    def passed(self) -> bool:
        return (self.exam.scaled or 0) >= PASS


@dataclass(frozen=True, slots=True)
class Started:
    step: Step
    already: bool  # an exam was running: this is it, not a new one


class Exams:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], pack: Pack, members: MemberIds,
                 desk: AnswerDesk, clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.pack = pack
        self.members = members
        self.desk = desk
        self.now = clock

    async def start(self, member: Member, n: int, rng: random.Random | None = None) -> Started | Result:
        """Start an exam of ``n`` questions, or return the running one (or its result, if it just expired)."""
        running = await self.current(member)
        if running is not None:
            return Started(running, True) if isinstance(running, Step) else running
        rng = rng or random.Random()
        now = self.now()
        try:
            async with self.sessions() as session, session.begin():
                member_id = await self.members.id_of(session, member)
                recent_exams = select(Exam.id).where(Exam.member_id == member_id) \
                    .order_by(Exam.started_at.desc()).limit(RECENT_EXAMS).scalar_subquery()
                recent = set(await session.scalars(
                    select(Quiz.question_id).join(ExamItem, ExamItem.quiz_id == Quiz.id)
                    .where(ExamItem.exam_id.in_(recent_exams))
                ))
                drawn = draw(self.pack, n, recent, rng)  # fewer than n only for a pack too small for it
                exam = Exam(member_id=member_id, running_member_id=member_id, questions=len(drawn), started_at=now,
                            ends_at=now + len(drawn) * PER_QUESTION)
                quizzes = [
                    Quiz(kind="exam", owner_id=member_id, question_id=q.id, objective_id=q.objective_id,
                         option_order=shuffled_order(q, rng), opened_at=now, closes_at=exam.ends_at)
                    for q in drawn
                ]
                session.add(exam)
                session.add_all(quizzes)
                await session.flush()
                session.add_all([ExamItem(exam_id=exam.id, position=i, quiz_id=q.id) for i, q in enumerate(quizzes)])
        except IntegrityError:  # another process started one for this member at the same moment
            running = await self.current(member)
            if running is None:
                raise
            return Started(running, True) if isinstance(running, Step) else running
        first = quizzes[0]
        question = self.pack.question_by_id[first.question_id]
        return Started(Step(exam, 1, first, question, self.pack.objective_by_id[question.objective_id],
                            exam.ends_at - now), False)

    async def current(self, member: Member) -> Step | Result | None:
        """The member's running exam at its next question; an expired one is ended and its
        result returned; None when no exam runs."""
        async with self.sessions() as session:
            member_id = await self.members.find(session, member)
            if member_id is None:
                return None
            exam = await session.scalar(select(Exam).where(Exam.running_member_id == member_id))
        if exam is None:
            return None
        return await self.resume(exam.id)

    async def resume(self, exam_id: int) -> Step | Result:
        """Where an exam stands after a touch (an answer, ``/exam``): its next question, or its result."""
        now = self.now()
        async with self.sessions() as session:
            exam = await session.get(Exam, exam_id)
            if exam.finished_at is None and now < exam.ends_at:
                row = (await session.execute(
                    select(ExamItem.position, Quiz).join(Quiz, Quiz.id == ExamItem.quiz_id)
                    .outerjoin(Answer, (Answer.quiz_id == Quiz.id) & (Answer.member_id == exam.member_id))
                    .where(ExamItem.exam_id == exam.id, Answer.id.is_(None))
                    .order_by(ExamItem.position).limit(1)
                )).first()
                if row is not None:
                    position, quiz = row
                    question = self.pack.question_by_id[quiz.question_id]
                    return Step(exam, position + 1, quiz, question, self.pack.objective_by_id[question.objective_id],
                                exam.ends_at - now)
        return await self.finish(exam_id)

    async def finish(self, exam_id: int) -> Result:
        """End the exam (once: a second call only reads) and score it."""
        # answers submitted before the end count: let them commit, then score under the desk's lock
        await self.desk.settle()
        now = self.now()
        async with self.desk.lock:
            async with self.sessions() as session, session.begin():
                exam = await session.get(Exam, exam_id)
                items = (await session.execute(
                    select(Quiz, Answer.picks, Answer.correct).join(ExamItem, ExamItem.quiz_id == Quiz.id)
                    .outerjoin(Answer, (Answer.quiz_id == Quiz.id) & (Answer.member_id == exam.member_id))
                    .where(ExamItem.exam_id == exam.id).order_by(ExamItem.position)
                )).all()
                domains: dict[str, list[int]] = defaultdict(lambda: [0, 0])
                missed: list[Missed] = []
                for quiz, picks, correct in items:
                    question = self.pack.question_by_id[quiz.question_id]
                    objective = self.pack.objective_by_id[question.objective_id]
                    d = domains[objective.domain.id]
                    d[1] += 1
                    if correct:
                        d[0] += 1
                    else:
                        missed.append(Missed(question, quiz, objective, decode_picks(picks) if picks else None))
                answered = sum(1 for _, picks, _ in items if picks is not None)
                if exam.finished_at is None:
                    end = min(now, exam.ends_at)
                    right = sum(c for c, _ in domains.values())
                    claimed = await session.execute(
                        update(Exam).where(Exam.id == exam.id, Exam.finished_at.is_(None)).values(
                            finished_at=end, running_member_id=None, correct=right,
                            scaled=round(SCALE * right / exam.questions),
                            seconds_used=int((end - exam.started_at).total_seconds()),
                            domains={k: v for k, v in domains.items()},
                        )
                    )
                    if claimed.rowcount == 1:
                        await session.execute(update(Quiz).where(
                            Quiz.id.in_([q.id for q, _, _ in items]), Quiz.closed_at.is_(None)).values(closed_at=end))
                    await session.refresh(exam)
        ordered = {d.id: tuple(domains[d.id]) for d in self.pack.domains if d.id in domains}
        return Result(exam, ordered, missed, answered)

    async def finish_expired(self, now: datetime) -> int:
        """End every exam whose time ran out (the scheduler's call); how many were ended."""
        async with self.sessions() as session:
            expired = list(await session.scalars(
                select(Exam.id).where(Exam.finished_at.is_(None), Exam.ends_at <= now)
            ))
        for exam_id in expired:
            await self.finish(exam_id)
        return len(expired)

    async def history(self, member: Member, limit: int = 10) -> list[Exam]:
        async with self.sessions() as session:
            member_id = await self.members.find(session, member)
            if member_id is None:
                return []
            return list(await session.scalars(
                select(Exam).where(Exam.member_id == member_id, Exam.finished_at.is_not(None))
                .order_by(Exam.started_at.desc()).limit(limit)
            ))

    async def exam_of(self, quiz_id: int) -> int | None:
        async with self.sessions() as session:
            return await session.scalar(select(ExamItem.exam_id).where(ExamItem.quiz_id == quiz_id))
