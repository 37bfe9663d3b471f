"""The answers half of ``bench/scale.py`` (``python bench/scale.py answers``): a daily quiz is posted, then 1, 2 and 4 worker PROCESSES (each its own
StudyService, as ``studybot run`` workers are) answer one burst of clicks through the public
API (``StudyService.handle`` with ``Answer`` commands). Every member clicks once, and a share
of them click again on another worker at the same moment (a double click, a retried request),
so the workers race on the same rows. Each run gets a fresh database. It prints answers per
second for each worker count and the ratio to 1 worker measured in the same run, then checks
that every click was recorded exactly once (one first answer per member, the others "already
answered", no error) and that the boards are exact (scores == sums over the answers, score
buckets == counts over the scores).

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth, database ``test``), as the tests do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot import codec  # noqa: E402
from bot.commands import Answer, Context, Member, Place, PostNow, Setup  # noqa: E402
from bot.config import DEFAULT_CONTENT, Settings  # noqa: E402
from bot.replies import Reply, Tone  # noqa: E402
from bot.service import StudyService  # noqa: E402
from bot.store.models import Answer as AnswerRow  # noqa: E402
from bot.store.models import Quiz, Score, ScoreBucket  # noqa: E402

PG = dict(host="127.0.0.1", port=5432, user="postgres")
PLACE = Place("terminal", "bench", "study")


class Posts:
    """A poster that keeps the message refs (the bench needs no platform)."""

    def __init__(self) -> None:
        self.posts: list[Reply] = []

    async def post(self, place: Place, reply: Reply, *, key: str | None = None) -> str:
        self.posts.append(reply)
        return f"m{len(self.posts)}"

    async def find(self, place: Place, key: str) -> str | None:
        return None

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        pass

    async def check(self, place: Place, notice: Reply) -> None:
        pass


def member(i: int) -> Context:
    return Context(Member(PLACE.platform, PLACE.workspace, f"u{i}", f"Member {i}"), PLACE)


# --- the worker process ------------------------------------------------------------------------


async def worker(database_url: str, quiz_id: int, clicks: list[tuple[int, str]]) -> None:
    """Answer ``clicks`` ((member, picks as digits)) all at once after GO on stdin; print a JSON report."""
    service = await StudyService.open(Settings(database_url=database_url, content_path=DEFAULT_CONTENT))
    try:
        print("READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # GO
        began = time.perf_counter()
        replies = await asyncio.gather(
            *(service.handle(member(i), Answer(quiz_id, frozenset(int(c) for c in picks))) for i, picks in clicks),
            return_exceptions=True,
        )
        took = time.perf_counter() - began
    finally:
        await service.close()
    first, again, errors = [], 0, []
    for (i, _), r in zip(clicks, replies, strict=True):
        if isinstance(r, BaseException):
            errors.append(f"{type(r).__name__}: {r}")
        elif r[0].cards and r[0].cards[0].tone in (Tone.SUCCESS, Tone.FAILURE):
            first.append(i)
        elif r[0].cards and "already answered" in r[0].cards[0].title:
            again += 1
        else:
            errors.append(f"unexpected reply: {r[0]}")
    print(json.dumps({"first": first, "again": again, "errors": errors[:5], "n_errors": len(errors),
                      "seconds": took}), flush=True)


# --- the answers section -------------------------------------------------------------------------


@dataclass
class Run:
    workers: int
    clicks: int
    members: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.clicks / self.seconds


async def _fresh_database() -> tuple[str, str]:
    import asyncpg

    name = f"studybot_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(database="test", **PG)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, f"postgresql+asyncpg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


async def _drop_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(database="test", **PG)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _post_quiz(database_url: str) -> tuple[int, str, str]:
    """Set up a group and post its quiz; (quiz id, right picks, wrong picks) as digit strings."""
    service = await StudyService.open(Settings(database_url=database_url, content_path=DEFAULT_CONTENT))
    try:
        posts = Posts()
        service.attach(PLACE.platform, posts)
        admin = Context(Member(PLACE.platform, PLACE.workspace, "admin", "Admin", is_admin=True), PLACE)
        await service.handle(admin, Setup(time="09:00", timezone="UTC"))
        await service.handle(admin, PostNow())
        quiz_id = codec.decode(posts.posts[-1].cards[-1].choices[0].id).quiz_id
        async with service.sessions() as s:
            quiz = await s.get(Quiz, quiz_id)
        question = service.pack.question_by_id[quiz.question_id]
        right = [i for i, key in enumerate(quiz.option_order) if key in question.answer]
        wrong = [i for i in range(len(quiz.option_order)) if i not in right][: len(right)]
        return quiz_id, "".join(map(str, right)), "".join(map(str, wrong))
    finally:
        await service.close()


def _plan(workers: int, members: int, again: float, right: str, wrong: str, rng: random.Random) -> list[list]:
    """Every member clicks once on a worker; a share ``again`` click a second time on another."""
    plan: list[list] = [[] for _ in range(workers)]
    for i in range(members):
        picks = right if rng.random() < 0.6 else wrong
        home = i % workers
        plan[home].append((i, picks))
        if workers > 1 and rng.random() < again:
            plan[(home + 1 + rng.randrange(workers - 1)) % workers].append((i, picks))
    for clicks in plan:
        rng.shuffle(clicks)
    return plan


async def _run_workers(database_url: str, quiz_id: int, plan: list[list]) -> tuple[float, list[dict]]:
    procs = []
    with tempfile.TemporaryDirectory() as folder:
        for n, clicks in enumerate(plan):
            path = Path(folder) / f"clicks{n}.json"  # a file: a big burst does not fit in argv
            path.write_text(json.dumps(clicks))
            proc = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "worker", database_url, str(quiz_id), str(path),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, limit=2**26,
            )
            procs.append(proc)
        return await _race(procs)


async def _race(procs: list[asyncio.subprocess.Process]) -> tuple[float, list[dict]]:
    """Start the workers' burst at the same moment once all are ready; (seconds to the last report, reports)."""
    for proc in procs:
        line = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode().strip()
        if line != "READY":
            raise RuntimeError(f"a worker did not start: {line!r}")
    began = time.perf_counter()
    for proc in procs:
        proc.stdin.write(b"GO\n")
        await proc.stdin.drain()
    reports = [json.loads(await proc.stdout.readline()) for proc in procs]
    took = time.perf_counter() - began
    for proc in procs:
        await proc.wait()
    return took, reports


