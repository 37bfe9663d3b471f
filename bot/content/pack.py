"""Load and validate a content pack (objectives, aliases, questions) into typed objects.

Every problem is reported with its file, line and what is wrong, so a broken pack is
easy to fix; the bot refuses to start on a pack with problems.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

KINDS = ("single", "multiple", "scenario", "code")
OPTION_KEYS = "abcdef"
MAX_DESCRIPTION = 700  # characters: a description is a few sentences shown under a card's title


@dataclass(frozen=True, slots=True)
class Domain:
    id: str
    title: str
    weight_min: int
    weight_max: int

    @property
    def weight_label(self) -> str:
        return f"{self.weight_min}-{self.weight_max}%"

    @property
    def weight(self) -> float:
        """The midpoint of the exam weight range, as a fraction."""
        return (self.weight_min + self.weight_max) / 200


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    domain: Domain


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    title: str
    url: str
    section: Section
    aliases: tuple[str, ...] = ()
    source: str = ""  # "file:line"
    description: str = ""  # a few plain sentences from descriptions.yaml: what a learner does and why

    @property
    def domain(self) -> Domain:
        return self.section.domain


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    objective_id: str
    kind: str
    difficulty: int
    stem: str
    options: tuple[tuple[str, str], ...]  # (key, text) in file order
    answer: frozenset[str]
    explanation: str
    code: str | None = None
    see: str | None = None
    source: str = ""  # "file:line", for messages about this question

    @property
    def pick(self) -> int:
        return len(self.answer)


@dataclass(frozen=True, slots=True)
class Resource:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Pack:
    exam: str
    title: str
    domains: list[Domain]
    sections: list[Section]
    objectives: list[Objective]
    questions: list[Question]
    resources: list[Resource]
    reviews: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # file -> passes
    plain_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # everyday word -> guide words

    def __post_init__(self) -> None:
        self.objective_by_id = {o.id: o for o in self.objectives}
        self.question_by_id = {q.id: q for q in self.questions}
        self.domain_by_id = {d.id: d for d in self.domains}
        by_objective: dict[str, list[Question]] = {o.id: [] for o in self.objectives}
        for q in self.questions:
            by_objective.setdefault(q.objective_id, []).append(q)
        self.questions_by_objective = by_objective


class ContentError(Exception):
    """The pack has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"content pack has {len(problems)} problem(s):\n{lines}")


# --- YAML with line numbers ---------------------------------------------------------------


class _Node(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    lines: dict[str, int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when the wheel has it
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Node:
    mapping = _Node()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):  # YAML allows them as keys; a pack never means that
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be text or a number, not a {type(key).__name__}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Collects problems while reading one file."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        try:
            self.name = str(path.relative_to(root.parent))
        except ValueError:
            self.name = str(path)
        self.problems: list[Problem] = []
        self.unreadable = False  # the file could not be read or parsed: its problem is reported once

    def load(self) -> Any:
        try:
            raw = self.path.read_bytes()
        except OSError as e:
            self.fail(1, f"cannot read: {e.strerror or e}")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            self.fail(line, f"not UTF-8 text: byte 0x{raw[e.start]:02x} cannot be decoded; save the file as UTF-8")
            return None
        try:
            return yaml.load(text, Loader=_Loader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else 1
            self.fail(line, f"not valid YAML: {e.problem or e}")
        except yaml.YAMLError as e:
            self.fail(1, f"not valid YAML: {e}")
        return None

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, message))

    def fail(self, line: int, message: str) -> None:
        self.unreadable = True
        self.problem(line, message)

    def text(self, node: _Node, key: str, what: str, *, required: bool = True) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, f"{what} has no `{key}`")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.problem(node.lines.get(key, node.line), f"{what}: `{key}` must be non-empty text")
            return None
        return value.strip()

    def items(self, node: Any, key: str, what: str) -> list[Any]:
        value = node.get(key) if isinstance(node, dict) else None
        if not isinstance(value, list):
            line = node.lines.get(key, node.line) if isinstance(node, _Node) else 1
            self.problem(line, f"{what}: `{key}` must be a list")
            return []
        return value

    def mapping(self, value: Any, parent_line: int, what: str) -> _Node | None:
        if not isinstance(value, _Node):
            if self.unreadable:
                return None
            self.problem(parent_line, f"{what} must be a mapping of keys to values")
            return None
        return value


