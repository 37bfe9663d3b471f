"""Daily quizzes and practice questions: open, answer once, grade, close, results.

Answers go through one :class:`AnswerDesk` per process. It commits whatever answers are
waiting in a single transaction (group commit), so a burst of members clicking at once costs
one durable commit instead of one each, and every member is told the result only after the
commit that records it. One answer per member per quiz is a unique constraint; the first
answer counts and a retried or doubled click changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import Member, Place
from bot.content.pack import Pack, Question
from bot.store.members import MemberIds
from bot.store.models import Answer, Group, Progress, Quiz, Score, ScoreBucket, Standing
from bot.store.models import Member as MemberRow
from bot.store.upsert import insert_for

log = logging.getLogger(__name__)

POINTS_CORRECT = 10
STREAK_STEP = 2
STREAK_CAP = 10
MAX_BATCH = 500


def points_for(streak: int) -> int:
    """Points for a correct daily answer that makes a streak of ``streak`` posts in a row:
    10, plus 2 for each earlier post in the streak, the bonus capped at 10 (20 in all)."""
    return POINTS_CORRECT + min(STREAK_STEP * (streak - 1), STREAK_CAP)


class Status(Enum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"  # already answered; nothing changed
    CLOSED = "closed"
    MISSING = "missing"  # no such quiz (an id from somewhere else)
    INVALID = "invalid"  # wrong number of picks, or a position out of range
    NOT_YOURS = "not_yours"  # someone else's practice question
    ELSEWHERE = "elsewhere"  # a daily quiz of another group than the one where it was clicked


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    quiz: Quiz | None = None
    question: Question | None = None
    picks: frozenset[int] = frozenset()  # what counts: the new answer, or the earlier one
    correct: bool = False
    points: int = 0
    streak: int = 0


@dataclass(slots=True)
class _Pending:
    quiz_id: int
    member: Member
    place: Place  # where the click happened (the platform says so; the quiz id is only a claim)
    picks: frozenset[int]
    at: datetime
    future: asyncio.Future[Outcome]
    member_id: int = 0  # resolved in the batch


def shuffled_order(question: Question, rng: random.Random) -> str:
    keys = [k for k, _ in question.options]
    rng.shuffle(keys)
    return "".join(keys)


def correct_positions(quiz: Quiz, question: Question) -> frozenset[int]:
    return frozenset(i for i, key in enumerate(quiz.option_order) if key in question.answer)


def encode_picks(picks: frozenset[int]) -> str:
    return "".join(str(p) for p in sorted(picks))


def decode_picks(text: str) -> frozenset[int]:
    return frozenset(int(c) for c in text)


class AnswerDesk:
    """Records answers in group commits; see the module docstring."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], pack: Pack, clock: Callable[[], datetime], members: MemberIds
    ) -> None:
        self.sessions = sessions
        self.pack = pack
        self.clock = clock
        self.members = members
        self._queue: list[_Pending] = []
        self._batch: list[_Pending] = []  # the batch committing now
        self._worker: asyncio.Task[None] | None = None
        #: Held while a batch commits; closing a quiz takes it too, so no answer slips in after.
        self.lock = asyncio.Lock()

    async def submit(self, quiz_id: int, member: Member, place: Place, picks: frozenset[int]) -> Outcome:
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(quiz_id, member, place, picks, self.clock(), future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())
        return await future

    async def settle(self) -> int:
        """Wait until every answer submitted so far is committed (or has failed); how many there were.
        A close calls this first: an answer acknowledged before the close began is counted."""
        waiting = [i.future for i in (*self._batch, *self._queue) if not i.future.done()]
        if waiting:
            await asyncio.wait(waiting)
        return len(waiting)

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            self._batch = batch
            async with self.lock:
                try:
                    results = await self._commit(batch)
                except IntegrityError:
                    # another process answered for one of these members at the same moment:
                    # redo them one by one so each sees what the other committed
                    results = []
                    for item in batch:
                        try:
                            results += await self._commit([item])
                        except Exception as e:  # noqa: BLE001 - handed to the waiting caller
                            results.append(e)
                except Exception as e:  # noqa: BLE001 - handed to every waiting caller
                    results = [e] * len(batch)
            for item, result in zip(batch, results, strict=True):
                if item.future.done():
                    continue
                if isinstance(result, BaseException):
                    item.future.set_exception(result)
                else:
                    item.future.set_result(result)
            self._batch = []

    async def _commit(self, batch: list[_Pending]) -> list[Outcome]:
        async with self.sessions() as session, session.begin():
            return await self._record(session, batch)

    async def _record(self, session: AsyncSession, batch: list[_Pending]) -> list[Outcome]:
        quiz_ids = {i.quiz_id for i in batch}
        found = await session.execute(
            select(Quiz, Group.platform, Group.channel, MemberRow.platform, MemberRow.workspace, MemberRow.user_id)
            .outerjoin(Group, Group.id == Quiz.group_id).outerjoin(MemberRow, MemberRow.id == Quiz.owner_id)
            .where(Quiz.id.in_(quiz_ids))
        )
        quizzes = {row[0].id: row for row in found}
        refused: dict[int, Outcome] = {}  # position in the batch -> the refusal, decided before any write
        places = _PlaceGroups(session)
        for n, item in enumerate(batch):
            row = quizzes.get(item.quiz_id)
            quiz = row[0] if row else None
            question = self.pack.question_by_id.get(quiz.question_id) if quiz else None
            if quiz is None or question is None:
                refused[n] = Outcome(Status.MISSING)
            elif quiz.kind == "practice":
                if (item.member.platform, item.member.workspace, item.member.user_id) != tuple(row[3:6]):
                    refused[n] = Outcome(Status.NOT_YOURS, quiz, question)
            elif not await places.owns(item.place, quiz.group_id, row[1], row[2]):
                refused[n] = Outcome(Status.ELSEWHERE)
        accepted = [item for n, item in enumerate(batch) if n not in refused]
        ids = await self.members.resolve(session, [i.member for i in accepted]) if accepted else []
        for item, member_id in zip(accepted, ids, strict=True):
            item.member_id = member_id
        earlier = {
            (qid, mid): picks
            for qid, mid, picks in await session.execute(
                select(Answer.quiz_id, Answer.member_id, Answer.picks).where(
                    Answer.quiz_id.in_(quiz_ids), Answer.member_id.in_({i.member_id for i in accepted})
                )
            )
        } if accepted else {}
        outcomes: list[Outcome] = []
        graded: list[tuple[_Pending, Quiz, Question, bool]] = []
        for n, item in enumerate(batch):
            if n in refused:
                outcomes.append(refused[n])
                continue
            quiz = quizzes[item.quiz_id][0]
            question = self.pack.question_by_id[quiz.question_id]
            key = (quiz.id, item.member_id)
            if key in earlier:
                outcomes.append(Outcome(Status.DUPLICATE, quiz, question, decode_picks(earlier[key])))
                continue
            if quiz.closed_at is not None or (quiz.closes_at is not None and item.at >= quiz.closes_at):
                outcomes.append(Outcome(Status.CLOSED, quiz, question))
                continue
            if len(item.picks) != question.pick or not all(0 <= p < len(quiz.option_order) for p in item.picks):
                outcomes.append(Outcome(Status.INVALID, quiz, question))
                continue
            correct = item.picks == correct_positions(quiz, question)
            earlier[key] = encode_picks(item.picks)
            graded.append((item, quiz, question, correct))
            outcomes.append(Outcome(Status.RECORDED, quiz, question, item.picks, correct))
        if not graded:
            return outcomes

        scored = await self._score(session, graded)
        await session.execute(insert_for(session, Answer), [
            dict(quiz_id=quiz.id, member_id=item.member_id, picks=encode_picks(item.picks), correct=correct,
                 points=scored.get((quiz.id, item.member_id), (0, 0))[0], answered_at=item.at)
            for item, quiz, _question, correct in graded
        ])
        await self._progress(session, graded)
        return [
            Outcome(o.status, o.quiz, o.question, o.picks, o.correct, *scored.get((o.quiz.id, item.member_id), (0, 0)))
            if o.status is Status.RECORDED else o
            for item, o in zip(batch, outcomes, strict=True)
        ]

    async def _score(self, session: AsyncSession, graded) -> dict[tuple[int, int], tuple[int, int]]:  # noqa: ANN001
        """Streaks, points and the boards' aggregates for the daily answers in ``graded``."""
        daily = [(i, q, c) for i, q, _, c in graded if q.kind == "daily"]
        if not daily:
            return {}
        pairs = {(q.group_id, i.member_id) for i, q, _ in daily}
        standings = {
            (s.group_id, s.member_id): s
            for s in await session.scalars(
                select(Standing).where(
                    Standing.group_id.in_({g for g, _ in pairs}), Standing.member_id.in_({m for _, m in pairs})
                )
            )
        }
        state = {
            key: [s.streak, s.best_streak, s.last_seq] if (s := standings.get(key)) else [0, 0, -1]
            for key in pairs
        }
        scored: dict[tuple[int, int], tuple[int, int]] = {}
        deltas: dict[tuple[int, str, int], list] = {}  # (group, period, member) -> [points, correct, answered, at]
        for item, quiz, correct in sorted(daily, key=lambda t: t[1].seq or 0):
            st = state[(quiz.group_id, item.member_id)]
            points = 0
            if correct:
                if quiz.seq == st[2] + 1:
                    st[0] += 1
                elif quiz.seq > st[2]:
                    st[0] = 1
                st[1] = max(st[1], st[0])
                if quiz.seq > st[2]:
                    st[2] = quiz.seq
                points = points_for(max(st[0], 1))
            elif quiz.seq > st[2]:
                st[0] = 0
            scored[(quiz.id, item.member_id)] = (points, st[0])
            for period in ("all", quiz.week):
                d = deltas.setdefault((quiz.group_id, period, item.member_id), [0, 0, 0, item.at])
                d[0] += points
                d[1] += int(correct)
                d[2] += 1

        ins = insert_for(session, Standing)
        await session.execute(
            ins.on_conflict_do_update(
                index_elements=["group_id", "member_id"],
                set_=dict(streak=ins.excluded.streak, best_streak=ins.excluded.best_streak, last_seq=ins.excluded.last_seq),
            ),
            [dict(group_id=g, member_id=m, streak=s[0], best_streak=s[1], last_seq=s[2]) for (g, m), s in state.items()],
        )

        # one read and one write for every board row this batch touches; the increments in the
        # upsert stay right even if another process wrote in between, the bucket moves use the read
        groups, periods, member_ids = ({k[i] for k in deltas} for i in range(3))
        before = {
            (g, p, m): points
            for g, p, m, points in await session.execute(
                select(Score.group_id, Score.period, Score.member_id, Score.points).where(
                    Score.group_id.in_(groups), Score.period.in_(periods), Score.member_id.in_(member_ids)
                )
            )
        }
        ins = insert_for(session, Score)
        await session.execute(
            ins.on_conflict_do_update(
                index_elements=["group_id", "period", "member_id"],
                set_=dict(
                    points=Score.points + ins.excluded.points,
                    correct=Score.correct + ins.excluded.correct,
                    answered=Score.answered + ins.excluded.answered,
                ),
            ),
            [dict(group_id=g, period=p, member_id=m, points=d[0], correct=d[1], answered=d[2], first_scored_at=d[3])
             for (g, p, m), d in deltas.items()],
        )
        buckets: dict[tuple[int, str, int], int] = defaultdict(int)
        for (group_id, period, member_id), (points, _correct, _answered, _at) in deltas.items():
            old = before.get((group_id, period, member_id))
            if old is not None:
                if points == 0:
                    continue
                buckets[(group_id, period, old)] -= 1
            buckets[(group_id, period, (old or 0) + points)] += 1
        if buckets:
            ins = insert_for(session, ScoreBucket)
            await session.execute(
                ins.on_conflict_do_update(
                    index_elements=["group_id", "period", "points"],
                    set_=dict(members=ScoreBucket.members + ins.excluded.members),
                ),
                [dict(group_id=g, period=p, points=pts, members=n) for (g, p, pts), n in buckets.items() if n],
            )
            await session.execute(delete(ScoreBucket).where(ScoreBucket.members <= 0))
        return scored

    async def _progress(self, session: AsyncSession, graded) -> None:  # noqa: ANN001
        totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        for item, _quiz, question, correct in graded:
            domain = self.pack.objective_by_id[question.objective_id].domain.id
            t = totals[(item.member_id, domain)]
            t[0] += 1
            t[1] += int(correct)
        ins = insert_for(session, Progress)
        await session.execute(
            ins.on_conflict_do_update(
                index_elements=["member_id", "domain_id"],
                set_=dict(answered=Progress.answered + ins.excluded.answered, correct=Progress.correct + ins.excluded.correct),
            ),
            [dict(member_id=m, domain_id=d, answered=a, correct=c) for (m, d), (a, c) in totals.items()],
        )


