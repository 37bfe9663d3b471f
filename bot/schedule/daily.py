"""The daily post, table-driven: open each group's quiz when it is due, post it, close it
when its time is up and edit the results into the post.

Everything this needs to resume lives in the store: ``groups.next_post_at`` says when a
group is due, ``quizzes.closes_at`` when a quiz closes, ``message_ref`` and ``results_sent``
what still has to reach the platform. Delivery is at most once per post:

- a worker claims each piece of work in the database (a compare-and-set ``UPDATE``, which
  works alike on SQLite and PostgreSQL): the group's due time for a post, ``closed_at`` for a
  close, and a lease on the quiz row (``lease_owner``/``lease_until``) for every send, so with
  N workers exactly one sends; a worker killed mid-send loses its lease after :data:`LEASE`;
- each send is recorded (``tries``) before it starts; a send without a recorded answer (a
  crash, a 5xx or a dropped connection after the platform may have stored it) is looked up
  on the platform (``Poster.find``) before anything is sent again;
- transient failures back off exponentially with jitter (honouring Retry-After); permanent
  ones (no access, no channel, deleted message, revoked token) stop that delivery, and the
  group's ``problem`` tells admins in status. Each change of a group's problem is logged once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import cards
from bot.commands import Place
from bot.content.pack import Pack
from bot.posting import DeliveryError, Poster, Problem
from bot.replies import Reply
from bot.schedule.clock import (
    latest_post_at_or_before,
    local_date,
    local_instant,
    next_post_after,
    parse_time,
    week_of,
    zone,
)
from bot.store.models import Group, Quiz
from bot.study import quiz as quizzes
from bot.study.recap import recap_for_post
from bot.study.rotation import Rotation, pick_question

log = logging.getLogger(__name__)
#: How long a worker holds a send before another may take it over (it was killed, say).
LEASE = timedelta(seconds=45)
#: A send that takes longer than this is abandoned as unclear (well inside the lease).
SEND_TIMEOUT = 40.0
#: Backoff of transient failures: the first retry after about BACKOFF, doubling up to BACKOFF_CAP.
BACKOFF = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
#: Results of quizzes closed longer ago than this are not retried any more.
RESULTS_RETRY_FOR = timedelta(days=2)
#: Waking up after a missed post with the next one this close, post the next day's quiz at once
#: in its place instead of the missed day's (which would close within hours).
CATCH_UP_WINDOW = timedelta(hours=6)
#: How many groups are posted to or closed at once (one slow channel never holds up the rest).
CONCURRENCY = 64
#: How many quizzes one statement closes.
CLOSE_CHUNK = 1000
#: For the UPDATEs here: each runs before its session loads the rows it changes (or loads them
#: again afterwards), so the ORM need not look for them in the session. Its default search
#: took 7% of a worker's CPU with 10,000 groups posting at once.
UNSYNCED = {"synchronize_session": False}


def place_of(group: Group) -> Place:
    return Place(group.platform, group.workspace, group.channel)


def post_key(quiz_id: int) -> str:
    """How a daily post is marked on the platform: its answer buttons' ids start with this."""
    return f"quiz:{quiz_id}:"


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Sent:
    """What became of one delivery: ``error`` None means it arrived."""

    error: DeliveryError | None = None


