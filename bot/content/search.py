"""Find study-guide objectives from what a learner types: words, SDK class names, typos.

Pure Python plus rapidfuzz and snowballstemmer. Every objective is indexed as a set of *phrases* (its title, each
alias, its section title and its domain title), each phrase a list of stemmed words. A query is
split the same way into *units*, and each unit is matched against the vocabulary once per search:
an exact word scores 1.0, a prefix ("hyperparam" -> "hyperparameter") 0.9, a typo at most 0.8.
An objective's score mixes two things:

- coverage: how much of the query the objective explains, each unit weighted by how rare its
  word is across the guide (so "bandit" counts more than "model") and by the field it was found
  in (title 1.0, alias 0.95, section 0.6, domain 0.35, and the plain description 0.4: a word
  found there counts, typed as it is, wherever it stands);
- completeness: how fully the query spells out one of the objective's phrases, so "compute
  instance" prefers the objective that has that exact alias over one that merely mentions both
  words.

CamelCase names are split ("ParallelRunStep" -> parallel run step) and adjacent words are also
indexed joined, so "parallelrunstep", "paralel run step" and "ParallelRunStep" all find 3.4.1.

Plain questions rarely use the guide's words, so the question bank is evidence too: BM25 over each
objective's plain description and questions (stems, explanations, code; not the options) says how
much of the query that text explains, and fills the part of the score the guide leaves unexplained
(an exact title or SDK name keeps its place). Everyday words stand for guide words through the pack's
plain-words.yaml ("shifted" -> drift). Words are reduced to their Snowball stems on both sides.
Queries that match nothing well return [] rather than noise; the bar is lower for a query made
only of words the exam uses, or of words of asking ("is there a way", "anyone know"): off-topic
queries bring words it never does ("football", "pizza").
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.content.evidence import Bm25
from bot.content.pack import Objective, Question

__all__ = ["Match", "ObjectiveSearch", "STOP_WORDS"]

# English function words, and light verbs that say nothing of the topic ("see which step failed", "give
# someone access", "keep the password out"): they neither match nor dilute a query
STOP_WORDS = frozenset(
    ["a", "an", "the", "i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "you", "your", "yours", "it", "its", "itself", "he", "him", "his", "she", "her", "they", "them", "their", "this", "that", "these", "those", "there", "here", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "doing", "done", "has", "have", "had", "having", "how", "what", "which", "who", "whom", "whose", "when", "where", "why", "can", "could", "should", "would", "will", "shall", "may", "might", "must", "to", "in", "on", "of", "for", "with", "and", "or", "but", "nor", "not", "no", "so", "than", "then", "too", "very", "just", "also", "only", "by", "at", "as", "from", "into", "onto", "via", "about", "over", "under", "again", "once", "if", "else", "while", "until", "because", "each", "every", "all", "any", "some", "such", "own", "same", "other", "another", "more", "most", "much", "many", "few", "lot", "lots", "let", "lets", "s", "t", "please", "vs", "versus", "use", "using", "want", "need", "needs", "get", "gets", "got", "make", "makes", "see", "give", "keep"]
)

# How people ask rather than what about ("is there a way to", "anyone know whether", "look around"):
# they still count as words of the query (so "best way to learn guitar" is not read as "best learn"),
# but they are not the off-topic words that raise the bar a query must clear
ASKING_WORDS = frozenset(
    ["way", "ways", "look", "looking", "around", "thing", "things", "stuff", "something", "anything", "whether", "still", "already", "even", "really", "actually", "kind", "know", "possible", "able", "somehow", "ok", "okay", "hi", "hello", "thanks", "someone", "somebody", "anyone", "anybody", "im", "dont", "cant", "doesnt", "isnt", "whats", "hows", "wanna", "gonna", "going"]
)

# Field weights: a hit in a title counts more than one in an alias, a section or a domain title. The
# description tells siblings apart by the words of each one's own task ("read-only" for built-in roles,
# "remove" for role assignments); a word there counts less than in a section title, more than in a domain's
# (tuning sets, of 313 first: 0 -> 276, 0.3 -> 284, 0.4 -> 287, 0.5 -> 288 but a QUERIES case lost).
TITLE, ALIAS, SECTION, DOMAIN, DESCRIPTION = 1.0, 0.95, 0.6, 0.35, 0.4

EXACT, PREFIX, REVERSE_PREFIX = 1.0, 0.9, 0.85
PLAIN_WORD = 0.85  # an everyday word standing in for a guide word ("shifted" for drift)
COMMON_WORD_FLOOR = 0.2  # share of the rarest word's idf that even a common word weighs in the bank evidence
FUZZY_MAX = 0.8  # a typo never scores as well as the word itself
PREFIX_FUZZY_MAX = 0.75  # a typo in a word that is still being typed ("hyperparm")

COVERAGE_SHARE = 0.6  # score = 100 * (share * coverage + (1 - share) * completeness)
QUERY_DAMPING = 0.5  # how much a phrase's completeness depends on it explaining the whole query
MIN_SCORE = 50.0  # below this a result is noise
KNOWN_MIN_SCORE = 35.0  # ... unless every word of the query is one the exam uses
RELATIVE_CUTOFF = 0.5  # search drops results scoring under half the best one
SUGGEST_MIN_SCORE = 20.0
MAX_NGRAM = 4

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CAMEL_NAME = re.compile(r"\b[A-Za-z][a-z0-9]+(?:[A-Z][a-z0-9]+)+\b")  # HyperDriveConfig, parallelRunStep
_IDENTIFIER = re.compile(r"[A-Za-z0-9][._][A-Za-z]")  # run.log, from_config (not "2.5" or "ci/cd")
_PLURAL_ACRONYM = re.compile(r"^[A-Z]{2,}s$")  # "CPUs", "VMs": one word, not "CP" + "Us"
_ID = re.compile(r"^\d+(?:\.\d+)*\.?$")


@dataclass(frozen=True, slots=True)
class Match:
    objective: Objective
    score: float  # 0-100


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem: "deployment", "deployed" and "deploying" all give "deploy"."""
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Lower-case words, camelCase split, stop words dropped (unstemmed).

    Inside an identifier (``Workspace.from_config``, ``get_best_run_by_primary_metric``) every
    part is kept, stop words included, so the identifier can be matched as a whole.
    """
    out: list[str] = []
    for chunk in text.split():
        identifier = bool(_IDENTIFIER.search(chunk))
        for raw in _WORD.findall(chunk):
            parts = _CAMEL.split(raw)
            if len(parts) > 1 and (any(len(p) < 2 for p in parts) or _PLURAL_ACRONYM.match(raw)):
                parts = [raw]  # "MLflow" and "CPUs" stay one word
            for part in parts:
                low = part.lower()
                if identifier or low not in STOP_WORDS:
                    out.append(low)
    return out


@dataclass(slots=True)
class _Phrase:
    objective: int  # index into objectives
    weight: float
    size: int  # number of words


class ObjectiveSearch:
    def __init__(
        self,
        objectives: Sequence[Objective],
        questions: Sequence[Question] = (),
        plain_words: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.objectives: tuple[Objective, ...] = tuple(objectives)
        self._evidence = Bm25(_evidence(self.objectives, questions))
        # everyday word (stemmed) -> the guide's words it stands for (content/<pack>/plain-words.yaml)
        self._plain: dict[str, list[str]] = {}
        for word, meanings in (plain_words or {}).items():
            for key in {stem(w) for w in words(word)}:
                self._plain.setdefault(key, []).extend(w for m in meanings for w in words(m))
        self._phrases: list[_Phrase] = []
        # stem -> [(phrase, position)]; joined words -> [(phrase, (positions...))]
        self._single: dict[str, list[tuple[int, int]]] = {}
        self._joined: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
        # stem -> objectives whose description has it: a bag of words, matched only as typed (no typos,
        # prefixes or joined words, so the fuzzy vocabulary stays the guide's own)
        self._described: dict[str, list[int]] = {}
        df: dict[str, set[int]] = {}
        joined_stems: dict[str, set[str]] = {}

        for index, objective in enumerate(self.objectives):
            fields = [(objective.title, TITLE)]
            fields += [(alias, ALIAS) for alias in objective.aliases]
            fields += [(objective.section.title, SECTION), (objective.domain.title, DOMAIN)]
            seen: set[tuple[str, ...]] = set()
            for text, weight in fields:
                raw = words(text)
                stems = tuple(stem(w) for w in raw)
                if not stems or stems in seen:
                    continue
                seen.add(stems)
                pid = len(self._phrases)
                self._phrases.append(_Phrase(index, weight, len(stems)))
                for pos, s in enumerate(stems):
                    self._single.setdefault(s, []).append((pid, pos))
                    df.setdefault(s, set()).add(index)
                for n in range(2, MAX_NGRAM + 1):
                    for start in range(len(raw) - n + 1):
                        key = "".join(raw[start : start + n])
                        self._joined.setdefault(key, []).append((pid, tuple(range(start, start + n))))
                        joined_stems.setdefault(key, set()).update(stems[start : start + n])
            for s in dict.fromkeys(stem(w) for w in words(objective.description)):
                self._described.setdefault(s, []).append(index)
                df.setdefault(s, set()).add(index)

        n_obj = max(len(self.objectives), 1)
        self._idf = {s: math.log((n_obj + 1) / (len(ids) + 0.5)) for s, ids in df.items()}
        self._idf_max = math.log((n_obj + 1) / 0.5)
        # joined words ("parallelrunstep") are as specific as their rarest part
        self._joined_idf = {k: max(self._idf[s] for s in ss) for k, ss in joined_stems.items()}
        self._single_keys = list(self._single)
        self._joined_keys = list(self._joined)
        # length -> the vocabulary cut to that length, for typos in unfinished words
        longest = max(map(len, self._single_keys), default=0)
        self._truncated = {n: [k[:n] for k in self._single_keys] for n in range(4, longest + 2)}

    # --- public API --------------------------------------------------------------------------

    def search(self, query: str, limit: int = 5) -> list[Match]:
        """Best matches first; [] when nothing matches well."""
        query = (query or "").strip()
        if not query or limit <= 0:
            return []
        if _ID.match(query):
            return self._by_id(query)[:limit]
        units = words(query)
        scores = self._score(units, partial_last=False)
        if not scores:
            return []
        top = max(scores.values())
        floor = max(self._min_score(units), top * RELATIVE_CUTOFF)
        ranked = sorted((i for i, s in scores.items() if s >= floor), key=lambda i: (-scores[i], i))
        return [Match(self.objectives[i], round(min(scores[i], 100.0), 1)) for i in ranked[:limit]]

    def suggest(self, text: str, limit: int = 25) -> list[Objective]:
        """Autocomplete: the best objectives for partial text as typed (the last word may be unfinished)."""
        if limit <= 0:
            return []
        text = text or ""
        if not text.strip():
            return list(self.objectives[:limit])
        if _ID.match(text.strip()):
            return [m.objective for m in self._by_id(text.strip(), prefix=True)[:limit]]
        partial = not text[-1].isspace()
        scores = self._score(words(text), partial_last=partial)
        ranked = sorted((i for i, s in scores.items() if s >= SUGGEST_MIN_SCORE), key=lambda i: (-scores[i], i))
        return [self.objectives[i] for i in ranked[:limit]]

    # --- scoring -------------------------------------------------------------------------------

    def _by_id(self, query: str, *, prefix: bool = False) -> list[Match]:
        q = query.rstrip(".")
        out = []
        for o in self.objectives:
            if o.id == q:
                out.append(Match(o, 100.0))
            elif o.id.startswith(q + ".") or (prefix and o.id.startswith(q)):
                out.append(Match(o, 90.0))
        out.sort(key=lambda m: -m.score)
        return out

    def _score(self, raw_units: list[str], *, partial_last: bool) -> dict[int, float]:
        """Guide score blended with the bank's evidence, 0..100 per objective."""
        guide = self._guide_scores(raw_units, partial_last=partial_last)
        # a word still being typed is no word of the bank yet ("band" is not "bandit")
        stems = [stem(w) for w in (raw_units[:-1] if partial_last else raw_units)]
        return _blend(guide, self._evidence_scores(stems)) if raw_units else {}

    def _guide_scores(self, raw_units: list[str], *, partial_last: bool) -> dict[int, float]:
        """How well the guide's titles, aliases, section and domain titles match, 0..100 per objective."""
        if not raw_units:
            return {}
        stems = [stem(w) for w in raw_units]
        last = len(raw_units) - 1
        # per unit: {("s", stem) | ("j", joined): match score}
        unit_matches: list[dict[tuple[str, str], float]] = []
        for i, (raw, s) in enumerate(zip(raw_units, stems, strict=True)):
            matches = self._match_unit(raw, s, typing=partial_last and i == last)
            for meaning in self._plain.get(s, ()):
                for key, value in self._match_unit(meaning, stem(meaning), typing=False).items():
                    if PLAIN_WORD * value > matches.get(key, 0.0):
                        matches[key] = PLAIN_WORD * value
            unit_matches.append(matches)
        # adjacent query words typed apart that the guide writes as one ("data store", "key vault")
        for i in range(len(raw_units) - 1):
            joined = raw_units[i] + raw_units[i + 1]
            js = stem(joined)
            if js in self._single or js in self._described:
                for k in (i, i + 1):
                    key = ("s", js)
                    unit_matches[k][key] = max(unit_matches[k].get(key, 0.0), EXACT)

        weights = [self._unit_weight(m) for m in unit_matches]
        total_weight = sum(weights)
        if not any(unit_matches):
            return {}

        coverage: dict[int, float] = {}
        credit: dict[int, dict[int, float]] = {}  # phrase -> position -> best credit
        explained: dict[int, float] = {}  # phrase -> weighted share of the query it explains
        for matches, weight in zip(unit_matches, weights, strict=True):
            best_for_obj: dict[int, float] = {}
            best_for_phrase: dict[int, float] = {}
            for (kind, key), score in matches.items():
                if kind == "s":
                    for obj in self._described.get(key, ()):
                        if DESCRIPTION * score > best_for_obj.get(obj, 0.0):
                            best_for_obj[obj] = DESCRIPTION * score
                postings = self._single.get(key, ()) if kind == "s" else self._joined[key]
                for pid, where in postings:
                    phrase = self._phrases[pid]
                    value = phrase.weight * score
                    if value > best_for_obj.get(phrase.objective, 0.0):
                        best_for_obj[phrase.objective] = value
                    if score > best_for_phrase.get(pid, 0.0):
                        best_for_phrase[pid] = score
                    slots = credit.setdefault(pid, {})
                    for pos in (where,) if kind == "s" else where:
                        if score > slots.get(pos, 0.0):
                            slots[pos] = score
            for obj, value in best_for_obj.items():
                coverage[obj] = coverage.get(obj, 0.0) + weight * value
            for pid, score in best_for_phrase.items():
                explained[pid] = explained.get(pid, 0.0) + weight * score

        # completeness: the best single phrase, by how much of it the query spells out, damped
        # when that phrase explains only part of the query ("dataset" vs "use dataset in experiment")
        completeness: dict[int, float] = {}
        for pid, slots in credit.items():
            phrase = self._phrases[pid]
            filled = sum(slots.values()) / phrase.size
            share_of_query = explained[pid] / total_weight
            weight = phrase.weight
            if phrase.weight == SECTION and min(filled, share_of_query) > 0.999:
                # a section title typed out word for word is as specific as an objective's title,
                # and explains the query as an alias would (no other objective's description outweighs it)
                weight = TITLE
                coverage[phrase.objective] = max(coverage[phrase.objective], ALIAS * total_weight)
            value = weight * filled * (1 - QUERY_DAMPING + QUERY_DAMPING * share_of_query)
            if value > completeness.get(phrase.objective, 0.0):
                completeness[phrase.objective] = value

        share = COVERAGE_SHARE
        return {
            obj: 100.0 * (share * cov / total_weight + (1 - share) * completeness.get(obj, 0.0))
            for obj, cov in coverage.items()
        }

    def _min_score(self, units: list[str]) -> float:
        """The score a query's best objective needs to be shown at all.

        Off-topic queries that share a word with the exam ("football scores", "house price") bring
        a word the exam never uses, not even misspelt; a plain question made only of the exam's
        words ("look around my workspace in the browser") can be trusted on less evidence.
        """
        known = all(
            w in ASKING_WORDS or (s := stem(w)) in self._single or s in self._evidence or s in self._plain for w in units
        )
        return KNOWN_MIN_SCORE if known else MIN_SCORE

    def _evidence_scores(self, stems: list[str]) -> dict[int, float]:
        """How much of the query the question bank's text about each objective explains, 0..1.

        Each query word counts by its BM25 idf (a word the bank lacks counts fully and explains
        nothing) times how strongly the objective's text has it; an everyday word from
        plain-words.yaml counts as the guide words it stands for. Typos are left to the guide
        scoring: a fuzzy match into the bank's far larger vocabulary finds noise ("lizard" ~ "wizard").
        """
        bm25 = self._evidence
        total = 0.0
        out: dict[int, float] = {}
        for s in stems:
            terms = [(t, PLAIN_WORD) for t in map(stem, self._plain.get(s, ())) if t in bm25]
            if s in bm25:
                terms.append((s, 1.0))
            weight = max((bm25.idf(t) for t, _ in terms), default=bm25.max_idf)
            # common words count for more than they weigh, so a query made only of them ("Manage
            # models in Azure Machine Learning") cannot look fully explained by the bank
            total += max(weight, COMMON_WORD_FLOOR * bm25.max_idf)
            best: dict[int, float] = {}
            for term, certainty in terms:
                for doc, sat in bm25.saturation(term).items():
                    best[doc] = max(best.get(doc, 0.0), certainty * sat)
            for doc, value in best.items():
                out[doc] = out.get(doc, 0.0) + weight * value
        return {doc: value / total for doc, value in out.items()} if total else {}

    def _unit_weight(self, matches: dict[tuple[str, str], float]) -> float:
        """How much a query word counts: the rarity of the guide word it matched best."""
        if not matches:
            return self._idf_max
        (kind, key), _ = max(matches.items(), key=lambda kv: kv[1])
        if kind == "s":
            return self._idf[key]
        return self._joined_idf[key]

    def _match_unit(self, raw: str, s: str, *, typing: bool) -> dict[tuple[str, str], float]:
        """Score one query word against the vocabulary: exact, prefix, reverse prefix, typo."""
        out: dict[tuple[str, str], float] = {}

        def put(key: tuple[str, str], value: float) -> None:
            if value > out.get(key, 0.0):
                out[key] = value

        n = len(s)
        if s in self._single or s in self._described:
            put(("s", s), EXACT)
        min_prefix = 1 if typing else 4
        if n >= min_prefix:
            for key in self._single_keys:
                if len(key) > n and key.startswith(s):
                    put(("s", key), PREFIX)
                elif n >= 5 and len(key) >= 4 and len(key) >= 0.6 * n and s.startswith(key) and key != s:
                    put(("s", key), REVERSE_PREFIX)
        if n >= 4 or len(raw) >= 6:  # a long word with a short stem: "tunning" -> "tun", not "tune"
            cutoff = 85 if n <= 4 else 80
            for key, ratio, _ in process.extract(s, self._single_keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
                put(("s", key), FUZZY_MAX * ratio / 100)
        if n >= 6 or (typing and n >= 4):
            # a typo in the first letters of a longer word: compare with the word cut to length
            for cut in (n, n + 1):
                truncated = self._truncated.get(cut)
                if truncated is None:
                    break
                for _, ratio, idx in process.extract(s, truncated, scorer=fuzz.ratio, score_cutoff=85, limit=None):
                    key = self._single_keys[idx]
                    if len(key) > n:
                        put(("s", key), PREFIX_FUZZY_MAX * ratio / 100)
        if len(raw) >= 6:
            if raw in self._joined:
                put(("j", raw), EXACT)
            for key, ratio, _ in process.extract(raw, self._joined_keys, scorer=fuzz.ratio, score_cutoff=90, limit=None):
                put(("j", key), FUZZY_MAX * ratio / 100)
            if typing:
                for key in self._joined_keys:
                    if len(key) > len(raw) and key.startswith(raw):
                        put(("j", key), PREFIX)
        return out


def _blend(guide: dict[int, float], evidence: dict[int, float]) -> dict[int, float]:
    """The question bank's evidence fills the part of the score the guide leaves unexplained.

    An exact title, alias or SDK name (guide score near 100) keeps its place whatever the bank
    says; a plain question the guide barely matches is ranked mostly by the bank.
    """
    out = dict(guide)
    for k, e in evidence.items():
        g = out.get(k, 0.0)
        out[k] = g + (100.0 - min(g, 100.0)) * e
    return out


def _evidence(objectives: Sequence[Objective], questions: Sequence[Question]) -> list[list[str]]:
    """One document per objective: its title, section title, questions' stems, explanations, links
    and code, and its description's words, less those the title and aliases already score (not
    counted twice: "pricing tier" is an alias of 1.6.1, so its description's "pricing" would let
    "house price" in).

    The options, even the keys, are left out: they are short look-alike names chosen to be confused
    with a neighbouring objective's, and the explanation already says in words why the key is right
    (measured: PLAIN 66 -> 68 of 79 first)."""
    index = {o.id: i for i, o in enumerate(objectives)}
    texts: list[list[str]] = [[o.title, o.section.title] for o in objectives]
    for q in questions:
        i = index.get(q.objective_id)
        if i is None:
            continue
        texts[i] += [q.stem, q.explanation]
        texts[i] += [t for t in (q.see, q.code) if t]
    documents = [[s for t in text for s in _document_stems(t)] for text in texts]
    for document, o in zip(documents, objectives, strict=True):
        guide = {s for t in (o.title, *o.aliases) for s in _document_stems(t)}
        document += [s for s in _document_stems(o.description) if s not in guide]
    return documents


def _document_stems(text: str) -> list[str]:
    """Stems of a text's words, and each camelCase name also joined as a learner types it
    ("HyperDriveConfig" -> hyperdriveconfig, hyperdrive, driveconfig), as a query of one word keeps it."""
    out = [stem(w) for w in words(text)]
    for name in _CAMEL_NAME.findall(text):
        parts = [p.lower() for p in _CAMEL.split(name)]
        out += [stem("".join(parts[a:b])) for a in range(len(parts)) for b in range(a + 2, len(parts) + 1)]
    return out