class _PlaceGroups:
    """Which group a place belongs to, as the member sees it: the group of the click's channel
    (on Slack, members of another organisation in a shared channel count too, so the workspace
    is not compared), else the first group of the click's workspace (the one ``/today`` and
    the App Home show outside the group's channel). Looked up only when the channel differs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._known: dict[Place, int | None] = {}

    async def owns(self, place: Place, group_id: int | None, platform: str | None, channel: str | None) -> bool:
        if group_id is None or place.platform != platform:
            return False
        if place.channel == channel:
            return True
        if place not in self._known:
            here = await self.session.scalar(
                select(Group.id).where(Group.platform == place.platform, Group.channel == place.channel)
                .order_by(Group.id).limit(1)
            ) if place.channel else None
            if here is None:
                here = await self.session.scalar(
                    select(Group.id).where(Group.platform == place.platform, Group.workspace == place.workspace)
                    .order_by(Group.id).limit(1)
                )
            self._known[place] = here
        return self._known[place] == group_id


@dataclass(frozen=True, slots=True)
class Results:
    quiz: Quiz
    question: Question
    counts: dict[int, int]  # position -> members who picked it
    answered: int
    correct: int
    first_correct: str | None  # display name


async def results(session: AsyncSession, pack: Pack, quiz: Quiz) -> Results:
    from bot.store.models import Member  # local: only results need names

    question = pack.question_by_id[quiz.question_id]
    counts: dict[int, int] = defaultdict(int)
    answered = correct = 0
    for picks, right, n in await session.execute(
        select(Answer.picks, Answer.correct, func.count()).where(Answer.quiz_id == quiz.id).group_by(Answer.picks, Answer.correct)
    ):
        answered += n
        correct += n if right else 0
        for p in decode_picks(picks):
            counts[p] += n
    first = await session.scalar(
        select(Member.name).join(Answer, Answer.member_id == Member.id)
        .where(Answer.quiz_id == quiz.id, Answer.correct.is_(True))
        .order_by(Answer.answered_at, Answer.id).limit(1)
    )
    return Results(quiz, question, dict(counts), answered, correct, first)


async def close(session: AsyncSession, quiz_id: int, now: datetime) -> bool:
    """Mark a quiz closed; False if it was closed already (by another tick or process)."""
    result = await session.execute(
        update(Quiz).where(Quiz.id == quiz_id, Quiz.closed_at.is_(None)).values(closed_at=now)
    )
    return result.rowcount == 1