# --- loading -------------------------------------------------------------------------------


def load_pack(root: Path | str) -> Pack:
    """Load a pack, raising ContentError listing every problem found."""
    pack, problems = read_pack(root)
    if problems:
        raise ContentError(problems)
    assert pack is not None
    return pack


def read_pack(root: Path | str) -> tuple[Pack | None, list[Problem]]:
    root = Path(root)
    problems: list[Problem] = []
    objectives_file = root / "objectives.yaml"
    if not objectives_file.is_file():
        return None, [Problem(str(objectives_file), 1, "missing: a pack needs objectives.yaml")]
    reader = _Reader(objectives_file, root)
    data = reader.load()
    exam, title, domains, sections, objectives, resources = _read_objectives(reader, data)
    problems += reader.problems

    aliases_file = root / "aliases.yaml"
    if aliases_file.is_file():
        reader = _Reader(aliases_file, root)
        objectives = _read_aliases(reader, reader.load(), objectives)
        problems += reader.problems

    descriptions_file = root / "descriptions.yaml"
    if descriptions_file.is_file():
        reader = _Reader(descriptions_file, root)
        objectives = _read_descriptions(reader, reader.load(), objectives)
        problems += reader.problems

    plain_words: dict[str, tuple[str, ...]] = {}
    plain_file = root / "plain-words.yaml"
    if plain_file.is_file():
        reader = _Reader(plain_file, root)
        plain_words = _read_plain_words(reader, reader.load())
        problems += reader.problems

    known = {o.id for o in objectives}
    questions: list[Question] = []
    reviews: dict[str, list[dict[str, str]]] = {}
    question_dir = root / "questions"
    files = sorted(question_dir.glob("*.yaml")) if question_dir.is_dir() else []
    if not files:
        problems.append(Problem(str(question_dir), 1, "no question files (questions/*.yaml)"))
    seen_ids: dict[str, str] = {}
    unreadable = False
    for path in files:
        reader = _Reader(path, root)
        file_questions, passes = _read_questions(reader, reader.load(), known, seen_ids)
        questions += file_questions
        reviews[reader.name] = passes
        problems += reader.problems
        unreadable |= reader.unreadable

    have = {q.objective_id for q in questions}
    for o in objectives if not unreadable else ():  # an unreadable file's questions are not missing
        if o.id not in have:
            file, _, line = o.source.rpartition(":")
            problems.append(Problem(file, int(line), f"objective {o.id} has no question: every objective needs one"))
    if problems:
        return None, problems
    pack = Pack(exam, title, domains, sections, objectives, questions, resources, reviews, plain_words)
    return pack, []


