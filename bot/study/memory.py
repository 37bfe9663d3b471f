"""Each member's memory of each question as an FSRS card (the ``fsrs`` package, default weights).

Every answer a member gives (daily, practice, review, exam) reviews their card for that
question: wrong rates Again, right rates Good. :func:`record` runs inside the AnswerDesk's
batch transaction, so a card moves exactly when its answer is committed. Fuzzing is off so a
due date is a pure function of the answers (reproducible, and the same in every process).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import ReviewCard
from bot.store.upsert import insert_rows, keys_in

UTC = timezone.utc
SCHEDULER = Scheduler(enable_fuzzing=False)


@dataclass(frozen=True, slots=True)
class Graded:
    """One committed answer, as FSRS sees it."""

    member_id: int
    question_id: str
    objective_id: str
    correct: bool
    at: datetime


def rating(correct: bool) -> Rating:
    return Rating.Good if correct else Rating.Again


def to_fsrs(row: ReviewCard) -> Card:
    # card_id given: the package's default id sleeps a millisecond to stay unique
    return Card(card_id=0, state=State(row.state), step=row.step, stability=row.stability,
                difficulty=row.difficulty, due=row.due, last_review=row.last_review)


def retrievability(row: ReviewCard, now: datetime) -> float:
    """The package's probability that the member recalls this card's answer ``now``."""
    return SCHEDULER.get_card_retrievability(to_fsrs(row), now.astimezone(UTC))


async def record(session: AsyncSession, graded: Sequence[Graded]) -> None:
    """Review the cards these answers belong to: one read and one upsert for the whole batch."""
    if not graded:
        return
    keys = {(g.member_id, g.question_id) for g in graded}
    rows = {
        (r.member_id, r.question_id): r
        for r in await session.scalars(
            # locked in key order, last in the batch's lock order: another worker reviewing the same
            # card waits for this commit instead of overwriting it
            select(ReviewCard).where(keys_in(session, [ReviewCard.member_id, ReviewCard.question_id], keys))
            .order_by(ReviewCard.member_id, ReviewCard.question_id).with_for_update()
        )
    }
    state: dict[tuple[int, str], tuple[Card, str, int, int]] = {
        k: (to_fsrs(r), r.objective_id, r.reviews, r.lapses) for k, r in rows.items()
    }
    for g in sorted(graded, key=lambda g: g.at):
        key = (g.member_id, g.question_id)
        card, objective_id, reviews, lapses = state.get(key) or (Card(card_id=0, due=g.at), g.objective_id, 0, 0)
        card, _log = SCHEDULER.review_card(card, rating(g.correct), g.at.astimezone(UTC))
        state[key] = (card, objective_id, reviews + 1, lapses + (0 if g.correct else 1))
    ins, params = insert_rows(session, ReviewCard, [
        _row(member_id, question_id, *value) for (member_id, question_id), value in sorted(state.items())
    ])
    await session.execute(
        ins.on_conflict_do_update(
            index_elements=["member_id", "question_id"],
            set_={c: getattr(ins.excluded, c) for c in
                  ("state", "step", "stability", "difficulty", "due", "last_review", "reviews", "lapses")},
        ),
        params,
    )


def _row(member_id: int, question_id: str, card: Card, objective_id: str, reviews: int, lapses: int) -> dict:
    return dict(member_id=member_id, question_id=question_id, objective_id=objective_id, state=int(card.state),
                step=card.step, stability=card.stability, difficulty=card.difficulty, due=card.due,
                last_review=card.last_review, reviews=reviews, lapses=lapses)


async def cards_of(session: AsyncSession, member_ids: Iterable[int]) -> list[ReviewCard]:
    ids = list(member_ids)
    if not ids:
        return []
    return list(await session.scalars(select(ReviewCard).where(ReviewCard.member_id.in_(ids))))
