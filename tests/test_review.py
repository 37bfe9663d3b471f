"""Spaced review through the public API: every answer moves the member's FSRS card as the
``fsrs`` package says, and /review serves due cards, then new questions where they pay most."""

from __future__ import annotations

from datetime import timedelta

from fsrs import Card, Rating, Scheduler
from sqlalchemy import select

from bot import codec
from bot.commands import Answer, PostNow, Practice, Review, Setup
from bot.replies import Tone
from bot.store.models import Member, Quiz, ReviewCard
from tests.helpers import ctx, right_and_wrong

ADMIN = ctx("admin", admin=True)
ANN = ctx("ann")
#: the package's own scheduler with its defaults; fuzzing off as StudyBot runs it
PACKAGE = Scheduler(enable_fuzzing=False)


def _quiz_id(reply) -> int:  # noqa: ANN001
    card = next(c for c in reply.cards if c.choices)
    return codec.decode(card.choices[0].id).quiz_id


async def _card(service, user: str, question_id: str) -> ReviewCard | None:  # noqa: ANN001
    async with service.sessions() as s:
        return await s.scalar(select(ReviewCard).join(Member, Member.id == ReviewCard.member_id)
                              .where(Member.user_id == user, ReviewCard.question_id == question_id))


async def _question_of(service, quiz_id: int) -> str:  # noqa: ANN001
    async with service.sessions() as s:
        return (await s.get(Quiz, quiz_id)).question_id


async def test_each_answer_moves_the_card_as_the_fsrs_package_says(service, clock):
    """Daily wrong (Again), then review right twice (Good): due dates equal the package's."""
    await service.handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    await service.handle(ADMIN, PostNow())
    [post] = [r for _, r, _ in service.posters["terminal"].posts]
    daily = _quiz_id(post)
    right, wrong = await right_and_wrong(service, daily)
    question_id = await _question_of(service, daily)

    expected = Card(card_id=0, due=clock.now)
    t0 = clock.now
    await service.handle(ANN, Answer(daily, wrong))
    expected, _ = PACKAGE.review_card(expected, Rating.Again, t0)
    card = await _card(service, "ann", question_id)
    assert (card.due, card.state, card.reviews, card.lapses) == (expected.due, int(expected.state), 1, 1)
    assert card.due == t0 + timedelta(minutes=1)  # the package's first learning step

    # not due yet: /review says when it is
    [reply] = await service.handle(ANN, Review())
    assert "in 1 minute" in reply.cards[0].body and reply.cards[0].actions

    for hours in (0.05, 30):
        now = clock.advance(hours=hours)
        [question] = await service.handle(ANN, Review())
        assert question.private and question.cards[0].title == "Review · 1 due"
        quiz_id = _quiz_id(question)
        assert await _question_of(service, quiz_id) == question_id
        r, _ = await right_and_wrong(service, quiz_id)
        [feedback] = await service.handle(ANN, Answer(quiz_id, r))
        assert feedback.replace and feedback.cards[0].tone is Tone.SUCCESS
        assert [a.id for a in feedback.cards[-1].actions] == [codec.action("review")]
        expected, _ = PACKAGE.review_card(expected, Rating.Good, now)
        card = await _card(service, "ann", question_id)
        assert (card.due, card.stability, card.difficulty) == (expected.due, expected.stability, expected.difficulty)
    assert card.due - clock.now > timedelta(days=1)  # graduated: days away now, as the package decided


async def test_nothing_due_offers_new_questions_from_the_heaviest_gaps(service, clock):
    [reply] = await service.handle(ANN, Review())
    assert "no review cards yet" in reply.cards[0].body
    assert [a.id for a in reply.cards[0].actions] == [codec.action("review new")]
    [question] = await service.handle(ANN, Review(new=True))
    assert question.cards[0].title == "New question"
    quiz_id = _quiz_id(question)
    objective = service.pack.objective_by_id[service.pack.question_by_id[await _question_of(service, quiz_id)].objective_id]
    # no answers yet: the largest gain is an objective of the heaviest domain per objective
    weights = {d.id: d.weight / sum(1 for o in service.pack.objectives if o.domain.id == d.id)
               for d in service.pack.domains}
    assert weights[objective.domain.id] == max(weights.values())
    right, _ = await right_and_wrong(service, quiz_id)
    await service.handle(ANN, Answer(quiz_id, right))
    [after] = await service.handle(ANN, Review())
    assert "Your next card falls due **in 10 minutes**" in after.cards[0].body


async def test_practice_answers_make_cards_too_and_review_is_private_to_its_owner(service, clock):
    [practice] = await service.handle(ANN, Practice())
    quiz_id = _quiz_id(practice)
    _, wrong = await right_and_wrong(service, quiz_id)
    await service.handle(ANN, Answer(quiz_id, wrong))
    clock.advance(minutes=2)
    [question] = await service.handle(ANN, Review())
    review_quiz = _quiz_id(question)
    right, _ = await right_and_wrong(service, review_quiz)
    [refused] = await service.handle(ctx("ben"), Answer(review_quiz, right))
    assert "someone else" in refused.text
    async with service.sessions() as s:
        owners = (await s.execute(select(ReviewCard.member_id))).scalars().all()
    assert len(owners) == 1  # ben's refused click made no card
