"""What a group studies day after day: weighted by the exam, complete before repeating."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import select

from bot.commands import Setup
from bot.store.models import Quiz
from tests.helpers import ctx


async def test_a_group_covers_every_objective_before_repeats_and_domains_follow_exam_weight(service, clock, poster):
    clock.set(datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc))
    await service.handle(ctx("a", admin=True), Setup(time="08:00", timezone="UTC"))
    cycle = service.rotation.length
    days = 2 * cycle
    for _ in range(days):
        clock.advance(days=1)
        await service.run_due()
    async with service.sessions() as session:
        posted = (await session.execute(select(Quiz.objective_id, Quiz.question_id).order_by(Quiz.seq))).all()
    assert len(posted) == days
    objectives = [service.pack.objective_by_id[o] for o, _ in posted]
    for start in (0, cycle):
        first_pass = objectives[start:start + 78]
        assert len({o.id for o in first_pass}) == 78  # everything once before anything twice
        share = Counter(o.domain.id for o in objectives[start:start + cycle])
        for domain in service.pack.domains:
            assert domain.weight_min <= 100 * share[domain.id] / cycle <= domain.weight_max, (domain.id, share)
    # a group meets every question of an objective before it meets one again
    seen: dict[str, Counter[str]] = {}
    for objective_id, question_id in posted:
        counts = seen.setdefault(objective_id, Counter())
        bank = service.pack.questions_by_objective[objective_id]
        assert counts[question_id] == min(counts[q.id] for q in bank), objective_id
        counts[question_id] += 1
    assert len(poster.posts) == days
