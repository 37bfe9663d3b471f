"""`studybot content report`: question health and members' reports for content maintainers,
each question at its file and line. Exit status 1 when any question is flagged."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot import cards
from bot.content.pack import load_pack
from bot.store.db import make_engine, prepare, sessionmaker
from bot.study.health import MIN_ANSWERS, question_health


async def report(content: Path, database_url: str, out: TextIO) -> int:
    pack = load_pack(content)
    engine = make_engine(database_url)
    try:
        await prepare(engine)
        async with sessionmaker(engine)() as session:
            items = await question_health(session, pack)
    finally:
        await engine.dispose()
    for h in items:
        question = pack.question_by_id.get(h.question_id)
        where = question.source if question else "(not in this pack)"
        flag = f" · FLAGGED: {'; '.join(h.flags)}" if h.flags else ""
        print(f"{where}: {h.question_id}{flag}", file=out)
        for line in cards.health_lines(h, question):
            print(f"    {line}", file=out)
    flagged = sum(1 for h in items if h.flags)
    reported = sum(1 for h in items if h.reports)
    answered = sum(1 for h in items if h.answered)
    print(f"{flagged} flagged, {reported} reported, {answered} question(s) with answers "
          f"(flags need {MIN_ANSWERS}+ answers).", file=out)
    return 1 if flagged else 0
