"""Objective lookup on the blind, held-out sets of plain questions.

- tests/search_heldout.py was written without seeing plain-words.yaml, aliases.yaml, the question
  bank or the other search cases, and committed before the search was ever run on it. Floors are
  the rates measured on 2026-12-02 (bench/search_heldout.py: top-1 46/50, top-3 48/50, 1 of 15
  off-topic queries answered), rounded down to the nearest 5%.
- tests/search_blind2.py was written from the study guide's ids and titles only and committed
  before the search was run on it. Floors are the rates measured once, on 2026-12-03, with the
  search of commit 92be5f2 (Snowball stemmer, the questions' code as evidence, the lower bar for
  queries of exam words only), fixed before the set was first opened: ``bench/search_heldout.py
  --set blind2 --quiet`` gave top-1 40/60, top-3 48/60 and 1 of 15 off-topic queries answered,
  rounded down to the nearest 5%. The search before that commit scored 38/60, 44/60 and 0 of 15.
- tests/search_blind3.py was written on 2026-12-03 by a separate session from the guide's titles and
  links only, committed (f0b9b70) while the lookup was being tuned by another session that never
  opened it. Measured once before that tuning landed (search of ededd32): top-1 69/94, top-3 82/94,
  2 of 20 off-topic answered; once after it (main 51d98fa): 72/94, 83/94, 3 of 20. Floors are the
  latter, rounded down to the nearest 5%.
- Raised on 2026-12-03 after changes tuned on tests/search_cases.py only (the options left out of the
  bank evidence, plain-words.yaml as word families, asking words): heldout top-1 47/50, top-3 50/50;
  blind2 top-1 43/60, top-3 50/60; off-topic still 1 of 15 in each; rounded down to the nearest 5%.
- tests/search_blind4.py (101 questions, 20 off-topic) was written on 2026-12-03 by a separate session from
  the guide only and committed (120f5d0) before any search ran on it; the sessions that then tuned the
  lookup (sibling descriptions, descriptions as a guide field, an alias audit) never opened it or any
  other held-out set. Measured with the search of a09b33f, before that tuning: top-1 78/101, top-3
  88/101, 0 of 20 off-topic answered; after it (main c4a296d): 87/101, 95/101, 0 of 20. The same
  tuning took heldout to 49/50 and 50/50, blind2 to 48/60 and 55/60, blind3 to 74/94 and 85/94, the
  off-topic counts unchanged. Every floor below is the latest measure rounded down to the nearest 5%.

All of them are HELD OUT: never use their queries, misses or off-topic hits to tune plain-words.yaml,
aliases.yaml, descriptions.yaml or the search code. A held-out set that gets tuned to stops
measuring anything; tune on tests/search_cases.py and let these floors tell you whether that
generalises.
"""

from pathlib import Path

import pytest

from bot.content.pack import load_pack
from bot.content.search import ObjectiveSearch
from tests.search_blind2 import BLIND2, OFF_TOPIC2
from tests.search_blind3 import BLIND3, OFF_TOPIC3
from tests.search_blind4 import BLIND4, BLIND4_OFF_TOPIC
from tests.search_heldout import HELDOUT, OFF_TOPIC

PACK = Path(__file__).resolve().parent.parent / "content" / "dp100"
SHOWN = 3  # /objective shows the top three


@pytest.fixture(scope="module")
def search():
    """Search over the real guide, aliases, question bank and word map, as the bot builds it."""
    pack = load_pack(PACK)
    return ObjectiveSearch(pack.objectives, pack.questions, pack.plain_words)


@pytest.mark.parametrize(("cases", "first_floor", "shown_floor"), [
    pytest.param(HELDOUT, 0.95, 1.00, id="heldout"),
    pytest.param(BLIND2, 0.80, 0.90, id="blind2"),
    pytest.param(BLIND3, 0.75, 0.90, id="blind3"),
    pytest.param(BLIND4, 0.85, 0.90, id="blind4"),
])
def test_held_out_plain_questions_find_their_objective(search, cases, first_floor, shown_floor):
    first = shown = 0
    misses = []
    for query, wanted in cases:
        found = [m.objective.id for m in search.search(query, limit=SHOWN)]
        first += bool(found) and found[0] in wanted
        shown += any(f in wanted for f in found)
        if not found or found[0] not in wanted:
            misses.append((query, wanted, found))
    assert first / len(cases) >= first_floor, misses
    assert shown / len(cases) >= shown_floor, misses


# measured: only "train schedule to Berlin" (train + schedule are both exam words) gets an answer in
# the first set, and only "how to register to vote after moving" in the second (every word of it is
# one the question bank uses, so it meets the lower bar for queries of exam words only)
# the third set's 20 off-topic queries share more exam words (register, pipeline, compute, model, cluster): 3 answered;
# the fourth's 20 (model, train, deploy, data, pipeline in other senses): none
@pytest.mark.parametrize(("queries", "most"), [pytest.param(OFF_TOPIC, 1, id="heldout"),
                                               pytest.param(OFF_TOPIC2, 1, id="blind2"),
                                               pytest.param(OFF_TOPIC3, 3, id="blind3"),
                                               pytest.param(BLIND4_OFF_TOPIC, 0, id="blind4")])
def test_held_out_off_topic_queries_find_nothing(search, queries, most):
    answered = {query: [m.objective.id for m in found] for query in queries if (found := search.search(query))}
    assert len(answered) <= most, answered
