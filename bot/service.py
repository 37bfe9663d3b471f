"""The one API adapters call: commands in, platform-neutral replies out.

Each command runs in its own transaction; answers go through the AnswerDesk's group commit.
The scheduler calls :meth:`StudyService.run_due`, which hands over to :mod:`bot.schedule.daily`:
due daily quizzes are posted through the attached platform posters, expired ones closed and
their posts edited with the results.
"""

from __future__ import annotations

import logging
import random
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import cards, learning_cards
from bot.commands import (
    REPORT_REASONS,
    Admins,
    Answer,
    Command,
    Context,
    Help,
    Leaderboard,
    ListObjectives,
    Lookup,
    Member,
    MockExam,
    ParseError,
    Pause,
    Place,
    PostNow,
    Practice,
    Readiness,
    Report,
    Reports,
    Resume,
    Review,
    Setup,
    Stats,
    Status,
    Today,
    parse,
)
from bot.config import Settings
from bot.content.pack import Domain, Pack, load_pack
from bot.content.search import ObjectiveSearch
from bot.posting import DeliveryError, Poster
from bot.replies import Reply, quote, say, show
from bot.schedule.clock import (
    local_date,
    local_instant,
    next_post_after,
    parse_time,
    previous_week,
    timezone_names,
    week_of,
    zone,
)
from bot.schedule.daily import DailyPosts
from bot.store.db import make_engine, prepare, sessionmaker
from bot.store.members import MemberIds
from bot.store.models import Answer as AnswerRow
from bot.store.models import Group, Quiz
from bot.study import exam as exams
from bot.study import health, readiness
from bot.study import quiz as quizzes
from bot.study.exam import Exams, Started, Step
from bot.study.leaderboard import board, member_stats
from bot.study.quiz import AnswerDesk, shuffled_order
from bot.study.review import Reviews
from bot.study.rotation import Rotation, pick_question

log = logging.getLogger(__name__)
UTC = timezone.utc
#: A channel as the store keeps it: a Discord or Slack id, or a terminal channel name.
_CHANNEL = re.compile(r"[\w.-]{1,64}")
#: A member as the store keeps it: a Discord or Slack user id, or a terminal name.
_MEMBER_ID = re.compile(r"[\w.-]{1,64}")
MAX_EXTRA_ADMINS = 25


def utcnow() -> datetime:
    return datetime.now(UTC)


