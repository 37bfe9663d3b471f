"""Several workers on one store: every click recorded once, no database error reaches a member,
and the boards' aggregates stay exactly what the answers add up to."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot import codec
from bot.commands import Answer, Place, PostNow, Setup
from bot.replies import Tone
from bot.store.models import Answer as AnswerRow
from bot.store.models import Progress, Quiz, Score, ScoreBucket, Standing
from tests.helpers import PLACE, ctx, right_and_wrong

ADMIN = ctx("admin", admin=True)


async def check_boards_exact(service) -> dict[str, int]:  # noqa: ANN001
    """Scores == sums over the answers, buckets == counts over the scores, streaks' last
    post == the last post answered correctly. Returns a few totals for the caller's asserts."""
    async with service.sessions() as s:
        answers = (await s.execute(
            select(AnswerRow.member_id, AnswerRow.points, AnswerRow.correct, Quiz.group_id, Quiz.week, Quiz.seq)
            .join(Quiz, Quiz.id == AnswerRow.quiz_id).where(Quiz.kind == "daily")
        )).all()
        scores = (await s.execute(
            select(Score.group_id, Score.period, Score.member_id, Score.points, Score.correct, Score.answered)
        )).all()
        buckets = (await s.execute(select(ScoreBucket.group_id, ScoreBucket.period, ScoreBucket.points,
                                          ScoreBucket.members))).all()
        standings = (await s.execute(select(Standing.group_id, Standing.member_id, Standing.last_seq))).all()
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    last_correct: dict[tuple, int] = {}
    for member, points, correct, group, week, seq in answers:
        for period in ("all", week):
            e = expected[(group, period, member)]
            e[0] += points
            e[1] += int(correct)
            e[2] += 1
        if correct:
            last_correct[(group, member)] = max(seq, last_correct.get((group, member), -1))
    assert {(g, p, m): [pts, c, a] for g, p, m, pts, c, a in scores} == dict(expected)
    assert {(g, p, pts): n for g, p, pts, n in buckets} == dict(Counter((g, p, pts) for g, p, _m, pts, _c, _a in scores))
    assert {(g, m): last for g, m, last in standings if last >= 0} == last_correct
    return {"answers": len(answers), "scores": len(scores), "buckets": len(buckets)}


async def test_workers_answering_the_same_members_record_each_click_once(open_service, poster, clock):
    workers = [await open_service() for _ in range(3)]
    await workers[0].handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    rng = random.Random(7)
    members = [f"m{i}" for i in range(40)]
    recorded = 0
    for day in range(3):
        if day:
            clock.advance(days=1)
        await workers[0].handle(ADMIN, PostNow())
        quiz_id = codec.decode(poster.posts[-1][1].cards[-1].choices[0].id).quiz_id
        right, wrong = await right_and_wrong(workers[0], quiz_id)
        # each member clicks on two or three workers at once (a double click, a retried request),
        # new members appear on several workers in different orders
        clicks = [(w, m, rng.choice((right, wrong))) for m in members for w in rng.sample(workers, rng.choice((2, 3)))]
        rng.shuffle(clicks)
        replies = await asyncio.gather(*(w.handle(ctx(m), Answer(quiz_id, p)) for w, m, p in clicks))
        firsts = Counter()
        for (_w, m, _p), [reply] in zip(clicks, replies, strict=True):
            title = reply.cards[0].title
            if reply.cards[0].tone in (Tone.SUCCESS, Tone.FAILURE):
                firsts[m] += 1
            else:
                assert "already answered" in title, title
        assert firsts == Counter({m: 1 for m in members})
        recorded += len(members)
    totals = await check_boards_exact(workers[0])
    assert totals["answers"] == recorded


async def test_one_member_on_two_workers_in_two_groups_at_once(open_service, poster):
    """The same members answer two groups' quizzes on two workers at the same instant: their
    per-domain progress (shared by both groups) and each group's board stay exact."""
    a, b = await open_service(), await open_service()
    second = Place("terminal", "ws1", "second")
    quizzes = []
    for place in (PLACE, second):
        admin = ctx("admin", admin=True, place=place)
        await a.handle(admin, Setup(time="09:00", timezone="UTC"))
        await a.handle(admin, PostNow())
        quizzes.append(codec.decode(poster.posts[-1][1].cards[-1].choices[0].id).quiz_id)
    rights = [(await right_and_wrong(a, q))[0] for q in quizzes]
    replies = await asyncio.gather(*(
        w.handle(ctx(f"s{i}", place=place), Answer(q, r))
        for i in range(30) for w, place, q, r in ((a, PLACE, quizzes[0], rights[0]), (b, second, quizzes[1], rights[1]))
    ))
    assert all(reply.cards[0].tone is Tone.SUCCESS for [reply] in replies)
    totals = await check_boards_exact(a)
    assert totals["answers"] == 60
    async with a.sessions() as s:
        answered = Counter((await s.scalars(select(Progress.answered))).all())
    domains = {a.pack.objective_by_id[(await _quiz(a, q)).objective_id].domain.id for q in quizzes}
    assert answered == (Counter({2: 30}) if len(domains) == 1 else Counter({1: 60}))


async def _quiz(service, quiz_id: int) -> Quiz:  # noqa: ANN001
    async with service.sessions() as s:
        return await s.get(Quiz, quiz_id)