def _read_objectives(reader: _Reader, data: Any):
    domains: list[Domain] = []
    sections: list[Section] = []
    objectives: list[Objective] = []
    resources: list[Resource] = []
    exam = title = ""
    root = reader.mapping(data, 1, "objectives.yaml")
    if root is None:
        return exam, title, domains, sections, objectives, resources
    exam = reader.text(root, "exam", "the pack") or ""
    title = reader.text(root, "title", "the pack") or ""
    seen: set[str] = set()

    def unique(node: _Node, ident: str | None) -> bool:
        if ident is None:
            return False
        if ident in seen:
            reader.problem(node.lines.get("id", node.line), f"duplicate id {ident!r}")
            return False
        seen.add(ident)
        return True

    for d in reader.items(root, "domains", "the pack"):
        d = reader.mapping(d, root.lines.get("domains", 1), "a domain")
        if d is None:
            continue
        did, dtitle = reader.text(d, "id", "a domain"), reader.text(d, "title", "a domain")
        weight = d.get("weight")
        lo = hi = None
        if isinstance(weight, dict) and isinstance(weight.get("min"), int) and isinstance(weight.get("max"), int):
            lo, hi = weight["min"], weight["max"]
            if not 0 < lo <= hi <= 100:
                reader.problem(d.lines.get("weight", d.line), f"domain {did}: weight must satisfy 0 < min <= max <= 100")
                lo = None
        else:
            reader.problem(d.lines.get("weight", d.line), f"domain {did}: `weight` must be {{min: N, max: M}} in percent")
        if not (unique(d, did) and dtitle and lo is not None):
            continue
        domain = Domain(did, dtitle, lo, hi)
        domains.append(domain)
        for s in reader.items(d, "sections", f"domain {did}"):
            s = reader.mapping(s, d.line, "a section")
            if s is None:
                continue
            sid, stitle = reader.text(s, "id", "a section"), reader.text(s, "title", "a section")
            if not (unique(s, sid) and stitle):
                continue
            section = Section(sid, stitle, domain)
            sections.append(section)
            for o in reader.items(s, "objectives", f"section {sid}"):
                o = reader.mapping(o, s.line, "an objective")
                if o is None:
                    continue
                oid = reader.text(o, "id", "an objective")
                otitle = reader.text(o, "title", f"objective {oid}")
                url = reader.text(o, "url", f"objective {oid}")
                if url and not url.startswith(("https://", "http://")):
                    reader.problem(o.lines.get("url", o.line), f"objective {oid}: url must start with https://")
                    url = None
                if unique(o, oid) and otitle and url:
                    objectives.append(Objective(oid, otitle, url, section, source=f"{reader.name}:{o.line}"))
    for r in root.get("resources") or []:
        r = reader.mapping(r, root.lines.get("resources", 1), "a resource")
        if r is None:
            continue
        rtitle, url = reader.text(r, "title", "a resource"), reader.text(r, "url", "a resource")
        if rtitle and url:
            resources.append(Resource(rtitle, url, reader.text(r, "note", "a resource", required=False) or ""))
    if not objectives and not reader.problems:
        reader.problem(root.line, "the pack has no objectives")
    return exam, title, domains, sections, objectives, resources


def _read_aliases(reader: _Reader, data: Any, objectives: list[Objective]) -> list[Objective]:
    root = reader.mapping(data, 1, "aliases.yaml")
    if root is None:
        return objectives
    known = {o.id for o in objectives}
    aliases: dict[str, tuple[str, ...]] = {}
    for oid, words in root.items():
        line = root.lines.get(oid, 1)
        oid = str(oid)
        if oid not in known:
            reader.problem(line, f"unknown objective id {oid!r}")
            continue
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            reader.problem(line, f"objective {oid}: aliases must be a list of non-empty strings")
            continue
        aliases[oid] = tuple(w.strip() for w in words)
    return [replace(o, aliases=aliases.get(o.id, ())) for o in objectives]


def _read_descriptions(reader: _Reader, data: Any, objectives: list[Objective]) -> list[Objective]:
    root = reader.mapping(data, 1, "descriptions.yaml")
    if root is None:
        return objectives
    known = {o.id for o in objectives}
    descriptions: dict[str, str] = {}
    for oid, text in root.items():
        line = root.lines.get(oid, 1)
        oid = str(oid)
        if oid not in known:
            reader.problem(line, f"unknown objective id {oid!r}")
        elif not isinstance(text, str) or not text.strip():
            reader.problem(line, f"objective {oid}: the description must be non-empty text")
        elif len(text := " ".join(text.split())) > MAX_DESCRIPTION:
            reader.problem(line, f"objective {oid}: the description has {len(text)} characters; "
                                 f"keep it to {MAX_DESCRIPTION} (a few sentences)")
        else:
            descriptions[oid] = text
    return [replace(o, description=descriptions.get(o.id, "")) for o in objectives]


def _read_plain_words(reader: _Reader, data: Any) -> dict[str, tuple[str, ...]]:
    root = reader.mapping(data, 1, "plain-words.yaml")
    if root is None:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for word, meanings in root.items():
        if not isinstance(meanings, list) or not meanings or not all(isinstance(m, str) and m.strip() for m in meanings):
            reader.problem(root.lines.get(word, 1), f"{word}: must map to a non-empty list of the guide's words")
            continue
        out[str(word)] = tuple(m.strip() for m in meanings)
    return out


