"""The answers half of ``bench/scale.py`` (``python bench/scale.py answers``): a daily quiz is
posted, then 1, 2 and 4 worker PROCESSES (each its own StudyService, as ``studybot run`` workers are) answer one burst of clicks through the public
API (``StudyService.handle`` with ``Answer`` commands). Every member clicks once, and a share
of them click again at the same moment (a double click, a retried request): on another worker
when there is one, so the workers race on the same rows. Every worker count answers the same
burst (the same clicks, picks and double clicks; only how they are spread over the workers
differs). Each run gets a fresh database, and each worker answers another group's quiz before the
burst, so the burst meets warm workers, as it does running ones. It prints answers per second for each worker count
and the ratio to 1 worker measured in the same run, and where the CPU went: the workers' own
CPU and that of the PostgreSQL backends serving the run (read from /proc, so only when
PostgreSQL runs on this machine). Then it checks that every click was recorded exactly once
(one first answer per member, the others "already answered", no error) and that the boards are
exact (scores == sums over the answers, score buckets == counts over the scores).

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

from bench.cpu import backend_cpu, machine_busy  # noqa: E402
from bot import codec  # noqa: E402
from bot.cli import run_loop, settle_heap  # noqa: E402
from bot.commands import Answer, Context, Member, Place, PostNow, Setup  # noqa: E402
from bot.config import DEFAULT_CONTENT, Settings  # noqa: E402
from bot.replies import Reply, Tone  # noqa: E402
from bot.service import StudyService  # noqa: E402
from bot.store.models import Answer as AnswerRow  # noqa: E402
from bot.store.models import Quiz, Score, ScoreBucket  # noqa: E402

PG = dict(host="127.0.0.1", port=5432, user="postgres")
PLACE = Place("terminal", "bench", "study")
#: Another group's quiz, which each worker answers before the burst: a running worker has its
#: statements compiled and prepared, and its connection's caches filled, before a burst comes.
WARM_UP = Place("terminal", "bench", "warm-up")


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


def member(i: int | str, place: Place = PLACE) -> Context:
    return Context(Member(place.platform, place.workspace, f"u{i}", f"Member {i}"), place)


def answer(quiz_id: int, picks: str) -> Answer:
    return Answer(quiz_id, frozenset(int(c) for c in picks))


# --- the worker process ------------------------------------------------------------------------


async def worker(database_url: str, number: int, warm_up: tuple[int, str], quiz_id: int,
                 clicks: list[tuple[int, str]]) -> None:
    """Answer the ``warm_up`` quiz (id, picks) for two members of our own; then ``clicks`` ((member,
    picks as digits)) all at once after GO on stdin; print a JSON report, then close on the next line
    (the caller reads the database's CPU while we are still connected)."""
    service = await StudyService.open(Settings(database_url=database_url, content_path=DEFAULT_CONTENT))
    try:
        for k in range(2):
            await service.handle(member(f"warm-up-{number}-{k}", WARM_UP), answer(*warm_up))
        settle_heap()  # as `studybot run` does once started
        print("READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # GO
        began, cpu = time.perf_counter(), time.process_time()
        replies = await asyncio.gather(
            *(service.handle(member(i), answer(quiz_id, picks)) for i, picks in clicks),
            return_exceptions=True,
        )
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
        _report(clicks, replies, took, cpu)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # BYE
    finally:
        await service.close()


def _report(clicks: list[tuple[int, str]], replies: list, took: float, cpu: float) -> None:
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
                      "seconds": took, "cpu": cpu}), flush=True)


# --- the answers section -------------------------------------------------------------------------


@dataclass
class Run:
    workers: int
    clicks: int
    members: int
    seconds: float
    worker_cpu: float  # seconds, all worker processes
    database_cpu: float | None  # seconds, the PostgreSQL backends of the run's database (None: not on this machine)
    machine_cpu: float | None  # seconds, every core of the machine busy with anything (None: no /proc/stat)

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


async def _post_quiz(database_url: str, place: Place) -> tuple[int, str, str]:
    """Set up a group at ``place`` and post its quiz; (quiz id, right picks, wrong picks) as digit strings."""
    service = await StudyService.open(Settings(database_url=database_url, content_path=DEFAULT_CONTENT))
    try:
        posts = Posts()
        service.attach(place.platform, posts)
        admin = Context(Member(place.platform, place.workspace, "admin", "Admin", is_admin=True), place)
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