async def test_a_closed_quiz_stays_closed_for_every_worker(open_service, poster, clock):
    a, b = await open_service(), await open_service()
    await a.handle(ADMIN, Setup(time="09:00", timezone="UTC", open_hours=2))
    await a.handle(ADMIN, PostNow())
    quiz_id = codec.decode(poster.posts[-1][1].cards[-1].choices[0].id).quiz_id
    right, _ = await right_and_wrong(a, quiz_id)
    clock.advance(hours=2, minutes=1)
    await a.run_due()
    [late] = await b.handle(ctx("ann"), Answer(quiz_id, right))
    assert "closed" in late.cards[0].title


async def test_a_practice_click_on_two_workers_at_once_counts_once(open_service):
    from bot.commands import Practice

    a, b = await open_service(), await open_service()
    clicks = []
    for i in range(15):
        member = ctx(f"p{i}")
        [practice] = await a.handle(member, Practice())
        quiz_id = codec.decode(practice.cards[-1].choices[0].id).quiz_id
        right, _ = await right_and_wrong(a, quiz_id)
        clicks += [(a, member, quiz_id, right), (b, member, quiz_id, right)]
    replies = await asyncio.gather(*(w.handle(m, Answer(q, r)) for w, m, q, r in clicks))
    tones = Counter(reply.cards[0].tone for [reply] in replies)
    assert tones == Counter({Tone.SUCCESS: 15, Tone.WARNING: 15})  # the second click: "already answered"
    async with a.sessions() as s:
        assert sum((await s.scalars(select(Progress.answered))).all()) == 15


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_answer_right_after_a_database_restart_is_recorded(open_service, poster, database_url):
    """Every pooled connection dies (a restart, a failover): the next answers are still recorded,
    on new connections, and the board stays exact."""
    import asyncpg

    service = await open_service()
    await service.handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    await service.handle(ADMIN, PostNow())
    quiz_id = codec.decode(poster.posts[-1][1].cards[-1].choices[0].id).quiz_id
    right, _ = await right_and_wrong(service, quiz_id)
    before = await asyncio.gather(*(service.handle(ctx(f"b{i}"), Answer(quiz_id, right)) for i in range(12)))
    assert all(reply.cards[0].tone is Tone.SUCCESS for [reply] in before)  # the pool holds connections now
    admin = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="test")
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
            database_url.rsplit("/", 1)[1],
        )
    finally:
        await admin.close()
    assert killed >= 1
    after = await asyncio.gather(*(service.handle(ctx(f"a{i}"), Answer(quiz_id, right)) for i in range(12)))
    assert all(reply.cards[0].tone is Tone.SUCCESS for [reply] in after)
    assert (await check_boards_exact(service))["answers"] == 24


async def test_a_score_bucket_its_last_member_leaves_is_removed(open_service, poster, clock):
    """A member alone on 10 points scores again: the 10-point buckets (all time and the week) go."""
    a, b = await open_service(), await open_service()
    await a.handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    for day in range(2):
        if day:
            clock.advance(days=1)
        await a.handle(ADMIN, PostNow())
        quiz_id = codec.decode(poster.posts[-1][1].cards[-1].choices[0].id).quiz_id
        right, wrong = await right_and_wrong(a, quiz_id)
        await asyncio.gather(a.handle(ctx("ann"), Answer(quiz_id, right)), b.handle(ctx("ben"), Answer(quiz_id, wrong)))
    await check_boards_exact(a)
    async with a.sessions() as s:
        board = (await s.execute(select(ScoreBucket.points, ScoreBucket.members).where(ScoreBucket.period == "all"))).all()
    assert sorted(board) == [(0, 1), (22, 1)]


async def test_one_member_answering_two_open_quizzes_of_a_group_on_two_workers_keeps_the_streak(open_service, poster, clock):
    """Between today's post and yesterday's close (the post commits first) both quizzes are open:
    members answer both at that instant, one on each worker. Both answers move the member's
    streak in the group, so the second to commit must see the first (on SQLite too, where
    nothing locks a row that was read)."""
    a, b = await open_service(), await open_service()
    await a.handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    quizzes = []
    for day in range(2):
        if day:
            clock.advance(days=1)  # before 09:00: yesterday's quiz closes at today's post time
        await a.handle(ADMIN, PostNow())
        quizzes.append(codec.decode(poster.posts[-1][1].cards[-1].choices[0].id).quiz_id)
    async with a.sessions() as s, s.begin():  # the instant before the post closes yesterday's quiz
        await s.execute(update(Quiz).where(Quiz.id == quizzes[0]).values(closed_at=None, closes_at=clock() + timedelta(hours=1)))
    rights = [(await right_and_wrong(a, q))[0] for q in quizzes]
    members = [f"m{i}" for i in range(60)]
    replies = await asyncio.gather(*(
        w.handle(ctx(m), Answer(q, r)) for m in members for w, q, r in ((a, quizzes[0], rights[0]), (b, quizzes[1], rights[1]))
    ))
    assert all(reply.cards[0].tone is Tone.SUCCESS for [reply] in replies), [r.cards[0].title for [r] in replies]
    totals = await check_boards_exact(a)  # each member's streak ends on today's post
    assert totals["answers"] == 2 * len(members)
    async with a.sessions() as s:
        streaks = Counter((await s.scalars(select(Standing.streak))).all())
    # whichever answer committed first, the other saw it: two in a row, or (today's first) one
    assert set(streaks) <= {1, 2} and streaks.total() == len(members), streaks
