"""Mock exams through the public API: drawn by exam weight, one running per member, survives a
restart, ends on time, scores per domain, and never touches the leaderboard."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import func, select

from bot import codec
from bot.commands import Answer, Leaderboard, MockExam, Setup
from bot.replies import Reply
from bot.store.models import Progress, Quiz, ReviewCard, Score
from bot.study.exam import domain_counts, draw
from tests.helpers import ctx, right_and_wrong

ANN = ctx("ann")


def _quiz_id(reply: Reply) -> int:
    card = next(c for c in reply.cards if c.choices)
    return codec.decode(card.choices[0].id).quiz_id


async def _answer(service, reply: Reply, right: bool, who=ANN) -> list[Reply]:  # noqa: ANN001
    quiz_id = _quiz_id(reply)
    r, w = await right_and_wrong(service, quiz_id)
    return await service.handle(who, Answer(quiz_id, r if right else w))


def test_questions_follow_the_exam_weights_and_each_objective_comes_at_most_twice(service):
    pack = service.pack
    for n in (10, 40, 60):
        counts = domain_counts(pack, n)
        assert sum(counts.values()) == n
        total = sum(d.weight for d in pack.domains)
        for d in pack.domains:
            assert abs(counts[d.id] - n * d.weight / total) < 1  # largest remainders
        questions = draw(pack, n, set(), random.Random(n))
        assert len({q.id for q in questions}) == n
        assert max(Counter(q.objective_id for q in questions).values()) <= 2
        got = Counter(pack.objective_by_id[q.objective_id].domain.id for q in questions)
        assert dict(got) == {d: c for d, c in counts.items() if c}


async def test_an_exam_survives_a_restart_and_ends_when_time_runs_out(open_service, clock):
    first = await open_service()
    [start] = await first.handle(ANN, MockExam(10))
    assert start.private and start.cards[0].title == "Mock exam · question 1 of 10"
    assert "Time left: 20 min 00 s" in start.cards[0].footer
    reply = start
    for right in (True, False, True):
        clock.advance(seconds=30)
        [reply] = await _answer(first, reply, right)
        assert reply.replace and "✅" not in str(reply) and "❌" not in str(reply)  # no feedback until the end
    assert reply.cards[0].title == "Mock exam · question 4 of 10"

    second = await open_service()  # a restart: a new process on the same store
    clock.advance(minutes=1)
    [again] = await second.handle(ANN, MockExam())
    assert again.cards[0].title == "Mock exam · question 4 of 10" and _quiz_id(again) == _quiz_id(reply)
    assert "Time left: 17 min 30 s" in again.cards[0].footer
    [busy] = await second.handle(ANN, MockExam(20))
    assert "already have a mock exam running" in busy.cards[0].body and _quiz_id(busy) == _quiz_id(reply)

    clock.advance(minutes=20)  # past the end: the scheduler ends it
    assert await second.next_wakeup() <= clock.now
    await second.run_due()
    [history] = await second.handle(ANN, MockExam(history=True))  # ended by the scheduler, before any touch
    assert "**200 / 1000** not a pass · 10 questions · 20 min 00 s" in history.cards[0].body
    late = await _answer(second, again, True)  # a click after the end counts for nothing
    summary = late[0].cards[0]
    assert summary.title == "Mock exam · 200 / 1000 · not a pass yet"
    assert "Time ran out" in summary.body
    fields = {f.name: f.value for f in summary.fields}
    assert fields["Correct"] == "2/10 · 3 answered" and fields["Time used"] == "20 min 00 s of 20 min 00 s"
    missed = [c for r in late[1:] for c in r.cards]
    assert len(missed) == 8 and sum("Not answered." in c.body for c in missed) == 7
    [fresh] = await second.handle(ANN, MockExam())  # nothing runs: /exam starts the default exam
    assert fresh.cards[0].title == "Mock exam · question 1 of 40"


async def test_the_last_answer_ends_the_exam_with_every_miss_explained(service, clock):
    [reply] = await service.handle(ANN, MockExam(10))
    for n in range(10):
        clock.advance(seconds=40)
        replies = await _answer(service, reply, right=n >= 3)
        reply = replies[0]
    summary, *rest = replies
    assert summary.cards[0].title == "Mock exam · 700 / 1000 · pass"
    fields = {f.name: f.value for f in summary.cards[0].fields}
    assert fields["Time used"] == "6 min 40 s of 20 min 00 s"
    domain_fields = [f for f in summary.cards[0].fields if "%)" in f.value and "/" in f.value]
    assert sum(int(f.value.split("/")[0]) for f in domain_fields) == 7
    missed = [c for r in rest for c in r.cards]
    assert len(missed) == 3 and all("Right answer:" in c.body and c.links for c in missed)
    # a new exam avoids the questions just asked
    [nxt] = await service.handle(ANN, MockExam(10))
    async with service.sessions() as s:
        asked = Counter((await s.execute(select(Quiz.question_id).where(Quiz.kind == "exam"))).scalars())
    assert max(asked.values()) == 1 and len(asked) == 20


async def test_exam_answers_feed_cards_and_progress_but_never_the_leaderboard(service, clock):
    await service.handle(ctx("admin", admin=True), Setup(time="09:00", timezone="UTC"))
    [reply] = await service.handle(ANN, MockExam(10))
    for _ in range(10):
        replies = await _answer(service, reply, right=True)
        reply = replies[0]
    assert reply.cards[0].title == "Mock exam · 1000 / 1000 · pass"
    async with service.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Score)) == 0
        assert await s.scalar(select(func.count()).select_from(ReviewCard)) == 10
        assert await s.scalar(select(func.sum(Progress.correct))) == 10
    [board] = await service.handle(ANN, Leaderboard("all"))
    assert "No points yet" in board.cards[0].body


async def test_someone_else_cannot_answer_my_exam(service, clock):
    [reply] = await service.handle(ANN, MockExam(10))
    [refused] = await _answer(service, reply, True, who=ctx("ben"))
    assert "belongs to someone else" in refused.text
    [mine] = await service.handle(ANN, MockExam())
    assert mine.cards[0].title == "Mock exam · question 1 of 10"