def _read_questions(
    reader: _Reader, data: Any, known: set[str], seen_ids: dict[str, str]
) -> tuple[list[Question], list[dict[str, str]]]:
    root = reader.mapping(data, 1, "a question file")
    if root is None:
        return [], []
    passes: list[dict[str, str]] = []
    for p in root.get("review") or []:
        if isinstance(p, dict) and isinstance(p.get("pass"), str) and isinstance(p.get("by"), str):
            passes.append({k: str(v) for k, v in p.items()})
        else:
            reader.problem(root.lines.get("review", 1), "each review entry needs `pass` and `by`")
    questions = []
    for q in reader.items(root, "questions", "a question file"):
        q = reader.mapping(q, root.lines.get("questions", 1), "a question")
        if q is not None and (question := _read_question(reader, q, known, seen_ids)):
            questions.append(question)
    return questions, passes


def _read_question(reader: _Reader, q: _Node, known: set[str], seen_ids: dict[str, str]) -> Question | None:
    before = len(reader.problems)
    qid = reader.text(q, "id", "a question")
    what = f"question {qid}" if qid else "a question"
    at = f"{reader.name}:{q.line}"
    if qid is not None:
        if qid in seen_ids:
            reader.problem(q.lines.get("id", q.line), f"duplicate question id {qid!r} (first at {seen_ids[qid]})")
        else:
            seen_ids[qid] = at
    objective = reader.text(q, "objective", what)
    if objective is not None and objective not in known:
        reader.problem(q.lines.get("objective", q.line), f"{what}: unknown objective id {objective!r}")
    kind = reader.text(q, "kind", what)
    if kind is not None and kind not in KINDS:
        reader.problem(q.lines.get("kind", q.line), f"{what}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    difficulty = q.get("difficulty")
    if difficulty not in (1, 2, 3):
        reader.problem(q.lines.get("difficulty", q.line), f"{what}: difficulty must be 1, 2 or 3")
    stem = reader.text(q, "stem", what)
    explanation = reader.text(q, "explanation", what)
    code = reader.text(q, "code", what, required=False)
    if kind == "code" and code is None:
        reader.problem(q.line, f"{what}: a code question needs a `code` block")
    see = reader.text(q, "see", what, required=False)

    options: list[tuple[str, str]] = []
    raw = q.get("options")
    if not isinstance(raw, dict) or not 2 <= len(raw) <= 6:
        reader.problem(q.lines.get("options", q.line), f"{what}: `options` must map 2 to 6 keys (a-f) to text")
    else:
        expected = OPTION_KEYS[: len(raw)]
        if tuple(str(k) for k in raw) != tuple(expected):
            reader.problem(q.lines.get("options", q.line), f"{what}: option keys must be {', '.join(expected)} in order")
        texts: set[str] = set()
        for key, text in raw.items():
            line = raw.lines.get(key, q.line) if isinstance(raw, _Node) else q.line
            if not isinstance(text, (str, int, float)) or not str(text).strip():
                reader.problem(line, f"{what}: option {key} is empty")
                continue
            norm = " ".join(str(text).lower().split())
            if norm in texts:
                reader.problem(line, f"{what}: option {key} repeats another option")
            texts.add(norm)
            options.append((str(key), str(text).strip()))

    answer_raw = q.get("answer")
    answers = answer_raw if isinstance(answer_raw, list) else [answer_raw] if answer_raw is not None else []
    answer = frozenset(str(a) for a in answers)
    keys = {k for k, _ in options}
    aline = q.lines.get("answer", q.line)
    if not answer:
        reader.problem(aline, f"{what}: no correct option (`answer` is missing)")
    elif unknown := sorted(answer - keys) if keys else []:
        reader.problem(aline, f"{what}: answer {', '.join(unknown)} is not one of the options")
    elif len(answer) != len(answers):
        reader.problem(aline, f"{what}: answer lists an option twice")
    elif kind == "multiple" and len(answer) < 2:
        reader.problem(aline, f"{what}: a `multiple` question needs at least two correct options")
    elif kind != "multiple" and len(answer) > 1:
        reader.problem(aline, f"{what}: only `multiple` questions may have several correct options")
    elif len(answer) >= len(options):
        reader.problem(aline, f"{what}: every option is correct")

    if len(reader.problems) > before:
        return None
    return Question(
        id=qid, objective_id=objective, kind=kind, difficulty=difficulty, stem=stem,
        options=tuple(options), answer=answer, explanation=explanation, code=code, see=see, source=at,
    )


def counts(pack: Pack) -> Counter[str]:
    """Question count per objective id (zero included)."""
    return Counter({o.id: len(pack.questions_by_objective.get(o.id, [])) for o in pack.objectives})
