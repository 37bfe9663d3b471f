"""Objective search over the real DP-100 pack: typos, synonyms, SDK class names, plain questions, nonsense."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.content.pack import load_pack
from bot.content.search import MIN_SCORE, Match, ObjectiveSearch, stem, words
from tests.helpers import ctx
from tests.search_cases import (
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

PACK = Path(__file__).resolve().parent.parent / "content" / "dp100"


@pytest.fixture(scope="module")
def pack():
    return load_pack(PACK)


@pytest.fixture(scope="module")
def objectives(pack):
    return pack.objectives


@pytest.fixture(scope="module")
def search(pack):
    """Search over the real guide, aliases and question bank, as the bot builds it."""
    return ObjectiveSearch(pack.objectives, pack.questions, pack.plain_words)


def ids(matches: list[Match]) -> list[str]:
    return [m.objective.id for m in matches]


@pytest.mark.parametrize(("query", "expected", "top"), QUERIES)
def test_query_finds_objective(search, query, expected, top):
    found = ids(search.search(query))
    assert expected in found[:top], f"{query!r}: expected {expected} in top {top}, got {found}"


@pytest.mark.parametrize("query", NONSENSE)
def test_nonsense_finds_nothing(search, query):
    assert search.search(query) == []


@pytest.mark.parametrize("query", NEAR_NONSENSE)
def test_off_topic_query_sharing_guide_words_finds_nothing(search, query):
    assert search.search(query) == [], query


def hit_rates(search: ObjectiveSearch, cases: list[tuple[str, tuple[str, ...]]]) -> tuple[float, float]:
    """Share of cases whose first result is accepted, and whose three shown results hold one."""
    first = shown = 0
    for query, expected in cases:
        found = ids(search.search(query, limit=3))
        first += bool(found) and accepted(found[0], expected)
        shown += any(accepted(f, expected) for f in found)
    return first / len(cases), shown / len(cases)


def test_plain_questions_find_their_objective(search):
    # PLAIN: 76/79 first and 79/79 shown since 'see', 'give' and 'keep' are stop words; 74/79, 79/79 since
    # descriptions tell siblings apart (a guide field, rewritten);
    # 71/79, 78/79 since the options left out of the evidence and plain-words.yaml as word families; before
    # them 66/79, 75/79; before the Snowball stemmer 60/79, 72/79; the guide alone 19%/24%.
    # PLAIN_HELDOUT: floors 27/32, 29/32 as set before (26/32, 29/32, then 22/32, 29/32, then 44%/50% earlier);
    # the held-out sets are not looked at while tuning
    first, shown = hit_rates(search, PLAIN)
    assert first >= 76 / 79 and shown >= 79 / 79, (first, shown)
    first, shown = hit_rates(search, PLAIN_HELDOUT)
    assert first >= 27 / 32 and shown >= 29 / 32, (first, shown)
    # 65/78 first on its first run (the search before the options left the evidence), 63/78 after
    # that and the word families, 66/78 and 75/78 shown after the word families it prompted, 72/78 and
    # 78/78 after the sibling descriptions
    first, shown = hit_rates(search, PLAIN_EACH)
    assert first >= 72 / 78 and shown >= 78 / 78, (first, shown)
    # written before its first run: 133/156 first and 152/156 shown then, 141/156 and 155/156 after the
    # sibling descriptions it was written to measure, 145/156 and 155/156 after the alias audit and the light verbs
    first, shown = hit_rates(search, PLAIN_SIBLINGS)
    assert first >= 145 / 156 and shown >= 155 / 156, (first, shown)
    # written before its first run, after the alias audit: 45/48 and 48/48 then, unchanged by the light verbs
    first, shown = hit_rates(search, PLAIN_FRESH)
    assert first >= 45 / 48 and shown >= 48 / 48, (first, shown)


@pytest.mark.parametrize(("query", "expected"), [
    ("input distribution shifted since deployment", ("3.3.3",)),
    ("score millions of images offline overnight", ("3.4.4", "3.4.1")),
    ("Describe privacy considerations for data", ("4.3",)),
    ("Manage models in Azure Machine Learning", ("3.3",)),
    ("Set up an Azure Machine Learning development environment", ("1.5",)),
    ("run sql and python cells in the same databricks notebook", ("1.6.3",)),
])
def test_issue_examples_and_section_titles(search, query, expected):
    found = ids(search.search(query))
    assert found and accepted(found[0], expected), (query, found)


def test_query_sets_test_what_they_claim(pack):
    """PLAIN is new wording and NEAR_NONSENSE really overlaps the guide, so the cutoff is what stops it."""
    known = {q.lower() for q, _, _ in QUERIES} | {a.lower() for o in pack.objectives for a in o.aliases}
    ids_ = {o.id for o in pack.objectives} | {s.id for s in pack.sections}
    for query, expected in PLAIN + PLAIN_EACH + PLAIN_SIBLINGS + PLAIN_FRESH + PLAIN_HELDOUT:
        assert query.lower() not in known, query
        assert set(expected) <= ids_, query
    assert sorted(e for _, (e,) in PLAIN_EACH) == sorted(o.id for o in pack.objectives)  # one each
    text = [o.title for o in pack.objectives] + [a for o in pack.objectives for a in o.aliases]
    text += [s.title for s in pack.sections] + [q.stem + " " + q.explanation for q in pack.questions]
    vocabulary = {stem(w) for t in text for w in words(t)}
    for query in NEAR_NONSENSE:
        assert {stem(w) for w in words(query)} & vocabulary, f"{query!r} shares no word with the guide"


def test_key_vault_is_the_only_sensible_answer(search):
    assert search.search("key vault")[0].objective.title == "Manage credentials with Azure Key Vault"


def test_bandit_policy_is_early_termination(search):
    assert search.search("bandit policy")[0].objective.title == "Define early termination options"


def test_hyperparm_finds_only_hyperparameter_objectives(search):
    found = ids(search.search("hyperparm"))
    assert found and all(i.startswith("2.5.") for i in found)


def test_kubernetes_typo_finds_deploy_objectives(search):
    found = ids(search.search("kubernets deploy"))
    # 3.5.1 is the designer's AKS inference cluster: the question bank is about deploying to it
    assert found and all(i.startswith(("3.1.", "3.2.")) or i == "3.5.1" for i in found)


def test_results_are_sorted_scored_and_limited(search):
    for query, _, _ in QUERIES:
        matches = search.search(query, limit=3)
        assert len(matches) <= 3
        scores = [m.score for m in matches]
        assert scores == sorted(scores, reverse=True)
        assert all(0 < s <= 100 for s in scores)
    assert search.search("bandit policy", limit=0) == []


def test_title_beats_section_and_alias_beats_fuzzy(search):
    # "Monitor data drift" has both words in its title; objectives that only mention "data"
    # in a section or domain title rank below it
    assert ids(search.search("data drift"))[0] == "3.3.3"
    # exact alias beats a typo of the same word
    exact = search.search("bandit policy")[0].score
    typo = search.search("bandit polcy")[0].score
    assert exact > typo


def test_objective_id_query(search):
    assert ids(search.search("2.5.4")) == ["2.5.4"]
    assert ids(search.search("2.5")) == ["2.5.1", "2.5.2", "2.5.3", "2.5.4", "2.5.5"]
    assert search.search("9.9.9") == []


def test_suggest_hyperparm(search):
    found = [o.id for o in search.suggest("hyperparm")]
    assert {"2.5.5", "2.5.2"} <= set(found)
    assert found[0].startswith("2.5.")


def test_suggest_partial_words(search):
    assert search.suggest("band")[0].id == "2.5.4"
    assert search.suggest("paral")[0].id == "3.4.1"
    assert search.suggest("key v")[0].id == "1.4.4"
    assert search.suggest("compute inst")[0].id == "1.5.1"


def test_suggest_empty_is_guide_order(search, objectives):
    assert search.suggest("") == list(objectives[:25])
    assert search.suggest("   ", limit=3) == list(objectives[:3])


def test_suggest_respects_limit(search):
    for text in ["", "h", "de", "deploy", "model", "pipeline", "azure machine learning"]:
        for limit in (1, 5, 25):
            assert len(search.suggest(text, limit=limit)) <= limit
    assert search.suggest("deploy", limit=0) == []


def test_suggest_nonsense_is_empty(search):
    assert search.suggest("asdfgh") == []
    assert search.suggest("pizza") == []


@pytest.mark.parametrize(("query", "expected", "title"), [
    # found through plain-words.yaml ("shifted", "distribution" -> drift)
    ("input distribution shifted since deployment", "3.3.3", "Monitor data drift"),
    # found through the question bank's text about designer modules
    ("add my own pandas code in the designer", "2.1.4", "Use custom code modules in designer"),
])
async def test_plain_question_lookup_shows_the_guide_title_and_link(service, pack, query, expected, title):
    [reply] = await service.handle_text(ctx("ann"), f"objective {query}")
    objective = pack.objective_by_id[expected]
    assert reply.cards[0].title == objective.title == title
    assert reply.cards[0].url == objective.url
    assert [link.url for link in reply.cards[0].links] == [objective.url]
    assert reply.cards[0].body == objective.description  # what the objective is about, under its title


@pytest.mark.parametrize(("query", "expected"), [
    # written from the descriptions' wording (not test queries): the bank never says these things
    ("pay nothing while the cluster sits idle", "1.3.2"),
    ("a personal cloud machine for writing notebooks", "1.5.1"),
    ("turn notebook cells into functions with arguments", "3.7.3"),
])
def test_descriptions_are_evidence_for_their_objective(pack, search, query, expected):
    assert ids(search.search(query))[:1] == [expected]
    undescribed = ObjectiveSearch([replace(o, description="") for o in pack.objectives], pack.questions,
                                  pack.plain_words)
    assert ids(undescribed.search(query))[:1] != [expected]  # so the description is what finds it


def test_questions_code_is_evidence_for_their_objective(pack, search):
    """An SDK parameter that only a question's code uses still finds the objective."""
    # (autoscale_min_replicas was the example until 3.2.1's description, now scored as guide text, said "autoscaling")
    assert ids(search.search("max_total_runs"))[:1] == ["2.5.3"]
    uncoded = ObjectiveSearch(pack.objectives, [replace(q, code=None) for q in pack.questions], pack.plain_words)
    assert ids(uncoded.search("max_total_runs"))[:1] != ["2.5.3"]


def test_https_keeps_its_s(search):
    """The crude stemmer read "https" as "http", so any web-service objective beat the security one."""
    assert ids(search.search("https"))[:1] == ["3.1.1"]


def test_a_query_of_exam_words_only_is_trusted_on_less_evidence(search):
    """Every word of this plain question is one the exam uses, so it is answered below MIN_SCORE."""
    found = search.search("look around my workspace in the browser")
    assert ids(found)[:1] == ["1.1.3"] and found[0].score < MIN_SCORE


def test_aliases_file_covers_every_objective(objectives):
    data = yaml.safe_load((PACK / "aliases.yaml").read_text(encoding="utf-8"))
    assert set(data) == {o.id for o in objectives}
    for objective in objectives:
        assert 3 <= len(objective.aliases) <= 10, objective.id
        assert len(set(objective.aliases)) == len(objective.aliases), objective.id

