"""Which objective a group studies on its n-th day, and which question on it.

A rotation is a cycle of days in which every objective comes once before any comes twice,
then the heavier domains get the extra days their exam weight calls for, so over each cycle
every domain gets its share of days (the 35-40% domain about 37-40% of them). The order is
a pure function of the group's seed and the day number: nothing to store, nothing to lose.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from functools import lru_cache

from bot.content.pack import Domain, Objective, Pack, Question


def quotas(domains: Sequence[Domain], sizes: dict[str, int]) -> dict[str, int]:
    """Days per domain in one cycle: shares follow the weight midpoints, and every domain
    gets at least one day per objective."""
    total = sum(d.weight for d in domains)
    share = {d.id: d.weight / total for d in domains}
    length = max(math.ceil(sizes[d.id] / share[d.id] - 1e-9) for d in domains)
    raw = {d.id: max(sizes[d.id], length * share[d.id]) for d in domains}
    days = {k: max(sizes[k], math.floor(v)) for k, v in raw.items()}
    # hand out what rounding left over to the largest remainders
    left = length - sum(days.values())
    for k in sorted(raw, key=lambda k: raw[k] - math.floor(raw[k]), reverse=True)[: max(left, 0)]:
        days[k] += 1
    return days


def _interleave(counts: dict[str, int], rng: random.Random) -> list[str]:
    """Smooth weighted round robin: spread each key's count evenly over the sequence."""
    keys = sorted(counts, key=lambda k: (-counts[k], k))
    total = sum(counts.values())
    credit = {k: rng.random() * 1e-6 for k in keys}
    out: list[str] = []
    remaining = dict(counts)
    for _ in range(total):
        for k in keys:
            if remaining[k]:
                credit[k] += counts[k]
        pick = max((k for k in keys if remaining[k]), key=lambda k: credit[k])
        credit[pick] -= total
        remaining[pick] -= 1
        out.append(pick)
    return out


class Rotation:
    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.by_domain: dict[str, list[Objective]] = {d.id: [] for d in pack.domains}
        for o in pack.objectives:
            self.by_domain[o.domain.id].append(o)
        self.by_domain = {k: v for k, v in self.by_domain.items() if v}
        domains = [d for d in pack.domains if d.id in self.by_domain]
        self.quotas = quotas(domains, {k: len(v) for k, v in self.by_domain.items()})
        self.length = sum(self.quotas.values())
        self._cycle = lru_cache(maxsize=64)(self._build_cycle)

    def objective_for(self, seed: int, day: int) -> Objective:
        cycle, index = divmod(day, self.length)
        return self._cycle(seed, cycle)[index]

    def _build_cycle(self, seed: int, cycle: int) -> tuple[Objective, ...]:
        rng = random.Random(seed * 1_000_003 + cycle)
        order = {k: rng.sample(v, len(v)) for k, v in self.by_domain.items()}
        # first every objective once, spread by weight; then the heavier domains' extra days
        first = _interleave({k: len(v) for k, v in order.items()}, rng)
        extra = _interleave({k: self.quotas[k] - len(order[k]) for k in order}, rng)
        taken = dict.fromkeys(order, 0)
        days: list[Objective] = []
        for k in first + extra:
            days.append(order[k][taken[k] % len(order[k])])
            taken[k] += 1
        return tuple(days)


def pick_question(bank: Sequence[Question], used: Mapping[str, int], rng: random.Random) -> Question:
    """One of the questions used least so far: a bank is seen whole before any question repeats."""
    fewest = min(used.get(q.id, 0) for q in bank)
    return rng.choice([q for q in bank if used.get(q.id, 0) == fewest])