def _plan(workers: int, members: int, again: float, right: str, wrong: str, seed: int) -> list[list]:
    """Every member clicks once; a share ``again`` click a second time, on another worker if there is
    one. The same ``seed`` makes the same burst (who picks what, who clicks twice) for any ``workers``."""
    rng = random.Random(seed)
    plan: list[list] = [[] for _ in range(workers)]
    for i in range(members):
        picks = right if rng.random() < 0.6 else wrong
        home, twice, other = i % workers, rng.random() < again, rng.random()  # as many draws for any count
        plan[home].append((i, picks))
        if twice:
            plan[(home + 1 + int(other * (workers - 1))) % workers if workers > 1 else home].append((i, picks))
    for clicks in plan:
        rng.shuffle(clicks)
    return plan


async def _run_workers(
    database_url: str, warm_up: tuple[int, str], quiz_id: int, plan: list[list]
) -> tuple[float, list[dict], float | None, float | None]:
    procs = []
    with tempfile.TemporaryDirectory() as folder:
        for n, clicks in enumerate(plan):
            path = Path(folder) / f"clicks{n}.json"  # a file: a big burst does not fit in argv
            path.write_text(json.dumps(clicks))
            proc = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "worker", database_url, str(n), *map(str, warm_up), str(quiz_id), str(path),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, limit=2**26,
            )
            procs.append(proc)
        return await _race(procs, database_url.rsplit("/", 1)[1])


async def _race(
    procs: list[asyncio.subprocess.Process], database: str
) -> tuple[float, list[dict], float | None, float | None]:
    """Start the workers' burst at the same moment once all are ready; (seconds to the last report,
    reports, CPU seconds of the database's backends meanwhile, and of the whole machine; None
    where /proc does not tell)."""
    for proc in procs:
        line = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode().strip()
        if line != "READY":
            raise RuntimeError(f"a worker did not start: {line!r}")
    before, machine = backend_cpu(database), machine_busy()
    began = time.perf_counter()
    for proc in procs:
        proc.stdin.write(b"GO\n")
        await proc.stdin.drain()
    reports = [json.loads(await proc.stdout.readline()) for proc in procs]
    took = time.perf_counter() - began
    after, machine = backend_cpu(database), None if machine is None else machine_busy() - machine
    for proc in procs:
        proc.stdin.write(b"BYE\n")
        await proc.stdin.drain()
        await proc.wait()
    database_cpu = sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()) if after else None
    return took, reports, database_cpu, machine


async def _check(database_url: str, quiz_id: int, members: int, plan: list[list], reports: list[dict]) -> list[str]:
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
                                              Quiz.week, AnswerRow.quiz_id).join(Quiz, Quiz.id == AnswerRow.quiz_id))).all()
            scores = (await s.execute(select(Score.group_id, Score.period, Score.member_id, Score.points,
                                             Score.correct, Score.answered))).all()
            buckets = (await s.execute(select(ScoreBucket.group_id, ScoreBucket.period, ScoreBucket.points,
                                              ScoreBucket.members))).all()
    finally:
        await service.close()
    burst = [a for a in answers if a[-1] == quiz_id]
    if len(burst) != members or len({a[0] for a in burst}) != members:
        problems.append(f"{len(burst)} answers stored for {members} members")
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for member_id, points, correct, group, week, _quiz in answers:
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
    for round_ in range(args.rounds):  # rounds interleave the counts, so a noisy moment hits all of them alike
        for n in counts:
            name, url = await _fresh_database()
            try:
                warm_up, warm_right, _ = await _post_quiz(url, WARM_UP)
                quiz_id, right, wrong = await _post_quiz(url, PLACE)
                plan = _plan(n, args.members, args.again, right, wrong, seed=round_)
                took, reports, database_cpu, machine_cpu = await _run_workers(url, (warm_up, warm_right), quiz_id, plan)
                problems = await _check(url, quiz_id, args.members, plan, reports)
            finally:
                await _drop_database(name)
            run = Run(n, sum(map(len, plan)), args.members, took, sum(r["cpu"] for r in reports), database_cpu,
                      machine_cpu)
            runs[n].append(run)
            verdict = "every click recorded once, boards exact" if not problems else "PROBLEMS: " + "; ".join(problems)
            ok &= not problems
            print(f"  {n} worker(s): {run.clicks:5d} clicks in {took:5.2f} s = {run.per_second:7.0f} answers/s, "
                  f"CPU {_cpu(run)} · {verdict}", flush=True)
    print("  median of the rounds (CPU per click; cores busy: CPU seconds per second of the burst, of "
          f"{os.cpu_count()}; others: the rest of the machine, other work than this bench's):")
    base = statistics.median(r.per_second for r in runs[counts[0]])
    for n in counts:
        rate = statistics.median(r.per_second for r in runs[n])
        print(f"  {n} worker(s): {rate:7.0f} answers/s, {rate / base:4.2f}x {counts[0]} worker(s); "
              f"{_cpu_medians(runs[n])}")
    if limit := _what_limits(runs, counts):
        print(limit)
    return ok


