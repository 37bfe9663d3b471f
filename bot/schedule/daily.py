"""The daily post, table-driven: open each group's quiz when it is due, post it, close it
when its time is up and edit the results into the post.

Everything this needs to resume lives in the store: ``groups.next_post_at`` says when a
group is due, ``quizzes.closes_at`` when a quiz closes, ``message_ref`` and ``results_sent``
what still has to reach the platform. A restart, a crash or a platform outage at any point
leaves rows that the next :meth:`DailyPosts.run_due` picks up: nothing is posted twice for a
day, and a post or results edit that failed is sent again.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import cards
from bot.commands import Place
from bot.content.pack import Pack
from bot.posting import Poster
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
#: A post or results edit still not delivered this long after it was due failed: send it again.
RETRY_AFTER = timedelta(minutes=1)
#: Results of quizzes closed longer ago than this are not retried any more.
RESULTS_RETRY_FOR = timedelta(days=2)


def place_of(group: Group) -> Place:
    return Place(group.platform, group.workspace, group.channel)


class DailyPosts:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], pack: Pack, rotation: Rotation,
        desk: quizzes.AnswerDesk, posters: dict[str, Poster], clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.pack = pack
        self.rotation = rotation
        self.desk = desk
        self.posters = posters  # shared with the service: platforms attach as they connect
        self.now = clock

    async def run_due(self, now: datetime | None = None) -> None:
        """Close expired quizzes, resend what failed to reach a platform, post every due group."""
        now = now or self.now()
        online = list(self.posters)
        async with self.sessions() as session:
            expired = (await session.scalars(
                select(Quiz.id).where(Quiz.closed_at.is_(None), Quiz.closes_at.is_not(None), Quiz.closes_at <= now)
            )).all()
            unposted = (await session.execute(
                select(Quiz, Group).join(Group, Group.id == Quiz.group_id).where(
                    Quiz.kind == "daily", Quiz.closed_at.is_(None), Quiz.message_ref.is_(None),
                    Quiz.opened_at <= now - RETRY_AFTER, Group.platform.in_(online),
                )
            )).all()
            unsent_results = (await session.scalars(
                select(Quiz.id).join(Group, Group.id == Quiz.group_id).where(
                    Quiz.kind == "daily", Quiz.message_ref.is_not(None), Quiz.results_sent.is_(False),
                    Quiz.closed_at <= now - RETRY_AFTER, Quiz.closed_at > now - RESULTS_RETRY_FOR,
                    Group.platform.in_(online),
                )
            )).all()
            due = (await session.scalars(
                select(Group).where(Group.paused.is_(False), Group.next_post_at.is_not(None),
                                    Group.next_post_at <= now, Group.platform.in_(online))
            )).all()
        for quiz_id in expired:
            await self.close(quiz_id, now)
        for quiz_id in unsent_results:
            await self._send_results(quiz_id)
        for quiz, group in unposted:
            await self._send(group, quiz)
        for group in due:
            tz, at = zone(group.timezone), parse_time(group.post_time)
            # after downtime, post once for the latest missed day, not once per day missed
            day = local_date(latest_post_at_or_before(now, at, tz), tz)
            await self.open(group.id, now, day, advance=True)

    async def next_wakeup(self) -> datetime | None:
        async with self.sessions() as session:
            post = await session.scalar(
                select(func.min(Group.next_post_at)).where(Group.paused.is_(False),
                                                           Group.platform.in_(list(self.posters)))
            )
            close = await session.scalar(
                select(func.min(Quiz.closes_at)).where(Quiz.closed_at.is_(None), Quiz.closes_at.is_not(None))
            )
        times = [t for t in (post, close) if t is not None]
        return min(times) if times else None

    async def open(self, group_id: int, now: datetime, day: date, *, advance: bool) -> bool:
        """Open and post the group's quiz for its local ``day``; False if that day has one already.
        ``advance`` moves the group's schedule on to its next post (the scheduler's call)."""
        async with self.sessions() as session, session.begin():
            group = await session.get(Group, group_id, with_for_update=True)
            tz, at = zone(group.timezone), parse_time(group.post_time)
            if advance:
                group.next_post_at = next_post_after(now, at, tz)
            if await session.scalar(select(Quiz.id).where(Quiz.group_id == group.id, Quiz.post_date == day)):
                return False
            # the previous daily quiz closes when this one opens, if it is still open
            previous = (await session.scalars(
                select(Quiz.id).where(Quiz.group_id == group.id, Quiz.kind == "daily", Quiz.closed_at.is_(None))
            )).all()
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
            )
            session.add(quiz)
            group.posts_made += 1
        for quiz_id in previous:
            await self.close(quiz_id, now)
        await self._send(group, quiz)
        return True

    async def post_reply(self, quiz: Quiz) -> Reply:
        """The daily post's message: the objective and the quiz, led by last week's recap on
        the group's first post of a week. One message, so the recap goes out exactly when
        the post does."""
        async with self.sessions() as session:
            recap = await recap_for_post(session, quiz)
        question = self.pack.question_by_id[quiz.question_id]
        objective = self.pack.objective_by_id[quiz.objective_id]
        lead = None
        if recap is not None:
            weakest = self.pack.objective_by_id.get(recap.weakest.objective_id) if recap.weakest else None
            lead = cards.recap_card(recap, weakest)
        return cards.daily_post(quiz, question, objective, lead)

    async def _send(self, group: Group, quiz: Quiz) -> None:
        """Post an opened daily quiz and remember its message."""
        reply = await self.post_reply(quiz)
        try:
            ref = await self.posters[group.platform].post(place_of(group), reply)
        except Exception:
            log.exception("posting the daily quiz of group %s failed; retrying on a later tick", group.id)
            return
        async with self.sessions() as session, session.begin():
            await session.execute(update(Quiz).where(Quiz.id == quiz.id).values(message_ref=ref))

    async def close(self, quiz_id: int, now: datetime) -> None:
        # answers acknowledged before the close began are counted: let them commit first
        await self.desk.settle()
        async with self.desk.lock:  # no answer commits between the close and the results
            async with self.sessions() as session, session.begin():
                if not await quizzes.close(session, quiz_id, now):
                    return
        await self._send_results(quiz_id)

    async def _send_results(self, quiz_id: int) -> None:
        """Edit the results into a closed quiz's post, and remember that they arrived."""
        async with self.sessions() as session:
            quiz = await session.get(Quiz, quiz_id)
            group = await session.get(Group, quiz.group_id) if quiz.group_id else None
            if group is None or quiz.message_ref is None or group.platform not in self.posters:
                return
            res = await quizzes.results(session, self.pack, quiz)
        objective = self.pack.objective_by_id[quiz.objective_id]
        try:
            await self.posters[group.platform].update(place_of(group), quiz.message_ref,
                                                      cards.results_post(res, objective))
        except Exception:
            log.exception("editing the results into quiz %s failed; retrying on a later tick", quiz_id)
            return
        async with self.sessions() as session, session.begin():
            await session.execute(update(Quiz).where(Quiz.id == quiz_id).values(results_sent=True))
