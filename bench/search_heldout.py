"""Measure `/objective` lookup on the blind held-out queries (tests/search_heldout.py, or with
--set blind2, blind3 or blind4 the later blind sets, tests/search_blind{2,3,4}.py).

    .venv/bin/python bench/search_heldout.py [--pack content/dp100] [--set heldout|blind2|blind3|blind4] [--quiet]

Prints every query with what came back (the top 3, as /objective shows them), then top-1 and
top-3 hit rates and the off-topic queries that returned anything, once with the pack as it is and
once with plain-words.yaml left out, so the word map's share of the hit rate is visible; then
(rates only) without the question-bank evidence, and with neither.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content.pack import Pack, load_pack  # noqa: E402
from bot.content.search import ObjectiveSearch  # noqa: E402
from tests.search_blind2 import BLIND2, OFF_TOPIC2  # noqa: E402
from tests.search_blind3 import BLIND3, OFF_TOPIC3  # noqa: E402
from tests.search_blind4 import BLIND4, BLIND4_OFF_TOPIC  # noqa: E402
from tests.search_heldout import HELDOUT, OFF_TOPIC  # noqa: E402

SETS = {"heldout": (HELDOUT, OFF_TOPIC), "blind2": (BLIND2, OFF_TOPIC2), "blind3": (BLIND3, OFF_TOPIC3),
        "blind4": (BLIND4, BLIND4_OFF_TOPIC)}

LOOKUP_LIMIT = 3  # what StudyService shows for /objective


Cases = Sequence[tuple[str, Sequence[str]]]


def measure(search: ObjectiveSearch, cases: Cases, off_topic: Sequence[str], *, verbose: bool) -> tuple[int, int, int]:
    top1 = top3 = 0
    for query, wanted in cases:
        got = [(m.objective.id, m.score) for m in search.search(query, limit=LOOKUP_LIMIT)]
        ids = [i for i, _ in got]
        hit1 = bool(ids) and ids[0] in wanted
        hit3 = any(i in wanted for i in ids)
        top1 += hit1
        top3 += hit3
        if verbose:
            mark = "ok " if hit1 else ("top3" if hit3 else "MISS")
            shown = ", ".join(f"{i} ({s:.0f})" for i, s in got) or "nothing"
            print(f"  {mark:4} want {'/'.join(wanted):11} got {shown:34} | {query}")
    false_hits = 0
    for query in off_topic:
        got = search.search(query, limit=LOOKUP_LIMIT)
        false_hits += bool(got)
        if verbose:
            shown = ", ".join(f"{m.objective.id} ({m.score:.0f})" for m in got) or "nothing"
            print(f"  {'FALSE' if got else 'ok':5} got {shown:34} | {query}")
    return top1, top3, false_hits


def report(name: str, pack: Pack, cases: Cases, off_topic: Sequence[str], *, bank: bool, plain: bool,
           verbose: bool) -> None:
    search = ObjectiveSearch(pack.objectives, pack.questions if bank else (), pack.plain_words if plain else {})
    print(f"== {name}")
    top1, top3, false_hits = measure(search, cases, off_topic, verbose=verbose)
    n = len(cases)
    print(
        f"   top-1 {top1}/{n} = {100 * top1 / n:.0f}%   top-3 {top3}/{n} = {100 * top3 / n:.0f}%   "
        f"off-topic with results {false_hits}/{len(off_topic)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default="content/dp100")
    parser.add_argument("--set", choices=sorted(SETS), default="heldout", help="which blind set")
    parser.add_argument("--quiet", action="store_true", help="rates only")
    args = parser.parse_args()
    pack = load_pack(args.pack)
    sets = SETS[args.set]
    report("pack as is", pack, *sets, bank=True, plain=True, verbose=not args.quiet)
    report("without plain-words.yaml", pack, *sets, bank=True, plain=False, verbose=not args.quiet)
    # the two remaining ablations, rates only: how much the question-bank evidence carries
    report("without the question bank", pack, *sets, bank=False, plain=True, verbose=False)
    report("guide titles and aliases only", pack, *sets, bank=False, plain=False, verbose=False)


if __name__ == "__main__":
    main()