def _what_limits(runs: dict[int, list[Run]], counts: list[int]) -> str | None:
    """The most ``counts[-1]`` workers can give over ``counts[0]`` on this machine's cores at their
    measured CPU per click, next to what they gave; None where the database's CPU is unknown."""
    if any(r.database_cpu is None for rs in runs.values() for r in rs):
        return None
    first, last = counts[0], counts[-1]
    cores = os.cpu_count() or 1
    busy = statistics.median((r.worker_cpu + r.database_cpu) / r.seconds for r in runs[first])
    cost = {n: statistics.median((r.worker_cpu + r.database_cpu) / r.clicks for r in runs[n]) for n in (first, last)}
    ceiling = cores / busy * cost[first] / cost[last]
    gained = statistics.median(r.per_second for r in runs[last]) / statistics.median(r.per_second for r in runs[first])
    return (f"  what limits it: {first} worker(s) and their PostgreSQL backends keep {busy:.2f} of the {cores} cores "
            f"busy; at the CPU per click measured with {last} ({cost[last] / cost[first]:.2f}x that of {first}), "
            f"{cores} cores allow at most {ceiling:.2f}x; {last} workers gave {gained:.2f}x, "
            f"{gained / ceiling:.0%} of that ceiling")


def _cpu(run: Run) -> str:
    database = "?" if run.database_cpu is None else f"{run.database_cpu:.2f}"
    text = f"workers {run.worker_cpu:.2f} s, PostgreSQL {database} s"
    if run.machine_cpu is not None and run.database_cpu is not None:
        text += f", others {max(run.machine_cpu - run.worker_cpu - run.database_cpu, 0):.2f} s"
    return text


def _cpu_medians(runs: list[Run]) -> str:
    def per_click(seconds: float, run: Run) -> float:
        return seconds / run.clicks * 1e6

    workers = statistics.median(per_click(r.worker_cpu, r) for r in runs)
    text = f"workers {workers:.0f} us/click"
    if all(r.database_cpu is not None for r in runs):
        database = statistics.median(per_click(r.database_cpu, r) for r in runs)
        cores = statistics.median((r.worker_cpu + r.database_cpu) / r.seconds for r in runs)
        text += f", PostgreSQL {database:.0f} us/click; {cores:.2f} cores busy"
        if all(r.machine_cpu is not None for r in runs):
            others = statistics.median(max(r.machine_cpu - r.worker_cpu - r.database_cpu, 0) / r.seconds for r in runs)
            text += f", others {others:.2f}"
    return text


async def run(workers: str = "1,2,4", members: int = 4000, again: float = 0.25, rounds: int = 3) -> None:
    """The section: raises SystemExit(1) when a check fails."""
    if not await answers(argparse.Namespace(workers=workers, members=members, again=again, rounds=rounds)):
        raise SystemExit(1)


if __name__ == "__main__":  # a worker process, started by the section
    _, url, number, warm_up, warm_picks, quiz_id, path = sys.argv[1:]
    clicks = [tuple(c) for c in json.loads(Path(path).read_text())]
    run_loop(worker(url, int(number), (int(warm_up), warm_picks), int(quiz_id), clicks))  # the loop `studybot run` uses