async def _check(database_url: str, members: int, plan: list[list], reports: list[dict]) -> list[str]:
    """Problems found: clicks not recorded exactly once, errors, boards that are not exact."""
    problems = []
    errors = sum(r["n_errors"] for r in reports)
    if errors:
        problems.append(f"{errors} click(s) got an error, e.g. {reports[0]['errors'] or [r['errors'] for r in reports]}")
    firsts = Counter(i for r in reports for i in r["first"])
    if firsts != Counter(range(members)):
        problems.append(f"first answers: {len(firsts)} members, {sum(firsts.values())} replies, want {members} each once")
    again = sum(r["again"] for r in reports)
    if again != sum(map(len, plan)) - members:
        problems.append(f"{again} 'already answered' replies, want {sum(map(len, plan)) - members}")
    service = await StudyService.open(Settings(database_url=database_url, content_path=DEFAULT_CONTENT))
    try:
        async with service.sessions() as s:
            answers = (await s.execute(select(AnswerRow.member_id, AnswerRow.points, AnswerRow.correct, Quiz.group_id,
                                              Quiz.week).join(Quiz, Quiz.id == AnswerRow.quiz_id))).all()
            scores = (await s.execute(select(Score.group_id, Score.period, Score.member_id, Score.points,
                                             Score.correct, Score.answered))).all()
            buckets = (await s.execute(select(ScoreBucket.group_id, ScoreBucket.period, ScoreBucket.points,
                                              ScoreBucket.members))).all()
    finally:
        await service.close()
    if len(answers) != members or len({a[0] for a in answers}) != members:
        problems.append(f"{len(answers)} answers stored for {members} members")
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for member_id, points, correct, group, week in answers:
        for period in ("all", week):
            e = expected[(group, period, member_id)]
            e[0], e[1], e[2] = e[0] + points, e[1] + int(correct), e[2] + 1
    if {(g, p, m): [pts, c, a] for g, p, m, pts, c, a in scores} != dict(expected):
        problems.append("scores differ from the sums over the answers")
    if {(g, p, pts): n for g, p, pts, n in buckets} != dict(Counter((g, p, pts) for g, p, _, pts, _, _ in scores)):
        problems.append("score buckets differ from the counts over the scores")
    return problems


async def answers(args: argparse.Namespace) -> bool:
    counts = [int(n) for n in args.workers.split(",")]
    print(f"answers: {args.members} members answer one daily quiz, {args.again:.0%} of them click twice on two "
          f"workers; worker processes on PostgreSQL, each its own StudyService ({os.cpu_count()} CPU cores); "
          f"{args.rounds} rounds, each worker count once per round, each run on a fresh database")
    runs: dict[int, list[Run]] = defaultdict(list)
    ok = True
    for _ in range(args.rounds):  # rounds interleave the counts, so a noisy moment hits all of them alike
        for n in counts:
            name, url = await _fresh_database()
            try:
                quiz_id, right, wrong = await _post_quiz(url)
                plan = _plan(n, args.members, args.again, right, wrong, random.Random(n))
                took, reports = await _run_workers(url, quiz_id, plan)
                problems = await _check(url, args.members, plan, reports)
            finally:
                await _drop_database(name)
            run = Run(n, sum(map(len, plan)), args.members, took)
            runs[n].append(run)
            verdict = "every click recorded once, boards exact" if not problems else "PROBLEMS: " + "; ".join(problems)
            ok &= not problems
            print(f"  {n} worker(s): {run.clicks:5d} clicks in {took:5.2f} s = {run.per_second:7.0f} answers/s · {verdict}",
                  flush=True)
    median = {n: statistics.median(r.per_second for r in rs) for n, rs in runs.items()}
    base = median[counts[0]]
    print("  median of the rounds:")
    for n in counts:
        print(f"  {n} worker(s): {median[n]:7.0f} answers/s, {median[n] / base:4.2f}x {counts[0]} worker(s)")
    return ok


async def run(workers: str = "1,2,4", members: int = 4000, again: float = 0.25, rounds: int = 3) -> None:
    """The section: raises SystemExit(1) when a check fails."""
    if not await answers(argparse.Namespace(workers=workers, members=members, again=again, rounds=rounds)):
        raise SystemExit(1)


if __name__ == "__main__":  # a worker process, started by the section
    _, url, quiz_id, clicks = sys.argv[1:] if sys.argv[1] == "worker" else (None, *sys.argv[1:])
    asyncio.run(worker(url, int(quiz_id), [tuple(c) for c in json.loads(Path(clicks).read_text())]))
