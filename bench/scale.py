"""Scale-out benches (issue 9), one section each; run all with no argument, or name sections.

    python bench/scale.py            # every section
    python bench/scale.py posts      # 10,000 groups due at the same 09:00 (bench/scale_posts.py)
    python bench/scale.py answers    # 1, 2 and 4 worker processes answer one burst (bench/scale_answers.py)

Sections need the PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) the tests use.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _posts() -> Awaitable[None]:
    from bench.scale_posts import run

    return run()


def _answers() -> Awaitable[None]:
    from bench.scale_answers import run

    return run()


SECTIONS: dict[str, Callable[[], Awaitable[None]]] = {"answers": _answers, "posts": _posts}


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}; sections: {', '.join(SECTIONS)}")
    for name in names or list(SECTIONS):
        asyncio.run(SECTIONS[name]())


if __name__ == "__main__":
    main(sys.argv[1:])
