"""Daily quizzes and private questions (practice, review, exam): open, answer once, grade, close, results.

Answers go through one :class:`AnswerDesk` per process. It commits whatever answers are
waiting in a single transaction (group commit), so a burst of members clicking at once costs
one durable commit instead of one each, and every member is told the result only after the
commit that records it. One answer per member per quiz is a unique constraint; the first
answer counts and a retried or doubled click changes nothing. The same commit reschedules
the member's FSRS card for the question (:mod:`bot.study.memory`).
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

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import Member, Place
from bot.content.pack import Pack, Question
from bot.store.db import lock_for_writing
from bot.store.members import MemberIds
from bot.store.models import Answer, Group, Progress, Quiz, Score, ScoreBucket, Standing
from bot.store.models import Member as MemberRow
from bot.store.retry import Raced, retrying
from bot.store.upsert import insert_rows, keys_in
from bot.study import memory

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
    NOT_YOURS = "not_yours"  # someone else's practice, review or exam question
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
    held: bool = False  # put back once because another transaction held the member's rows


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
        self.recorded = 0  # answers this process has stored (a shutdown reports how many it finished)
        self._worker: asyncio.Task[None] | None = None
        self._daily_group: dict[int, int | None] = {}  # quiz id -> its group if daily (quizzes never move)
        self._standing: set[tuple[int, int]] = set()  # (group, member) standings known to exist
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
                results = await self._settle_batch(batch, wait=False)
                # a member another worker is recording right now: in the next batch if there is one
                # (that commit is over by then), else now, waiting for it
                held = [n for n, r in enumerate(results) if r is None]
                later = [n for n in held if not batch[n].held and self._queue]
                for n in later:
                    batch[n].held = True
                self._queue[:0] = [batch[n] for n in later]
                now = [n for n in held if n not in later]
                if now:
                    for n, result in zip(now, await self._settle_batch([batch[n] for n in now], wait=True), strict=True):
                        results[n] = result
            for item, result in zip(batch, results, strict=True):
                if item.future.done() or result is None:  # None: back in the queue
                    continue
                if isinstance(result, BaseException):
                    item.future.set_exception(result)
                else:
                    self.recorded += result.status is Status.RECORDED
                    item.future.set_result(result)
            self._batch = []

    async def _settle_batch(self, batch: list[_Pending], *, wait: bool) -> list[Outcome | BaseException | None]:
        try:
            return await self._commit(batch, wait=wait)
        except IntegrityError:
            # another process answered for one of these members at the same moment:
            # redo them one by one so each sees what the other committed
            results: list[Outcome | BaseException | None] = []
            for item in batch:
                try:
                    results += await self._commit([item], wait=True)
                except Exception as e:  # noqa: BLE001 - handed to the waiting caller
                    results.append(e)
            return results
        except Exception as e:  # noqa: BLE001 - handed to every waiting caller
            return [e] * len(batch)

    async def _commit(self, batch: list[_Pending], *, wait: bool) -> list[Outcome | None]:
        async def introduce() -> None:
            async with self.sessions() as session, session.begin():
                pairs = await self._introduce(session, batch)
            self._standing |= pairs

        async def attempt() -> list[Outcome | None]:
            async with self.sessions() as session, session.begin():
                await lock_for_writing(session)  # SQLite: the standings and cards read here are written back
                return await self._record(session, batch, wait=wait)

        try:
            if not wait:
                await retrying(introduce, "the members of an answer batch")
            return await retrying(attempt, "an answer batch")
        except BaseException:
            self.members.forget([i.member for i in batch])  # ids cached from a rolled-back insert
            raise

    async def _screen(self, session: AsyncSession, batch: list[_Pending]) -> tuple[dict[int, Row], dict[int, Outcome]]:
        """The batch's quizzes (with their group's place or owner), and the clicks refused before any write."""
        found = await session.execute(
            select(Quiz, Group.platform, Group.channel, MemberRow.platform, MemberRow.workspace, MemberRow.user_id)
            .outerjoin(Group, Group.id == Quiz.group_id).outerjoin(MemberRow, MemberRow.id == Quiz.owner_id)
            .where(Quiz.id.in_({i.quiz_id for i in batch}))
        )
        quizzes = {row[0].id: row for row in found}
        self._daily_group.update((q.id, q.group_id if q.kind == "daily" else None) for q, *_ in quizzes.values())
        refused: dict[int, Outcome] = {}  # position in the batch -> the refusal
        places = _PlaceGroups(session)
        for n, item in enumerate(batch):
            row = quizzes.get(item.quiz_id)
            quiz = row[0] if row else None
            question = self.pack.question_by_id.get(quiz.question_id) if quiz else None
            if quiz is None or question is None:
                refused[n] = Outcome(Status.MISSING)
            elif quiz.owner_id is not None:  # a private question: practice, review or exam
                if (item.member.platform, item.member.workspace, item.member.user_id) != tuple(row[3:6]):
                    refused[n] = Outcome(Status.NOT_YOURS, quiz, question)
            elif not await places.owns(item.place, quiz.group_id, row[1], row[2]):
                refused[n] = Outcome(Status.ELSEWHERE)
        return quizzes, refused

    def _standing_of(self, quiz_id: int, member_id: int) -> tuple[int, int] | None:
        """The (group, member) standing an answer to a screened quiz moves; None for a private quiz."""
        group_id = self._daily_group[quiz_id]
        return None if group_id is None else (group_id, member_id)

    def _introduced(self, batch: list[_Pending]) -> bool:
        for item in batch:
            member_id = self.members.cached(item.member)
            if member_id is None or item.quiz_id not in self._daily_group:
                return False
            standing = self._standing_of(item.quiz_id, member_id)
            if standing is not None and standing not in self._standing:
                return False
        return True

    async def _introduce(self, session: AsyncSession, batch: list[_Pending]) -> set[tuple[int, int]]:
        """Create the member and standing rows that the batch needs and this process has not seen, in a
        short transaction of their own: created inside the batch's, a member clicking on two workers at
        once would hold the other worker's whole batch up until this one commits."""
        if self._introduced(batch):
            return set()
        quizzes, refused = await self._screen(session, batch)
        accepted = [item for n, item in enumerate(batch) if n not in refused]
        ids = await self.members.resolve(session, [i.member for i in accepted])
        pairs = {self._standing_of(i.quiz_id, m) for i, m in zip(accepted, ids, strict=True)} - {None} - self._standing
        if pairs:
            ins, params = insert_rows(session, Standing, _fresh_standings(pairs))
            await session.execute(ins.on_conflict_do_nothing(index_elements=["group_id", "member_id"]), params)
        return pairs

    async def _record(self, session: AsyncSession, batch: list[_Pending], *, wait: bool) -> list[Outcome | None]:
        """One batch in one transaction. With several processes on one store, rows are locked in
        one fixed order (standings, answers, scores, progress, cards, buckets; each by key), so two
        batches wait for each other instead of deadlocking, and every total is an increment. Unless
        ``wait``, a click whose member another transaction holds now is left out (None): the caller
        runs it again after this commit, so a double click on two workers holds up no whole batch."""
        quizzes, refused = await self._screen(session, batch)
        accepted = [item for n, item in enumerate(batch) if n not in refused]
        if not accepted:
            return [refused[n] for n in range(len(batch))]
        ids = await self.members.resolve(session, [i.member for i in accepted])
        for item, member_id in zip(accepted, ids, strict=True):
            item.member_id = member_id
        # lock (and read) the standings of every daily answerer first: a member's answers in a
        # group are then recorded one transaction at a time, whichever process takes them
        wanted = {n: pair for n, i in enumerate(batch)
                  if n not in refused and (pair := self._standing_of(i.quiz_id, i.member_id)) is not None}
        standings = await self._lock_standings(session, set(wanted.values()), wait=wait)
        held = {n for n, pair in wanted.items() if pair not in standings}
        earlier = {
            (qid, mid): picks
            for qid, mid, picks in await session.execute(
                select(Answer.quiz_id, Answer.member_id, Answer.picks).where(keys_in(
                    session, [Answer.quiz_id, Answer.member_id], {(i.quiz_id, i.member_id) for i in accepted}
                ))
            )
        }
        graded: list[tuple[_Pending, Quiz, Question, bool]] = []
        outcomes: list[Outcome | None] = []
        for n, item in enumerate(batch):
            if n in refused or n in held:
                outcomes.append(refused.get(n))
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

        scored, state = _streaks(graded, standings)
        rows = sorted(
            (dict(quiz_id=quiz.id, member_id=item.member_id, picks=encode_picks(item.picks), correct=correct,
                  points=scored.get((quiz.id, item.member_id), (0, 0))[0], answered_at=item.at)
             for item, quiz, _question, correct in graded),
            key=lambda r: (r["quiz_id"], r["member_id"]),
        )
        ins, params = insert_rows(session, Answer, rows)
        stored = set((await session.execute(
            ins.on_conflict_do_nothing(index_elements=["quiz_id", "member_id"]).returning(Answer.quiz_id, Answer.member_id),
            params,
        )).all())
        if len(stored) != len(rows):
            raise Raced("another process recorded one of these answers first")
        moves = await self._score(session, graded, scored, state)
        await self._progress(session, graded)
        await memory.record(session, [
            memory.Graded(item.member_id, question.id, question.objective_id, correct, item.at)
            for item, _quiz, question, correct in graded
        ])
        # last: every batch of a quiz moves the same few buckets, so their row locks are held
        # only from here to the commit, and batches on other workers wait for no more than that
        await _move_buckets(session, moves)
        return [
            Outcome(o.status, o.quiz, o.question, o.picks, o.correct, *scored.get((o.quiz.id, item.member_id), (0, 0)))
            if o is not None and o.status is Status.RECORDED else o
            for item, o in zip(batch, outcomes, strict=True)
        ]

    async def _lock_standings(
        self, session: AsyncSession, pairs: set[tuple[int, int]], *, wait: bool
    ) -> dict[tuple[int, int], list[int]]:
        """Lock the standings of ``pairs`` in key order; their [streak, best, last_seq]. Waiting, missing
        rows are created; otherwise rows locked elsewhere (or missing) are skipped and left out."""
        if not pairs:
            return {}
        columns = (Standing.group_id, Standing.member_id, Standing.streak, Standing.best_streak, Standing.last_seq)
        if wait:
            ins, params = insert_rows(session, Standing, _fresh_standings(pairs))
            result = await session.execute(
                # a no-op update: the row is locked and its current values come back, new or old
                ins.on_conflict_do_update(index_elements=["group_id", "member_id"], set_=dict(streak=Standing.streak))
                .returning(*columns),
                params,
            )
        else:
            result = await session.execute(
                select(*columns).where(keys_in(session, [Standing.group_id, Standing.member_id], pairs))
                .order_by(Standing.group_id, Standing.member_id).with_for_update(skip_locked=True)
            )
        return {(g, m): [streak, best, last] for g, m, streak, best, last in result}

    async def _score(self, session: AsyncSession, graded, scored, state) -> list[tuple[tuple[int, str, int], int]]:  # noqa: ANN001
        """Write the streaks and scores for the daily answers in ``graded``; the bucket moves they make."""
        if not state:
            return []
        ins, params = insert_rows(session, Standing, [
            dict(group_id=g, member_id=m, streak=s[0], best_streak=s[1], last_seq=s[2]) for (g, m), s in sorted(state.items())
        ])
        await session.execute(
            ins.on_conflict_do_update(
                index_elements=["group_id", "member_id"],
                set_=dict(streak=ins.excluded.streak, best_streak=ins.excluded.best_streak, last_seq=ins.excluded.last_seq),
            ),
            params,
        )
        deltas: dict[tuple[int, str, int], list] = {}  # (group, period, member) -> [points, correct, answered, at]
        for item, quiz, _question, correct in graded:
            if quiz.kind != "daily":
                continue
            points = scored[(quiz.id, item.member_id)][0]
            for period in ("all", quiz.week):
                d = deltas.setdefault((quiz.group_id, period, item.member_id), [0, 0, 0, item.at])
                d[0] += points
                d[1] += int(correct)
                d[2] += 1
        # increments, and the new totals back from the same statement: a bucket move is exact
        # whatever another process wrote before (its row lock holds until this commit)
        ins, params = insert_rows(session, Score, [
            dict(group_id=g, period=p, member_id=m, points=d[0], correct=d[1], answered=d[2], first_scored_at=d[3])
            for (g, p, m), d in sorted(deltas.items())
        ])
        after = await session.execute(
            ins.on_conflict_do_update(
                index_elements=["group_id", "period", "member_id"],
                set_=dict(
                    points=Score.points + ins.excluded.points,
                    correct=Score.correct + ins.excluded.correct,
                    answered=Score.answered + ins.excluded.answered,
                ),
            ).returning(Score.group_id, Score.period, Score.member_id, Score.points, Score.answered),
            params,
        )
        buckets: dict[tuple[int, str, int], int] = defaultdict(int)
        for group_id, period, member_id, points, answered in after:
            gained, _correct, added, _at = deltas[(group_id, period, member_id)]
            if answered != added:  # the member was on this board before: leave the old bucket
                if gained == 0:
                    continue
                buckets[(group_id, period, points - gained)] -= 1
            buckets[(group_id, period, points)] += 1
        return sorted((key, n) for key, n in buckets.items() if n)

    async def _progress(self, session: AsyncSession, graded) -> None:  # noqa: ANN001
        totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        for item, _quiz, question, correct in graded:
            domain = self.pack.objective_by_id[question.objective_id].domain.id
            t = totals[(item.member_id, domain)]
            t[0] += 1
            t[1] += int(correct)
        ins, params = insert_rows(session, Progress, [
            dict(member_id=m, domain_id=d, answered=a, correct=c) for (m, d), (a, c) in sorted(totals.items())
        ])
        await session.execute(
            ins.on_conflict_do_update(
                index_elements=["member_id", "domain_id"],
                set_=dict(answered=Progress.answered + ins.excluded.answered, correct=Progress.correct + ins.excluded.correct),
            ),
            params,
        )


