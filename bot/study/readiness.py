"""How ready a member (or a group) is for the exam, from their FSRS cards.

* Recall of an objective: the mean FSRS retrievability, a week from now, of the member's cards
  on it. Right after an answer every card's retrievability is 1, a wrong answer's included; a
  week ahead tells a fresh Again (stability of hours) from a Good (days), as an exam would.
  An objective without cards is unknown (``None``), never a guess.
* Recall of a domain: the mean recall of its known objectives.
* Predicted score: the domains' recall weighted by their exam share (the midpoint of the
  guide's range, normalised), on the 1,000-point scale; 700 passes.
* Uncertainty: a 95% range from two sources, both shrinking as answers accumulate: sampling
  (``p(1-p)/n`` over the member's n answered questions) and coverage (the exam weight of the
  objectives not answered yet, whose recall could be anything: a uniform spread).
* Study next: the objectives with the largest expected gain, weight x (1 - recall), where an
  objective never answered counts as not recalled.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.pack import Domain, Objective, Pack
from bot.store.models import Answer, Quiz, ReviewCard
from bot.study import memory

SCALE = 1000
PASS = 700
Z95 = 1.96
UNIFORM_SD = 12 ** -0.5  # the spread of a recall we know nothing about
STUDY_NEXT = 3
HORIZON = timedelta(days=7)
BANDS = ((800, "800 and over"), (700, "700-799"), (600, "600-699"), (500, "500-599"), (0, "under 500"))
NOT_ENOUGH = "not enough answers yet"


@dataclass(frozen=True, slots=True)
class ObjectiveRecall:
    objective: Objective
    recall: float | None  # None: no answers yet
    cards: int
    gain: float  # exam weight x (1 - recall), unknown counting as 0 recall


@dataclass(frozen=True, slots=True)
class DomainRecall:
    domain: Domain
    share: float  # of the exam, normalised midpoints
    recall: float | None
    known: int  # objectives with answers
    objectives: int


@dataclass(frozen=True, slots=True)
class Readiness:
    domains: list[DomainRecall]
    objectives: list[ObjectiveRecall]  # every objective, pack order
    answered: int  # questions with a card
    score: int | None  # predicted, out of SCALE
    low: int | None
    high: int | None

    @property
    def study_next(self) -> list[ObjectiveRecall]:
        return sorted(self.objectives, key=lambda o: -o.gain)[:STUDY_NEXT]


def shares(pack: Pack) -> dict[str, float]:
    total = sum(d.weight for d in pack.domains)
    return {d.id: d.weight / total for d in pack.domains}


def objective_weights(pack: Pack) -> dict[str, float]:
    """Each objective's share of the exam: its domain's share split evenly over the domain."""
    share = shares(pack)
    size: dict[str, int] = defaultdict(int)
    for o in pack.objectives:
        size[o.domain.id] += 1
    return {o.id: share[o.domain.id] / size[o.domain.id] for o in pack.objectives}


def assess(pack: Pack, cards: Iterable[ReviewCard], now: datetime) -> Readiness:
    recalls: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        recalls[card.objective_id].append(memory.retrievability(card, now + HORIZON))
    weights = objective_weights(pack)
    objectives = []
    for o in pack.objectives:
        values = recalls.get(o.id, [])
        recall = sum(values) / len(values) if values else None
        objectives.append(ObjectiveRecall(o, recall, len(values), weights[o.id] * (1 - (recall or 0.0))))
    share = shares(pack)
    domains = []
    for d in pack.domains:
        mine = [o for o in objectives if o.objective.domain.id == d.id]
        known = [o.recall for o in mine if o.recall is not None]
        domains.append(DomainRecall(d, share[d.id], sum(known) / len(known) if known else None, len(known), len(mine)))
    answered = sum(o.cards for o in objectives)
    known_domains = [d for d in domains if d.recall is not None]
    if not known_domains:
        return Readiness(domains, objectives, answered, None, None, None)
    p = sum(d.share * d.recall for d in known_domains) / sum(d.share for d in known_domains)
    unknown = 1 - sum(weights[o.objective.id] for o in objectives if o.recall is not None)
    margin = Z95 * math.sqrt(p * (1 - p) / answered + (UNIFORM_SD * unknown) ** 2)
    return Readiness(domains, objectives, answered, round(SCALE * p),
                     round(SCALE * max(0.0, p - margin)), round(SCALE * min(1.0, p + margin)))


async def for_member(session: AsyncSession, pack: Pack, member_id: int | None, now: datetime) -> Readiness:
    return assess(pack, await memory.cards_of(session, [member_id] if member_id else []), now)


def band(score: int | None) -> str:
    if score is None:
        return NOT_ENOUGH
    return next(label for floor, label in BANDS if score >= floor)


@dataclass(frozen=True, slots=True)
class GroupObjective:
    objective: Objective
    recall: float  # mean over the members who answered it
    members: int
    gain: float


@dataclass(frozen=True, slots=True)
class GroupReadiness:
    members: int  # who ever answered the group's daily quiz
    active_this_week: int
    weakest: list[GroupObjective]
    bands: list[tuple[str, int]]  # every band, "not enough answers yet" last


async def for_group(session: AsyncSession, pack: Pack, group_id: int, week_start: datetime, now: datetime,
                    top: int = 5) -> GroupReadiness:
    """The group's members are those who answered its daily quiz; no names leave this function."""
    member_ids = list(await session.scalars(
        select(Answer.member_id).distinct().join(Quiz, Quiz.id == Answer.quiz_id).where(Quiz.group_id == group_id)
    ))
    active = await session.scalar(
        select(func.count(distinct(Answer.member_id))).where(Answer.member_id.in_(member_ids),
                                                             Answer.answered_at >= week_start)
    ) if member_ids else 0
    by_member: dict[int, list[ReviewCard]] = defaultdict(list)
    for card in await memory.cards_of(session, member_ids):
        by_member[card.member_id].append(card)
    return summarize(pack, [by_member.get(m, []) for m in member_ids], int(active or 0), now, top)


def summarize(pack: Pack, members: Sequence[Sequence[ReviewCard]], active: int, now: datetime,
              top: int = 5) -> GroupReadiness:
    weights = objective_weights(pack)
    sums: dict[str, list[float]] = defaultdict(list)
    counts = {label: 0 for _, label in BANDS} | {NOT_ENOUGH: 0}
    for cards in members:
        r = assess(pack, cards, now)
        counts[band(r.score)] += 1
        for o in r.objectives:
            if o.recall is not None:
                sums[o.objective.id].append(o.recall)
    weakest = [
        GroupObjective(o, sum(v) / len(v), len(v), weights[o.id] * (1 - sum(v) / len(v)))
        for o in pack.objectives if (v := sums.get(o.id))
    ]
    weakest.sort(key=lambda g: -g.gain)
    return GroupReadiness(len(members), active, weakest[:top], list(counts.items()))
