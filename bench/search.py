"""Benchmark: objective search over the real DP-100 pack, speed and hit rates.

Prints the median and p99 time of one ``search()`` call over every query of tests/search_cases.py,
then the hit rate of each query set: QUERIES (expected objective within its top k), PLAIN, PLAIN_EACH,
PLAIN_SIBLINGS, PLAIN_FRESH and PLAIN_HELDOUT (plain-language questions: an accepted objective first, and among the three
shown), NONSENSE and NEAR_NONSENSE (no result), listing each miss with what came back. --tuning-only leaves the
held-out set out of both the timing and the report, so tuning never sees it.

    python bench/search.py [--repeat 50] [--tuning-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.content.pack import load_pack  # noqa: E402
from bot.content.search import ObjectiveSearch  # noqa: E402
from tests.search_cases import (  # noqa: E402
    NEAR_NONSENSE,
    NONSENSE,
    PLAIN,
    PLAIN_EACH,
    PLAIN_FRESH,
    PLAIN_HELDOUT,
    PLAIN_SIBLINGS,
    QUERIES,
    accepted,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="calls per query to time")
    parser.add_argument("--tuning-only", action="store_true", help="leave the held-out set out")
    args = parser.parse_args()
    plain_sets = [("PLAIN", PLAIN), ("PLAIN_EACH", PLAIN_EACH), ("PLAIN_SIBLINGS", PLAIN_SIBLINGS), ("PLAIN_FRESH", PLAIN_FRESH)]
    if not args.tuning_only:
        plain_sets.append(("PLAIN_HELDOUT", PLAIN_HELDOUT))

    pack = load_pack(ROOT / "content" / "dp100")
    start = time.perf_counter()
    search = ObjectiveSearch(pack.objectives, pack.questions, pack.plain_words)
    built = time.perf_counter() - start

    queries = [q for q, _, _ in QUERIES] + [q for _, cases in plain_sets for q, _ in cases] + NONSENSE + NEAR_NONSENSE
    timings = []
    for query in queries:
        start = time.perf_counter()
        for _ in range(args.repeat):
            search.search(query)
        timings.append((time.perf_counter() - start) / args.repeat * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    print(f"index built in {built * 1000:.0f} ms; {len(queries)} queries x {args.repeat}: "
          f"median {statistics.median(timings):.3f} ms, p99 {p99:.3f} ms, max {timings[-1]:.3f} ms")

    def report(name: str, results: list[tuple[str, bool, list[str]]]) -> None:
        hits = sum(ok for _, ok, _ in results)
        print(f"{name}: {hits}/{len(results)} ({hits / len(results):.0%})")
        for query, ok, found in results:
            if not ok:
                print(f"    miss {query!r} -> {found}")

    def ids(query: str) -> list[str]:
        return [m.objective.id for m in search.search(query)]

    report("QUERIES (expected within top k)", [(q, e in ids(q)[:k], ids(q)) for q, e, k in QUERIES])
    for name, cases in plain_sets:
        report(f"{name} (accepted objective first)",
               [(q, bool(ids(q)) and accepted(ids(q)[0], e), ids(q)[:3]) for q, e in cases])
        report(f"{name} (accepted objective among the 3 a lookup shows)",
               [(q, any(accepted(i, e) for i in ids(q)[:3]), ids(q)[:3]) for q, e in cases])
    report("NONSENSE (nothing found)", [(q, not ids(q), ids(q)) for q in NONSENSE])
    report("NEAR_NONSENSE (nothing found)", [(q, not ids(q), ids(q)) for q in NEAR_NONSENSE])


if __name__ == "__main__":
    main()