def _fresh_standings(pairs: set[tuple[int, int]]) -> list[dict[str, int]]:
    """New standing rows for (group, member) ``pairs``, in key order (the order rows are locked in)."""
    return [dict(group_id=g, member_id=m, streak=0, best_streak=0, last_seq=-1) for g, m in sorted(pairs)]


async def _move_buckets(session: AsyncSession, moves: list[tuple[tuple[int, str, int], int]]) -> None:
    """Apply score-bucket moves ((group, period, points), +-members) as increments; drop emptied buckets."""
    if not moves:
        return
    ins, params = insert_rows(session, ScoreBucket, [dict(group_id=g, period=p, points=pts, members=n) for (g, p, pts), n in moves])
    await session.execute(
        ins.on_conflict_do_update(
            index_elements=["group_id", "period", "points"],
            set_=dict(members=ScoreBucket.members + ins.excluded.members),
        ),
        params,
    )
    emptied = [key for key, n in moves if n < 0]
    if emptied:
        await session.execute(delete(ScoreBucket).where(
            keys_in(session, [ScoreBucket.group_id, ScoreBucket.period, ScoreBucket.points], emptied),
            ScoreBucket.members <= 0,
        ))


def _streaks(graded, standings: dict[tuple[int, int], list[int]]):  # noqa: ANN001, ANN202
    """Points and streaks of the daily answers in ``graded``, in post order, from the locked standings:
    ({(quiz, member): (points, streak)}, {(group, member): [streak, best, last_seq]})."""
    state = {key: list(value) for key, value in standings.items()}
    scored: dict[tuple[int, int], tuple[int, int]] = {}
    for item, quiz, _question, correct in sorted(graded, key=lambda t: t[1].seq or 0):
        if quiz.kind != "daily":
            continue
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
    return scored, state


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


async def close(session: AsyncSession, quiz_ids: list[int], now: datetime) -> list[int]:
    """Mark quizzes closed; the ids this call closed (not those closed already, by another tick or process)."""
    result = await session.scalars(
        update(Quiz).where(Quiz.id.in_(quiz_ids), Quiz.closed_at.is_(None)).values(closed_at=now).returning(Quiz.id)
    )
    return list(result.all())