class StudyService:
    def __init__(self, pack: Pack, engine, clock: Callable[[], datetime] = utcnow) -> None:  # noqa: ANN001
        self.pack = pack
        self.engine = engine
        self.sessions = sessionmaker(engine)
        self.now = clock
        self.rotation = Rotation(pack)
        self.search = ObjectiveSearch(pack.objectives, pack.questions, pack.plain_words)
        self.members = MemberIds()
        self.desk = AnswerDesk(self.sessions, pack, clock, self.members)
        self.reviews = Reviews(self.sessions, pack, self.members, clock)
        self.exams = Exams(self.sessions, pack, self.members, self.desk, clock)
        self.posters: dict[str, Poster] = {}
        self.daily = DailyPosts(self.sessions, pack, self.rotation, self.desk, self.posters, clock)

    @classmethod
    async def open(cls, settings: Settings, clock: Callable[[], datetime] | None = None) -> StudyService:
        """Load the content pack (refusing an invalid one) and connect to a ready store."""
        pack = load_pack(settings.content_path)
        engine = make_engine(settings.database_url)
        try:
            await prepare(engine)
        except BaseException:
            await engine.dispose()
            raise
        return cls(pack, engine, clock or utcnow)

    async def close(self) -> None:
        await self.engine.dispose()

    def attach(self, platform: str, poster: Poster) -> None:
        self.posters[platform] = poster

    # --- entry points ----------------------------------------------------------------------

    async def handle_text(self, ctx: Context, text: str) -> list[Reply]:
        command = parse(text, prefix=ctx.prefix)
        if isinstance(command, ParseError):
            return [say(command.message)]
        return await self.handle(ctx, command)

    async def handle(self, ctx: Context, command: Command) -> list[Reply]:
        match command:
            case Answer(quiz_id, positions):
                return await self._answer(ctx, quiz_id, positions)
            case Review(new):
                return [await self._review(ctx, new)]
            case Readiness(group):
                return [await self._group_readiness(ctx) if group else await self._readiness(ctx)]
            case MockExam(questions, history):
                return await self._exam(ctx, questions, history)
            case Help():
                return [cards.help_card(ctx.prefix)]
            case Lookup(query):
                return [cards.lookup([m.objective for m in self.search.search(query, limit=3)], query, ctx.prefix)]
            case ListObjectives(domain):
                return [self._list(domain, ctx.prefix)]
            case Practice():
                return [await self._practice(ctx)]
            case Leaderboard(period):
                return [await self._leaderboard(ctx, period)]
            case Stats():
                return [await self._stats(ctx)]
            case Today():
                return [await self._today(ctx)]
            case Report(reason, quiz_id):
                return [await self._report(ctx, reason, quiz_id)]
            case Setup() | Pause() | Resume() | PostNow() | Status() | Admins() | Reports():
                return [await self._admin(ctx, command)]
        return [say(f"I don't know that command. Try {ctx.prefix}help.")]

    def suggest_objectives(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        return [(o.id, o.title) for o in self.search.suggest(text, limit=limit)]

    def suggest_timezones(self, text: str, limit: int = 25) -> list[str]:
        needle = text.strip().lower().replace(" ", "_")
        names = timezone_names()
        starts = [n for n in names if n.lower().startswith(needle)]
        inside = [n for n in names if needle in n.lower() and n not in starts]
        return (starts + inside)[:limit]

    async def has_group(self, place: Place) -> bool:
        """Whether this channel is a study group."""
        async with self.sessions() as session:
            group = await self._group(session, place)
        return group is not None and group.channel == place.channel

    def domain_choices(self) -> list[tuple[str, str]]:
        return [(d.id, cards.domain_label(d)) for d in self.pack.domains]

    async def home(self, member: Member) -> Reply:
        """A member's overview: progress per domain, streak, rank and today's objective."""
        place = Place(member.platform, member.workspace, "")
        ctx = Context(member, place)
        stats = await self._stats(ctx)
        today = await self._today(ctx)
        return Reply(cards=today.cards + stats.cards, text=today.text, visibility=stats.visibility)

    # --- members and groups ---------------------------------------------------------------

    async def _group(self, session: AsyncSession, place: Place) -> Group | None:
        """The group of this channel, else the workspace's first group."""
        here = await session.scalar(
            select(Group).where(Group.platform == place.platform, Group.workspace == place.workspace,
                                Group.channel == place.channel)
        )
        if here is not None:
            return here
        return await session.scalar(
            select(Group).where(Group.platform == place.platform, Group.workspace == place.workspace)
            .order_by(Group.id).limit(1)
        )

    # --- quizzes ---------------------------------------------------------------------------

    async def _answer(self, ctx: Context, quiz_id: int, positions: frozenset[int]) -> list[Reply]:
        outcome = await self.desk.submit(quiz_id, ctx.member, ctx.place, positions)
        if outcome.status is quizzes.Status.MISSING:
            return [say(f"I can't find that quiz any more. Try {ctx.prefix}today or {ctx.prefix}quiz.")]
        if outcome.status is quizzes.Status.ELSEWHERE:
            return [say("That quiz belongs to another study group, so this click doesn't count here. "
                        f"Try {ctx.prefix}today for this group's quiz.")]
        objective = self.pack.objective_by_id[outcome.question.objective_id]
        if outcome.quiz.kind == "exam":
            return await self._exam_answer(ctx, outcome)
        if outcome.quiz.kind == "review":
            return [learning_cards.review_feedback(outcome, objective, ctx.prefix)]
        return [cards.feedback(outcome, objective, ctx.prefix)]

    # --- review, readiness, exam -----------------------------------------------------------------

    async def _review(self, ctx: Context, new: bool) -> Reply:
        pick = await self.reviews.next(ctx.member, new=new)
        if pick.quiz is None:
            return learning_cards.nothing_due(pick, self.now(), ctx.prefix, True)
        return learning_cards.review_question(pick, True)

    async def _readiness(self, ctx: Context) -> Reply:
        async with self.sessions() as session:
            member_id = await self.members.find(session, ctx.member)
            r = await readiness.for_member(session, self.pack, member_id, self.now())
        return learning_cards.readiness(r, ctx.prefix)

    async def _group_readiness(self, ctx: Context) -> Reply:
        now = self.now()
        async with self.sessions() as session:
            group = await self._group(session, ctx.place)
            if group is None:
                return _no_group(ctx)
            if not _may_admin(ctx, group):
                return say("Only admins (or members they add with `/studybot admins add`) can see the group's readiness.")
            tz = zone(group.timezone)
            monday = local_instant(date.fromisoformat(week_of(local_date(now, tz))), time(0, 0), tz)
            g = await readiness.for_group(session, self.pack, group.id, monday, now)
        return learning_cards.group_readiness(g)

    async def _exam(self, ctx: Context, questions: int | None, history: bool) -> list[Reply]:
        if history:
            return [learning_cards.exam_history(await self.exams.history(ctx.member), ctx.prefix)]
        if questions is not None and not exams.MIN_QUESTIONS <= questions <= exams.MAX_QUESTIONS:
            return [learning_cards.exam_size(ctx.prefix)]
        state = await self.exams.current(ctx.member) if questions is None else None
        if state is None:
            state = await self.exams.start(ctx.member, questions or exams.DEFAULT_QUESTIONS)
        if isinstance(state, Started):
            note = ("You already have a mock exam running: here is where you are." if state.already and questions
                    else "" if state.already else
                    f"Your mock exam has started: {state.step.exam.questions} questions, 2 minutes each. "
                    "No feedback until the end.")
            return [learning_cards.exam_step(state.step, ctx.prefix, True, note)]
        if isinstance(state, Step):
            return [learning_cards.exam_step(state, ctx.prefix, True)]
        return learning_cards.exam_results(state, self.pack, ctx.prefix, True)

    async def _exam_answer(self, ctx: Context, outcome: quizzes.Outcome) -> list[Reply]:
        if outcome.status in (quizzes.Status.NOT_YOURS, quizzes.Status.INVALID):
            return [learning_cards.exam_refused(outcome, ctx.prefix)]
        exam_id = await self.exams.exam_of(outcome.quiz.id)
        state = await self.exams.resume(exam_id)
        if isinstance(state, Step):
            return [learning_cards.exam_step(state, ctx.prefix, True)]
        return learning_cards.exam_results(state, self.pack, ctx.prefix, True)

    async def _practice(self, ctx: Context) -> Reply:
        async with self.sessions() as session, session.begin():
            member_id = await self.members.id_of(session, ctx.member)
            history = (
                await session.execute(
                    select(Quiz.objective_id, Quiz.question_id, AnswerRow.correct)
                    .join(AnswerRow, AnswerRow.quiz_id == Quiz.id)
                    .where(AnswerRow.member_id == member_id).order_by(AnswerRow.id)
                )
            ).all()
            last: dict[str, bool] = {}
            seen: Counter[str] = Counter()
            for objective_id, question_id, correct in history:
                last[objective_id] = correct
                seen[question_id] += 1
            missed = [o for o in self.pack.objectives if last.get(o.id) is False]
            unseen = [o for o in self.pack.objectives if o.id not in last]
            rng = random.Random()
            pool = missed or unseen or self.pack.objectives
            objective = rng.choice(pool)
            question = pick_question(self.pack.questions_by_objective[objective.id], seen, rng)
            quiz = Quiz(
                kind="practice", owner_id=member_id, question_id=question.id, objective_id=objective.id,
                option_order=shuffled_order(question, rng), opened_at=self.now(),
            )
            session.add(quiz)
            await session.flush()
        why = "you missed it last time" if missed else "you haven't seen it yet" if unseen else "keep it fresh"
        card = cards.quiz_card(quiz, question, objective)
        return show(cards.objective_card(objective, body=f"Practice pick: {why}."), card, private=True)

    async def _leaderboard(self, ctx: Context, period: str) -> Reply:
        async with self.sessions() as session:
            group = await self._group(session, ctx.place)
            if group is None:
                return _no_group(ctx)
            today = local_date(self.now(), zone(group.timezone))
            week = {"week": week_of(today), "last-week": previous_week(today)}.get(period)
            b = await board(session, group.id, week or "all", ctx.member)
        return cards.leaderboard(b, period, week)

    async def _stats(self, ctx: Context) -> Reply:
        async with self.sessions() as session:
            member_id = await self.members.find(session, ctx.member)
            group = await self._group(session, ctx.place)
            latest = group.posts_made - 1 if group is not None and group.posts_made else None
            s = await member_stats(session, ctx.member, member_id, group.id if group else None, latest)
            r = await readiness.for_member(session, self.pack, member_id, self.now())
        reply = cards.stats(s, self.pack, ctx.member.name)
        return Reply(cards=reply.cards + learning_cards.readiness_cards(r, ctx.prefix), text=reply.text,
                     visibility=reply.visibility)

    async def _today(self, ctx: Context) -> Reply:
        async with self.sessions() as session:
            group = await self._group(session, ctx.place)
            if group is None:
                return _no_group(ctx)
            tz = zone(group.timezone)
            quiz = await session.scalar(
                select(Quiz).where(Quiz.group_id == group.id, Quiz.kind == "daily").order_by(Quiz.seq.desc()).limit(1)
            )
            member_id = await self.members.find(session, ctx.member)
            if quiz is None:
                objective = self.rotation.objective_for(group.seed, group.posts_made)
                return cards.today(objective, None, None, tz)
            picks = member_id and await session.scalar(
                select(AnswerRow.picks).where(AnswerRow.quiz_id == quiz.id, AnswerRow.member_id == member_id)
            )
        answered = quizzes.decode_picks(picks) if picks else None
        question = self.pack.question_by_id[quiz.question_id]
        return cards.today(self.pack.objective_by_id[quiz.objective_id], quiz, answered, tz, question)

    async def _report(self, ctx: Context, reason: str | None, quiz_id: int | None) -> Reply:
        """A member reports a question they answered (``quiz_id`` None: their latest answer)."""
        if reason is not None and reason not in REPORT_REASONS:
            return say(f"Report a question as one of: {', '.join(REPORT_REASONS)}.")
        async with self.sessions() as session, session.begin():
            member_id = await self.members.find(session, ctx.member)
            if member_id is None:
                return cards.report_needs_answer(ctx.prefix)
            if quiz_id is None:
                quiz = await health.latest_answered(session, member_id)
            else:
                quiz = await session.get(Quiz, quiz_id)
                if quiz is not None and not await health.answered(session, quiz.id, member_id):
                    quiz = None
            if quiz is None:
                return cards.report_needs_answer(ctx.prefix)
            if reason is None:
                return cards.report_ask(quiz.id, ctx.prefix)
            group_id = quiz.group_id
            if group_id is None:  # a practice question: the group of the place it was reported from
                group = await self._group(session, ctx.place)
                group_id = group.id if group is not None else None
            earlier = await health.file_report(session, quiz, member_id, group_id, reason, self.now())
        return cards.report_filed(reason, earlier, ctx.prefix)

    def _list(self, text: str | None, prefix: str) -> Reply:
        if not text:
            return cards.objectives_list(self.pack, None, prefix)
        domain = self._find_domain(text)
        if domain is None:
            names = ", ".join(f"{d.id} ({d.title})" for d in self.pack.domains)
            return say(f"No exam domain matches “{quote(text)}”. The domains are {names}.")
        return cards.objectives_list(self.pack, domain, prefix)

    def _find_domain(self, text: str) -> Domain | None:
        text = text.strip().lower()
        for d in self.pack.domains:
            if text in (d.id, d.title.lower()):
                return d
        words = set(text.split())
        scored = [(len(words & set(d.title.lower().split())), d) for d in self.pack.domains]
        best = max(scored, key=lambda t: t[0])
        return best[1] if best[0] > 0 else None

    # --- admin -------------------------------------------------------------------------------

    async def _admin(self, ctx: Context, command: Command) -> Reply:
        if isinstance(command, Setup):
            return await self._setup(ctx, command)
        async with self.sessions() as session, session.begin():
            group = await self._group(session, ctx.place)
            if group is None:
                return _no_group(ctx)
            if not _may_admin(ctx, group):
                return say("Only admins (or members they add with `/studybot admins add`) can do that.")
            tz = zone(group.timezone)
            match command:
                case Pause():
                    group.paused, group.paused_reason = True, None
                    return say("Daily posts are paused. `/studybot resume` starts them again.", private=False)
                case Resume():
                    group.paused, group.paused_reason = False, None
                    group.next_post_at = next_post_after(self.now(), parse_time(group.post_time), tz)
                    return say(f"Daily posts resume: next one {cards.when(group.next_post_at, tz)}.", private=False)
                case Status():
                    return cards.status(group, tz, await self.daily.retry_at(session, group.id))
                case Admins(add, remove):
                    bad = next((a for a in (*add, *remove) if not _MEMBER_ID.fullmatch(a)), None)
                    if bad is not None:
                        return say(f"“{quote(bad)}” is not a member. Name members with @, e.g. "
                                   f"`/studybot admins add @alice`.")
                    admins = [a for a in (group.admins or []) if a not in remove]
                    admins += [a for a in add if a not in admins]
                    if len(admins) > MAX_EXTRA_ADMINS:
                        return say(f"A group can have at most {MAX_EXTRA_ADMINS} extra admins; "
                                   "remove some before adding more.")
                    group.admins = admins
                    return say(f"Extra admins: {cards.admins_label(admins, 'none besides the server’s own admins')}.")
                case Reports():
                    return cards.question_report(await health.question_health(session, self.pack, group.id), self.pack)
                case PostNow():
                    group_id = group.id
        return await self._post_now(group_id)

    async def _setup(self, ctx: Context, cmd: Setup) -> Reply:
        channel = cmd.channel or ctx.place.channel
        usable = _CHANNEL.fullmatch(channel) is not None
        place = Place(ctx.place.platform, ctx.place.workspace, channel)
        where_group = (Group.platform == place.platform, Group.workspace == place.workspace, Group.channel == channel)
        async with self.sessions() as session:
            group = await session.scalar(select(Group).where(*where_group)) if usable else None
        # who may set up comes first: a member who may not is told that, whatever else is wrong
        if not (ctx.member.is_admin or (group is not None and ctx.member.user_id in (group.admins or []))):
            return say("Only admins can set up StudyBot.")
        if not usable:
            return say(f"“{quote(channel)}” is not a channel I can post in: name one like #study-group "
                       "(letters, digits, - and _, at most 64 characters).")
        at = parse_time(cmd.time)
        if at is None:
            return say(f"“{quote(cmd.time)}” is not a time. Use 24-hour HH:MM, for example 09:00 or 18:30.")
        tz = zone(cmd.timezone)
        if tz is None:
            close = self.suggest_timezones(cmd.timezone.split("/")[-1][:40], limit=3)
            hint = f" Did you mean {', '.join(close)}?" if close else " Use an IANA name like Europe/Berlin."
            return say(f"“{quote(cmd.timezone)}” is not a time zone I know.{hint}")
        if cmd.open_hours is not None and not 1 <= cmd.open_hours <= 168:
            return say("A quiz can stay open from 1 to 168 hours (or leave it out: until the next post).")
        post_time = f"{at:%H:%M}"
        poster = self.posters.get(place.platform)
        if poster is not None:  # prove it: post a short notice there, or refuse with the fix
            try:
                await poster.check(place, cards.setup_notice(post_time, cmd.timezone))
            except DeliveryError as e:
                log.warning("setup of %s %s refused: %s", place.platform, channel, e)
                return cards.setup_refused(place.platform, channel, e)
        now = self.now()
        async with self.sessions() as session, session.begin():
            group = await session.scalar(select(Group).where(*where_group))
            if group is None:
                group = Group(
                    platform=place.platform, workspace=place.workspace, channel=channel, admins=[],
                    seed=random.randrange(1, 2**31), posts_made=0, created_at=now, paused=False,
                )
                session.add(group)
            group.post_time = post_time
            group.timezone = cmd.timezone
            group.open_hours = cmd.open_hours
            group.paused, group.paused_reason = False, None
            group.next_post_at = next_post_after(now, at, tz)
            group.problem = group.problem_detail = group.problem_since = None  # the check just worked
        open_for = f"{cmd.open_hours} hours" if cmd.open_hours else "until the next post"
        where = "here" if channel == ctx.place.channel else f"in {cards.channel_label(channel)}"
        return say(
            f"StudyBot will post the daily objective and quiz {where} every day at {group.post_time} "
            f"({cmd.timezone}); quizzes stay open {open_for}. First post: {cards.when(group.next_post_at, tz)}. "
            "Admins can post one right away with `/studybot post-now`.",
            private=False,
        )

    # --- scheduling --------------------------------------------------------------------------

    async def _post_now(self, group_id: int) -> Reply:
        async with self.sessions() as session:
            group = await session.get(Group, group_id)
        if group.platform not in self.posters:
            return say("I'm not connected to that platform right now, so I can't post. Try again shortly.")
        now = self.now()
        tz = zone(group.timezone)
        sent = await self.daily.post_now(group.id, now, local_date(now, tz))
        if sent is None:
            return say("Today's quiz is already posted in the group's channel. The next one comes at the usual time.")
        if sent.error is not None:
            async with self.sessions() as session:
                retry_at = await self.daily.retry_at(session, group.id)
            return cards.post_now_failed(group, sent.error, retry_at, tz)
        return say("Posted today's objective and quiz.")

    async def pause_workspace(self, platform: str, workspace: str, reason: str) -> int:
        """Pause every running group of a workspace the platform no longer lets the bot reach
        (the app was uninstalled); groups an admin paused stay as they are. Returns how many."""
        async with self.sessions() as session, session.begin():
            groups = (await session.scalars(select(Group).where(
                Group.platform == platform, Group.workspace == workspace, Group.paused.is_(False)))).all()
            for group in groups:
                group.paused, group.paused_reason = True, reason
        return len(groups)

    async def resume_workspace(self, platform: str, workspace: str, reason: str) -> int:
        """Resume the groups :meth:`pause_workspace` paused for ``reason``; each posts next at its
        usual time. Returns how many."""
        now = self.now()
        async with self.sessions() as session, session.begin():
            groups = (await session.scalars(select(Group).where(
                Group.platform == platform, Group.workspace == workspace, Group.paused_reason == reason))).all()
            for group in groups:
                group.paused, group.paused_reason = False, None
                group.next_post_at = next_post_after(now, parse_time(group.post_time), zone(group.timezone))
        return len(groups)

    async def run_due(self, now: datetime | None = None) -> None:
        """End expired mock exams, post due daily quizzes and close expired ones (the scheduler calls this)."""
        await self.exams.finish_expired(now or self.now())
        await self.daily.run_due(now)

    async def next_wakeup(self) -> datetime | None:
        """When something is next due: a daily post or a quiz close."""
        return await self.daily.next_wakeup()


def _may_admin(ctx: Context, group: Group) -> bool:
    return ctx.member.is_admin or ctx.member.user_id in (group.admins or [])


def _no_group(ctx: Context) -> Reply:
    return say(
        "No study group is set up here yet. An admin can start one with `/studybot setup`, "
        "giving the channel, the daily time (HH:MM) and the time zone."
    )
