"""Readiness through the public API: recall is the mean FSRS retrievability a week ahead, a domain's
recall is weighted by its exam share, and nothing is made up for objectives without answers."""

from __future__ import annotations

import math

from bot import codec
from bot.commands import Answer, Practice, Readiness, Setup, Stats
from bot.store.models import Quiz
from tests.helpers import ctx, right_and_wrong

ANN = ctx("ann")

# fsrs 6 defaults, typed by hand: w0 and w2 are the first stabilities after Again and Good
# (days), 0.1542 the decay; retrievability after t days is (1 + F t / S) ** -decay
DECAY = 0.1542
F = 0.9 ** (-1 / DECAY) - 1
S_AGAIN, S_GOOD = 0.212, 2.3065


def retrievability(days: float, stability: float) -> float:
    return (1 + F * days / stability) ** -DECAY


async def _practice(service, right: bool) -> str:  # noqa: ANN001
    """Answer one practice question right or wrong; its objective id."""
    [reply] = await service.handle(ANN, Practice())
    quiz_id = codec.decode(reply.cards[1].choices[0].id).quiz_id
    r, w = await right_and_wrong(service, quiz_id)
    await service.handle(ANN, Answer(quiz_id, r if right else w))
    async with service.sessions() as s:
        return (await s.get(Quiz, quiz_id)).objective_id


async def test_readiness_equals_a_hand_computed_example(service, clock):
    [empty] = await service.handle(ANN, Readiness())
    assert "Predicted score: not enough answers yet" in empty.cards[0].body
    assert all(f.value == "not enough answers yet" for f in empty.cards[0].fields)

    good = await _practice(service, right=True)
    again = await _practice(service, right=False)
    clock.advance(days=3)
    pack = service.pack
    # a week ahead of now: 3 + 7 days after the answers
    recall = {good: retrievability(10, S_GOOD), again: retrievability(10, S_AGAIN)}
    assert round(recall[good], 4) == 0.7744 and round(recall[again], 4) == 0.5518  # by hand, as a check
    total = sum(d.weight for d in pack.domains)
    share = {d.id: d.weight / total for d in pack.domains}
    domain_recall: dict[str, list[float]] = {}
    for oid, r in recall.items():
        domain_recall.setdefault(pack.objective_by_id[oid].domain.id, []).append(r)
    means = {d: sum(v) / len(v) for d, v in domain_recall.items()}
    p = sum(share[d] * m for d, m in means.items()) / sum(share[d] for d in means)
    size = {d.id: sum(1 for o in pack.objectives if o.domain.id == d.id) for d in pack.domains}
    unknown = 1 - sum(share[pack.objective_by_id[o].domain.id] / size[pack.objective_by_id[o].domain.id] for o in recall)
    margin = 1.96 * math.sqrt(p * (1 - p) / 2 + (unknown / math.sqrt(12)) ** 2)

    [reply] = await service.handle(ANN, Readiness())
    summary, study = reply.cards
    assert reply.private
    assert (f"**Predicted score: {round(1000 * p)} / 1000** (range {round(1000 * max(0, p - margin))}-"
            f"{round(1000 * min(1, p + margin))})") in summary.body
    for d in pack.domains:
        [field] = [f for f in summary.fields if f.name.startswith(d.title)]
        if d.id in means:
            assert field.value.startswith(f"{round(100 * means[d.id])}% recall")
        else:
            assert field.value == "not enough answers yet"
    # study next: the heaviest unanswered objectives (weight x (1 - 0)), each with its link
    per_objective = {o.id: share[o.domain.id] / size[o.domain.id] * (1 - recall.get(o.id, 0)) for o in pack.objectives}
    best = sorted(pack.objectives, key=lambda o: -per_objective[o.id])[:3]
    assert [link.url for link in study.links] == [o.url for o in best]

    # the same block shows in /stats
    [stats] = await service.handle(ANN, Stats())
    assert summary in stats.cards


async def test_a_wrong_answer_just_given_is_not_counted_as_recalled(service, clock):
    await _practice(service, right=False)
    [reply] = await service.handle(ANN, Readiness())
    wrong = reply.cards[0].body
    score = int(wrong.split("Predicted score: ")[1].split(" /")[0])
    assert score == round(1000 * retrievability(7, S_AGAIN))  # not 1000: right after it, FSRS says 1


async def test_the_range_narrows_as_answers_accumulate(service, clock):
    widths = []
    for n in range(12):
        await _practice(service, right=n % 3 != 0)
        if n in (1, 11):
            [reply] = await service.handle(ANN, Readiness())
            body = reply.cards[0].body
            low, high = body.split("(range ")[1].split(")")[0].split("-")
            widths.append(int(high) - int(low))
    assert widths[1] < widths[0]


async def test_group_readiness_is_for_admins_and_names_no_one(service, clock, poster):
    from bot.commands import PostNow

    admin = ctx("admin", admin=True)
    await service.handle(admin, Setup(time="09:00", timezone="UTC"))
    await service.handle(admin, PostNow())
    quiz_id = codec.decode(poster.posts[-1][1].cards[1].choices[0].id).quiz_id
    right, wrong = await right_and_wrong(service, quiz_id)
    for user, pick in (("ann", right), ("ben", wrong), ("cat", right)):
        await service.handle(ctx(user), Answer(quiz_id, pick))
    [refused] = await service.handle(ANN, Readiness(group=True))
    assert "Only admins" in refused.text
    [view] = await service.handle(admin, Readiness(group=True))
    card = view.cards[0]
    fields = {f.name: f.value for f in card.fields}
    assert fields["Members"] == "3" and fields["Answered this week"] == "3"
    bands = dict(line.split(": ") for line in fields["Predicted scores (members per band)"].splitlines())
    assert sum(int(n) for n in bands.values()) == 3 and bands["not enough answers yet"] == "0"
    assert "Ann" not in str(view) and "Ben" not in str(view)
    objective = service.pack.objective_by_id[(await _objective_of(service, quiz_id))]
    assert objective.title in card.body and card.links[0].url == objective.url


async def _objective_of(service, quiz_id: int) -> str:  # noqa: ANN001
    async with service.sessions() as s:
        return (await s.get(Quiz, quiz_id)).objective_id