class _StillDue:
    """Which of a tick's due groups are still due when their turn comes, looked up
    :data:`CONCURRENCY` at a time, in the order they run. Every worker's tick takes the same due
    list, so without this each worker would try to claim every group that another worker posted
    meanwhile, in a transaction of its own: with two workers, half of all claims."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], groups: list[Group]) -> None:
        self._sessions = sessions
        self._queue = groups  # in the order they run
        self._looked_up = 0  # how many of the queue
        self._seen: set[int] = set()
        self._due: set[int] = set()
        self._lock = asyncio.Lock()

    async def __call__(self, group: Group) -> bool:
        async with self._lock:
            while group.id not in self._seen:
                chunk = self._queue[self._looked_up:self._looked_up + CONCURRENCY]
                self._looked_up += len(chunk)
                async with self._sessions() as session:
                    now_due = dict((await session.execute(
                        select(Group.id, Group.next_post_at).where(Group.id.in_([g.id for g in chunk]))
                    )).all())
                self._seen.update(g.id for g in chunk)
                self._due.update(g.id for g in chunk if now_due.get(g.id) == g.next_post_at)
        return group.id in self._due


class DailyPosts:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], pack: Pack, rotation: Rotation,
        desk: quizzes.AnswerDesk, posters: dict[str, Poster], clock: Callable[[], datetime],
        *, worker: str | None = None, concurrency: int = CONCURRENCY,
    ) -> None:
        self.sessions = sessions
        self.pack = pack
        self.rotation = rotation
        self.desk = desk
        self.posters = posters  # shared with the service: platforms attach as they connect
        self.now = clock
        self.worker = worker or worker_name()
        self._bound = asyncio.Semaphore(concurrency)
        self._rng = random.Random()

    # --- the scheduler's tick ------------------------------------------------------------------

    async def run_due(self, now: datetime | None = None) -> None:
        """Close expired quizzes, post every due group, resend what is due for a retry: all
        concurrently, at most ``concurrency`` at a time."""
        now = now or self.now()
        online = list(self.posters)
        free = or_(Quiz.lease_until.is_(None), Quiz.lease_until <= now)
        retry_due = or_(Quiz.retry_at.is_(None), Quiz.retry_at <= now)
        async with self.sessions() as session:
            expired = (await session.scalars(
                select(Quiz.id).where(Quiz.closed_at.is_(None), Quiz.closes_at.is_not(None), Quiz.closes_at <= now)
            )).all()
            due = (await session.scalars(
                select(Group).where(Group.paused.is_(False), Group.next_post_at.is_not(None),
                                    Group.next_post_at <= now, Group.platform.in_(online))
            )).all()
            unposted = (await session.scalars(
                select(Quiz.id).join(Group, Group.id == Quiz.group_id).where(
                    Quiz.kind == "daily", Quiz.closed_at.is_(None), Quiz.message_ref.is_(None),
                    Quiz.stopped.is_(False), retry_due, free, Group.platform.in_(online),
                )
            )).all()
            unsent_results = (await session.scalars(
                select(Quiz.id).join(Group, Group.id == Quiz.group_id).where(
                    Quiz.kind == "daily", Quiz.message_ref.is_not(None), Quiz.results_sent.is_(False),
                    Quiz.closed_at.is_not(None), Quiz.closed_at > now - RESULTS_RETRY_FOR,
                    Quiz.stopped.is_(False), retry_due, free, Group.platform.in_(online),
                )
            )).all()
        # every expired quiz closes in one transaction: closing waits for the answer desk's lock
        jobs: list[tuple[str, object]] = [("results", quiz_id) for quiz_id in await self._close(expired, now)]
        jobs += [("post", group) for group in due]
        jobs += [("resend", quiz_id) for quiz_id in unposted]
        jobs += [("results", quiz_id) for quiz_id in unsent_results]
        self._rng.shuffle(jobs)  # other workers take the same list: meet them in few places
        still_due = _StillDue(self.sessions, [group for kind, group in jobs if kind == "post"])

        async def post(group: Group, now: datetime) -> None:
            if await still_due(group):
                await self._scheduled(group, now)

        runs = {"results": self._deliver_results, "post": post, "resend": self.resend}
        await asyncio.gather(*(self._bounded(partial(runs[kind], arg)) for kind, arg in jobs))

    async def _bounded(self, work: Callable[[datetime], Awaitable[object]]) -> None:
        """Run one delivery when a slot is free, at the time it starts: a lease it takes must
        last LEASE from its send, not from the tick that queued it behind thousands of others."""
        async with self._bound:
            try:
                await work(self.now())
            except Exception:  # one group's bug must not stop the others' posts
                log.exception("a scheduled delivery failed unexpectedly; it is retried on a later tick")

    async def next_wakeup(self) -> datetime | None:
        """The next post, close, retry or lease expiry (a dead worker's send to take over)."""
        async with self.sessions() as session:
            post = await session.scalar(
                select(func.min(Group.next_post_at)).where(Group.paused.is_(False),
                                                           Group.platform.in_(list(self.posters)))
            )
            close = await session.scalar(
                select(func.min(Quiz.closes_at)).where(Quiz.closed_at.is_(None), Quiz.closes_at.is_not(None))
            )
            pending = and_(Quiz.kind == "daily", Quiz.stopped.is_(False), or_(
                and_(Quiz.message_ref.is_(None), Quiz.closed_at.is_(None)),
                and_(Quiz.message_ref.is_not(None), Quiz.results_sent.is_(False), Quiz.closed_at.is_not(None)),
            ))
            retry = await session.scalar(select(func.min(func.coalesce(Quiz.lease_until, Quiz.retry_at))).where(
                pending, or_(Quiz.lease_until.is_not(None), Quiz.retry_at.is_not(None))))
        times = [t for t in (post, close, retry) if t is not None]
        return min(times) if times else None

    async def _scheduled(self, group: Group, now: datetime) -> None:
        tz, at = zone(group.timezone), parse_time(group.post_time)
        missed = latest_post_at_or_before(now, at, tz)
        upcoming = next_post_after(now, at, tz)
        if upcoming - now <= CATCH_UP_WINDOW and now - missed > CATCH_UP_WINDOW:
            # back from downtime shortly before the next post: that day's quiz now, in its place
            day, next_at = local_date(upcoming, tz), next_post_after(upcoming, at, tz)
        else:
            # after downtime, post once for the latest missed day, not once per day missed
            day, next_at = local_date(missed, tz), upcoming
        await self.open(group.id, now, day, claim=(group.next_post_at, next_at))

    # --- opening and posting --------------------------------------------------------------------

    async def open(self, group_id: int, now: datetime, day: date,
                   claim: tuple[datetime | None, datetime] | None = None) -> Sent | None:
        """Open and post the group's quiz for its local ``day``; None if that day has one already
        (or another worker took this group's turn). ``claim=(seen, next)`` is the scheduler's:
        it moves ``groups.next_post_at`` from ``seen`` to ``next`` (only one worker can)."""
        try:
            async with self.sessions() as session, session.begin():
                # the first statement writes, so SQLite takes its write lock before any read
                taken = update(Group).where(Group.id == group_id)
                if claim is not None:
                    taken = taken.where(Group.next_post_at == claim[0]).values(next_post_at=claim[1])
                else:
                    taken = taken.values(posts_made=Group.posts_made)
                group = (await session.execute(taken.returning(Group),
                                               execution_options={"populate_existing": True})).scalar_one_or_none()
                if group is None:
                    return None
                tz, at = zone(group.timezone), parse_time(group.post_time)
                # this day's quiz (if it exists already) and the open ones, which this one closes
                known = (await session.execute(select(Quiz.id, Quiz.post_date).where(
                    Quiz.group_id == group.id,
                    or_(Quiz.post_date == day, and_(Quiz.kind == "daily", Quiz.closed_at.is_(None)))))).all()
                if any(d == day for _, d in known):
                    return None
                previous = [quiz_id for quiz_id, _ in known]
                objective = self.rotation.objective_for(group.seed, group.posts_made)
                used = Counter(dict((await session.execute(
                    select(Quiz.question_id, func.count())
                    .where(Quiz.group_id == group.id, Quiz.objective_id == objective.id).group_by(Quiz.question_id)
                )).all()))
                rng = random.Random(group.seed * 7919 + group.posts_made)
                question = pick_question(self.pack.questions_by_objective[objective.id], used, rng)
                tomorrow = local_instant(day + timedelta(days=1), at, tz)
                quiz = Quiz(
                    kind="daily", group_id=group.id, question_id=question.id, objective_id=objective.id,
                    option_order=quizzes.shuffled_order(question, rng), seq=group.posts_made, post_date=day,
                    week=week_of(day), opened_at=now,
                    closes_at=now + timedelta(hours=group.open_hours) if group.open_hours else tomorrow,
                    # the intent: this worker is about to send it (attempt 1)
                    tries=1, lease_owner=self.worker, lease_until=now + LEASE,
                )
                session.add(quiz)
                group.posts_made += 1
                await session.flush()  # the quiz's id, which its buttons carry
                reply = await self._compose(session, quiz)
        except IntegrityError:  # another worker's post-now opened this day's quiz first
            return None
        await self.close(previous, now)
        return await self._post(group, quiz, now, unclear=False, reply=reply)

    async def post_now(self, group_id: int, now: datetime, day: date) -> Sent | None:
        """An admin's post-now: open and post ``day``'s quiz, or send it again if it exists but
        did not go out (after a backoff or a permanent error: the admin may have fixed it);
        None if it is posted already."""
        async with self.sessions() as session:
            existing = (await session.execute(select(Quiz.id, Quiz.message_ref).where(
                Quiz.group_id == group_id, Quiz.post_date == day))).first()
        if existing is None:
            return await self.open(group_id, now, day)
        if existing.message_ref is None:
            return await self.resend(existing.id, now, force=True)
        return None

    async def retry_at(self, session: AsyncSession, group_id: int) -> datetime | None:
        """When this group's next automatic retry of a failed delivery is due (None: none is)."""
        return await session.scalar(select(func.min(Quiz.retry_at)).where(
            Quiz.group_id == group_id, Quiz.kind == "daily", Quiz.stopped.is_(False), Quiz.retry_at.is_not(None)))

    async def resend(self, quiz_id: int, now: datetime, *, force: bool = False) -> Sent | None:
        """Send an opened daily quiz that has no message yet; None if another worker holds it.
        ``force`` (post-now) ignores a backoff or an earlier permanent stop."""
        claimed = await self._claim(quiz_id, now, Quiz.message_ref.is_(None), force=force)
        if claimed is None:
            return None
        quiz, group = claimed
        return await self._post(group, quiz, now, unclear=quiz.tries > 1)

    async def _post(self, group: Group, quiz: Quiz, now: datetime, *, unclear: bool,
                    reply: Reply | None = None) -> Sent:
        """Send the post (after looking for it, if an earlier send's outcome is unknown)."""
        poster, place, key = self.posters[group.platform], place_of(group), post_key(quiz.id)

        async def send() -> str:
            if unclear and (ref := await poster.find(place, key)) is not None:
                log.info("the daily post of quiz %s had arrived after all (%s); not sending it again", quiz.id, ref)
                return ref
            return await poster.post(place, reply or await self.post_reply(quiz), key=key)

        try:
            ref = await _within(send())
        except Exception as e:
            error = _delivery_error(e)
            await self._failed(group, quiz.id, quiz.tries, error, now, "posting the daily quiz")
            return Sent(error)
        async with self.sessions() as session, session.begin():
            await session.execute(update(Quiz).where(Quiz.id == quiz.id).values(
                message_ref=ref, tries=0, retry_at=None, lease_owner=None, lease_until=None), execution_options=UNSYNCED)
            await self._recovered(session, group)
        return Sent()

    async def post_reply(self, quiz: Quiz) -> Reply:
        """The daily post's message: the objective and the quiz, led by last week's recap on
        the group's first post of a week. One message, so the recap goes out exactly when
        the post does."""
        async with self.sessions() as session:
            return await self._compose(session, quiz)

    async def _compose(self, session: AsyncSession, quiz: Quiz) -> Reply:
        recap = await recap_for_post(session, quiz)
        question = self.pack.question_by_id[quiz.question_id]
        objective = self.pack.objective_by_id[quiz.objective_id]
        lead = None
        if recap is not None:
            weakest = self.pack.objective_by_id.get(recap.weakest.objective_id) if recap.weakest else None
            lead = cards.recap_card(recap, weakest)
        return cards.daily_post(quiz, question, objective, lead)

    # --- closing and results ---------------------------------------------------------------------

    async def close(self, quiz_ids: list[int], now: datetime) -> None:
        """Close the quizzes still open among ``quiz_ids`` and edit their results into their posts."""
        for quiz_id in await self._close(quiz_ids, now):
            await self._deliver_results(quiz_id, self.now())

    async def _close(self, quiz_ids: list[int], now: datetime) -> list[int]:
        """Close the quizzes still open among ``quiz_ids`` in one transaction; those of them
        whose results are to be edited into a post (any worker may claim that edit)."""
        if not quiz_ids:
            return []
        # answers acknowledged before the close began are counted: let them commit first
        await self.desk.settle()
        posted: list[int] = []
        async with self.desk.lock:  # no answer commits between the close and the results
            async with self.sessions() as session, session.begin():
                for start in range(0, len(quiz_ids), CLOSE_CHUNK):
                    closed = await quizzes.close(session, quiz_ids[start:start + CLOSE_CHUNK], now)
                    if closed:
                        posted += (await session.scalars(select(Quiz.id).where(
                            Quiz.id.in_(closed), Quiz.kind == "daily", Quiz.message_ref.is_not(None)))).all()
        return posted

    async def _deliver_results(self, quiz_id: int, now: datetime) -> None:
        """Claim a closed quiz's results edit and send it; nothing if another worker has it."""
        unsent = and_(Quiz.message_ref.is_not(None), Quiz.closed_at.is_not(None), Quiz.results_sent.is_(False))
        claimed = await self._claim(quiz_id, now, unsent)
        if claimed is not None:
            await self._send_results(*claimed, now)

    async def _send_results(self, quiz: Quiz, group: Group, now: datetime) -> None:
        """Edit the results into a closed quiz's post (this worker holds its lease; ``quiz`` and
        ``group`` as read when it took it)."""
        async with self.sessions() as session:
            res = await quizzes.results(session, self.pack, quiz)
        objective = self.pack.objective_by_id[quiz.objective_id]
        poster = self.posters[group.platform]
        try:
            await _within(poster.update(place_of(group), quiz.message_ref, cards.results_post(res, objective)))
        except Exception as e:
            await self._failed(group, quiz.id, quiz.tries, _delivery_error(e), now, "editing the results into the post")
            return
        async with self.sessions() as session, session.begin():
            await session.execute(update(Quiz).where(Quiz.id == quiz.id).values(
                results_sent=True, tries=0, retry_at=None, lease_owner=None, lease_until=None), execution_options=UNSYNCED)
            await self._recovered(session, group)

    # --- claims and failures -------------------------------------------------------------------------

    async def _claim(self, quiz_id: int, now: datetime, what, *, force: bool = False) -> tuple[Quiz, Group] | None:  # noqa: ANN001
        """Take the quiz's send lease and record the attempt; None if not ours to send now."""
        conditions = [Quiz.id == quiz_id, what, or_(Quiz.lease_until.is_(None), Quiz.lease_until <= now)]
        if not force:
            conditions += [Quiz.stopped.is_(False), or_(Quiz.retry_at.is_(None), Quiz.retry_at <= now)]
        async with self.sessions() as session, session.begin():
            taken = await session.execute(update(Quiz).where(*conditions).values(
                tries=Quiz.tries + 1, stopped=False, lease_owner=self.worker, lease_until=now + LEASE),
                execution_options=UNSYNCED)
            if taken.rowcount != 1:
                return None
            quiz = await session.get(Quiz, quiz_id, populate_existing=True)
            group = await session.get(Group, quiz.group_id)
        if group.platform not in self.posters:
            return None
        return quiz, group

    async def _failed(self, group: Group, quiz_id: int, tries: int, error: DeliveryError, now: datetime,
                      doing: str) -> None:
        """Release the lease; back off (or stop, if permanent); tell admins via the group's problem."""
        if error.problem.permanent:
            retry_at, stopped = None, True
        elif error.retry_after is not None:  # the platform said when: then, spread over a fifth more
            retry_at, stopped = now + timedelta(seconds=error.retry_after * self._rng.uniform(1.0, 1.2)), False
        else:
            backoff = min(BACKOFF_CAP, BACKOFF * 2 ** max(0, tries - 1)) * self._rng.uniform(0.5, 1.0)
            retry_at, stopped = now + backoff, False
        async with self.sessions() as session, session.begin():
            await session.execute(update(Quiz).where(Quiz.id == quiz_id).values(
                retry_at=retry_at, stopped=stopped, lease_owner=None, lease_until=None), execution_options=UNSYNCED)
            changed = await session.execute(update(Group).where(
                Group.id == group.id, or_(Group.problem.is_(None), Group.problem != error.problem.value)
            ).values(problem=error.problem.value, problem_detail=error.detail[:200], problem_since=now),
                execution_options=UNSYNCED)
        if changed.rowcount == 1:  # once per change of state, not per attempt
            then = "no more retries until it is fixed" if stopped else f"retrying from {retry_at:%Y-%m-%d %H:%M} UTC"
            log.warning("group %s (%s %s): %s failed: %s; %s", group.id, group.platform, group.channel,
                        doing, error, then)

    async def _recovered(self, session: AsyncSession, group: Group) -> None:
        if group.problem is None:  # as read when this delivery began: nothing to clear
            return
        cleared = await session.execute(update(Group).where(Group.id == group.id, Group.problem.is_not(None))
                                        .values(problem=None, problem_detail=None, problem_since=None),
                                        execution_options=UNSYNCED)
        if cleared.rowcount == 1:
            log.info("group %s (%s %s): delivery works again", group.id, group.platform, group.channel)


def _delivery_error(e: Exception) -> DeliveryError:
    """A poster's failure as a DeliveryError; anything else is an adapter bug, logged in full
    once and then retried like an outage."""
    if isinstance(e, DeliveryError):
        return e
    log.error("a poster raised %s instead of a DeliveryError", type(e).__name__, exc_info=e)
    return DeliveryError(Problem.UNAVAILABLE, type(e).__name__)


async def _within(call: Awaitable[str | None]) -> str | None:
    """Run a platform call, abandoning it (as an unclear outcome) before the lease runs out."""
    try:
        return await asyncio.wait_for(call, SEND_TIMEOUT)
    except asyncio.TimeoutError as e:
        raise DeliveryError(Problem.UNAVAILABLE, f"no answer within {SEND_TIMEOUT:.0f} s") from e
