"""`studybot content check`: structural problems, bank quality and a coverage table."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import TextIO

from rapidfuzz import fuzz, process

from bot.content.pack import KINDS, Pack, Problem, Question, read_pack

MIN_PER_OBJECTIVE = 5
NEAR_DUPLICATE = 92  # rapidfuzz token_sort_ratio of normalised stems (with their code)
LONGEST_SHARE_LIMIT = 0.40  # a bank where the answer is usually the longest option teaches a trick
GIVEAWAY_MIN_WORDS = 3  # a bare name ("PFIExplainer", "version") turns up in stems as context, not as an answer


def _split(source: str) -> tuple[str, int]:
    file, _, line = source.rpartition(":")
    return file, int(line or 1)


def _normal(q: Question) -> str:
    return " ".join(f"{q.stem} {q.code or ''}".lower().split())


def longest_is_correct(q: Question) -> bool:
    """True when a single-answer question's correct option is strictly the longest."""
    if q.pick != 1:
        return False
    lengths = {k: len(t) for k, t in q.options}
    (right,) = q.answer
    return all(lengths[right] > n for k, n in lengths.items() if k != right)


def _section(objective_id: str) -> str:
    return objective_id.rpartition(".")[0]


def giveaways(pack: Pack) -> list[Problem]:
    """A stem (or its code) that quotes the correct option of another question in the same section.

    Members meet every question of a section in turn, so such a stem may hand over the other's
    answer. Advisory: naming a service as the setting of a question ("register an Azure Data Lake
    Storage Gen2 datastore") is fine, so a maintainer reads these rather than the check failing.
    """
    keys: list[tuple[Question, str]] = []
    for q in pack.questions:
        for key, text in q.options:
            norm = " ".join(text.lower().split()).strip(" .")
            norm = norm.removeprefix("the ").removeprefix("a ").removeprefix("an ")
            if key in q.answer and len(norm.split()) >= GIVEAWAY_MIN_WORDS:
                keys.append((q, norm))
    problems = []
    for q in pack.questions:
        shown = _normal(q)
        for other, key in keys:
            if other.id != q.id and _section(other.objective_id) == _section(q.objective_id) and key in shown:
                problems.append(Problem(*_split(q.source), f"possible giveaway: question {q.id}'s stem quotes "
                                        f"“{key}”, the answer of {other.id} ({other.source})"))
    return problems


def quality_problems(pack: Pack) -> tuple[list[Problem], float]:
    problems: list[Problem] = []
    for o in pack.objectives:
        n = len(pack.questions_by_objective.get(o.id, []))
        if n < MIN_PER_OBJECTIVE:
            problems.append(Problem(*_split(o.source), f"objective {o.id} has {n} question(s); it needs at least {MIN_PER_OBJECTIVE}"))
    if any(o.description for o in pack.objectives):  # a pack that describes objectives describes them all
        problems += [Problem(*_split(o.source), f"objective {o.id} has no description in descriptions.yaml")
                     for o in pack.objectives if not o.description]
    stems = [_normal(q) for q in pack.questions]
    for i, stem in enumerate(stems):
        for _, _, j in process.extract(stem, stems[i + 1:], scorer=fuzz.token_sort_ratio,
                                       score_cutoff=NEAR_DUPLICATE, limit=None):
            a, b = pack.questions[i], pack.questions[i + 1 + j]
            problems.append(Problem(*_split(b.source), f"question {b.id} is a near duplicate of {a.id} ({a.source})"))
    singles = [q for q in pack.questions if q.pick == 1]
    share = sum(longest_is_correct(q) for q in singles) / len(singles) if singles else 0.0
    if share > LONGEST_SHARE_LIMIT:
        problems.append(Problem("questions", 1, f"the correct option is the longest in {share:.0%} of single-answer "
                                f"questions (at most {LONGEST_SHARE_LIMIT:.0%}): vary option lengths"))
    for name, passes in pack.reviews.items():
        if not any(p.get("pass") == "reviewed" for p in passes):
            problems.append(Problem(name, 1, "this file has no `reviewed` pass recorded under `review:`"))
    return problems, share


def coverage(pack: Pack) -> str:
    rows = [("", "questions", *KINDS, "d1", "d2", "d3")]
    for domain in pack.domains:
        for section in [s for s in pack.sections if s.domain.id == domain.id]:
            qs = [q for o in pack.objectives if o.section.id == section.id for q in pack.questions_by_objective[o.id]]
            kinds, levels = Counter(q.kind for q in qs), Counter(q.difficulty for q in qs)
            rows.append((f"  {section.id} {section.title[:44]}", str(len(qs)), *(str(kinds[k]) for k in KINDS),
                         *(str(levels[d]) for d in (1, 2, 3))))
        qs = [q for q in pack.questions if pack.objective_by_id[q.objective_id].domain.id == domain.id]
        kinds, levels = Counter(q.kind for q in qs), Counter(q.difficulty for q in qs)
        rows.append((f"{domain.id} {domain.title[:46]} ({domain.weight_label})", str(len(qs)),
                     *(str(kinds[k]) for k in KINDS), *(str(levels[d]) for d in (1, 2, 3))))
    kinds, levels = Counter(q.kind for q in pack.questions), Counter(q.difficulty for q in pack.questions)
    rows.append(("all", str(len(pack.questions)), *(str(kinds[k]) for k in KINDS), *(str(levels[d]) for d in (1, 2, 3))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r)) for r in rows
    )


def check(path: Path, *, quiet: bool = False, out: TextIO) -> int:
    pack, problems = read_pack(path)
    share = 0.0
    if pack is not None:
        more, share = quality_problems(pack)
        problems += more
    for p in problems:
        print(p, file=out)
    if pack is not None:
        for p in giveaways(pack):
            print(p, file=out)
    if pack is not None and not quiet:
        per = defaultdict(int)
        for q in pack.questions:
            per[q.objective_id] += 1
        print(f"{pack.exam}: {len(pack.domains)} domains, {len(pack.sections)} sections, "
              f"{len(pack.objectives)} objectives, {len(pack.questions)} questions "
              f"(per objective: min {min(per.values(), default=0)}, max {max(per.values(), default=0)}); "
              f"correct option longest in {share:.0%} of single-answer questions", file=out)
        print(coverage(pack), file=out)
    if problems:
        print(f"{len(problems)} problem(s) found", file=out)
        return 1
    print("content pack OK", file=out)
    return 0
