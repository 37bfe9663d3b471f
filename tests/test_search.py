"""Objective search over the real DP-100 pack: typos, synonyms, SDK class names, nonsense."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

import pytest
import yaml

from bot.content.pack import load_pack
from bot.content.search import Match, ObjectiveSearch

PACK = Path(__file__).resolve().parent.parent / "content" / "dp100"


def objective_ids() -> list[str]:
    data = yaml.safe_load((PACK / "objectives.yaml").read_text(encoding="utf-8"))
    return [o["id"] for d in data["domains"] for s in d["sections"] for o in s["objectives"]]


def question_file(objective_ids: list[str]) -> str:
    """One minimal valid question per objective, so the pack loads without the real questions."""
    questions = [
        {
            "id": f"{oid}-test",
            "objective": oid,
            "kind": "single",
            "difficulty": 1,
            "stem": f"Placeholder question for objective {oid}?",
            "options": {"a": "Right", "b": "Wrong"},
            "answer": "a",
            "explanation": "Placeholder.",
        }
        for oid in objective_ids
    ]
    return yaml.safe_dump({"review": [{"pass": "written", "by": "test"}], "questions": questions}, sort_keys=False)


@pytest.fixture(scope="module")
def objectives(tmp_path_factory):
    """The real objectives and aliases, loaded through the content loader."""
    root = tmp_path_factory.mktemp("pack")
    shutil.copy(PACK / "objectives.yaml", root / "objectives.yaml")
    shutil.copy(PACK / "aliases.yaml", root / "aliases.yaml")
    (root / "questions").mkdir()
    (root / "questions" / "test.yaml").write_text(question_file(objective_ids()), encoding="utf-8")
    return load_pack(root).objectives


@pytest.fixture(scope="module")
def search(objectives):
    return ObjectiveSearch(objectives)


def ids(matches: list[Match]) -> list[str]:
    return [m.objective.id for m in matches]


# (query, expected objective id, must be within the top k)
QUERIES = [
    # hyperparameter tuning
    ("bandit policy", "2.5.4", 1),
    ("BanditPolicy", "2.5.4", 1),
    ("bandit polcy", "2.5.4", 1),
    ("how do i configure a bandit policy in hyperdrive", "2.5.4", 1),
    ("what is a bandit policy", "2.5.4", 1),
    ("MedianStoppingPolicy", "2.5.4", 1),
    ("truncation selection policy", "2.5.4", 1),
    ("early stopping", "2.5.4", 1),
    ("hyperparm", "2.5.5", 3),
    ("hyperparmeter tunning", "2.5.5", 1),
    ("HyperDriveConfig", "2.5.5", 1),
    ("HYPERDRIVE", "2.5.5", 1),
    ("baysian sampling", "2.5.1", 1),
    ("RandomParameterSampling", "2.5.1", 1),
    ("choice uniform search space", "2.5.2", 1),
    ("hyperdrive primary metric", "2.5.3", 1),
    ("primary metric", "2.4.5", 3),
    # batch inference and pipelines
    ("paralel run step", "3.4.1", 1),
    ("ParallelRunStep", "3.4.1", 1),
    ("parallelrunstep", "3.4.1", 1),
    ("ParallelRunConfig", "3.4.1", 1),
    ("mini batch size", "3.4.1", 1),
    ("outputs from parallel run step", "3.4.5", 1),
    ("batch inference", "3.4.4", 3),
    ("publish pipeline", "3.4.3", 1),
    ("PythonScriptStep", "3.6.1", 1),
    ("PipelineData", "3.6.2", 1),
    ("OutputFileDatasetConfig", "3.6.2", 1),
    ("pass data between steps", "3.6.2", 1),
    ("monitor pipeline runs", "3.6.4", 1),
    ("inference pipeline designer", "3.5.2", 1),
    # deployment and model management
    ("kubernets deploy", "3.2.1", 3),
    ("deploy to kubernetes", "3.2.1", 3),
    ("aks", "3.1.2", 3),
    ("AksWebservice deploy configuration", "3.2.1", 1),
    ("InferenceConfig", "3.2.1", 1),
    ("deplyo model to aks", "3.2.2", 3),
    ("scoring uri", "3.2.4", 1),
    ("troubleshoot deployment", "3.2.5", 1),
    ("ssl", "3.1.1", 1),
    ("Model.register", "3.3.1", 1),
    ("register a model", "3.3.1", 1),
    ("DataDriftDetector", "3.3.3", 1),
    ("monitor data drfit", "3.3.3", 1),
    ("app insights", "3.3.2", 1),
    # MLOps
    ("Azure DevOps", "3.7.1", 1),
    ("automatic retraining on new data", "3.7.2", 1),
    ("refactor notebook into script", "3.7.3", 1),
    ("git", "3.7.4", 1),
    # resources, security, compute
    ("key vault", "1.4.4", 1),
    ("Key Vault please", "1.4.4", 1),
    ("keyvault secrets", "1.4.4", 1),
    ("rbac", "1.4.1", 1),
    ("custom roles", "1.4.2", 1),
    ("compute instance", "1.5.1", 1),
    ("compute instnace", "1.5.1", 1),
    ("share compute instance", "1.5.2", 1),
    ("compute cluster", "1.3.2", 1),
    ("vm size", "1.3.1", 1),
    ("attach databricks compute", "1.3.3", 1),
    ("datastore", "1.2.2", 1),
    ("data store", "1.2.2", 1),
    ("blob storage", "1.2.1", 1),
    ("tabular dataset", "1.2.3", 1),
    ("Workspace.from_config", "1.1.2", 1),
    ("create workspace", "1.1.1", 1),
    ("mlflow tracking uri", "1.5.3", 3),
    ("databricks cluster", "1.6.2", 1),
    ("link databricks to azure ml", "1.6.4", 1),
    # experiments and training
    ("designer", "2.1.1", 3),
    ("execute python script", "2.1.4", 1),
    ("ScriptRunConfig", "2.2.2", 1),
    ("use dataset in experiment", "2.2.3", 1),
    ("log metrics", "2.3.1", 1),
    ("use mlflow to track experiments", "2.3.4", 1),
    ("track experiments in databricks", "2.3.5", 1),
    ("AutoMLConfig", "2.4.2", 1),
    ("featurization", "2.4.3", 1),
    ("blocked models", "2.4.4", 1),
    ("automl best model", "2.4.6", 1),
    # responsible ML
    ("TabularExplainer", "4.1.1", 1),
    ("mimic explainer", "4.1.1", 1),
    ("shap", "4.1.1", 1),
    ("feature importance", "4.1.2", 1),
    ("fairlearn", "4.2.1", 3),
    ("mitigate unfairness", "4.2.2", 1),
    ("smartnoise", "4.3.1", 1),
    ("epsilon", "4.3.2", 1),
]

NONSENSE = [
    "pizza recipe",
    "asdfgh",
    "",
    "   ",
    "the",
    "how",
    "i",
    "to do",
    "banana smoothie",
    "qwerty uiop",
    "lorem ipsum dolor",
    "chocolate cake",
    "weather tomorrow",
    "zzzzzz",
    "!!!",
]


@pytest.mark.parametrize(("query", "expected", "top"), QUERIES)
def test_query_finds_objective(search, query, expected, top):
    found = ids(search.search(query))
    assert expected in found[:top], f"{query!r}: expected {expected} in top {top}, got {found}"


@pytest.mark.parametrize("query", NONSENSE)
def test_nonsense_finds_nothing(search, query):
    assert search.search(query) == []


def test_enough_queries():
    assert len(QUERIES) >= 35
    assert len(NONSENSE) >= 6


def test_key_vault_is_the_only_sensible_answer(search):
    assert search.search("key vault")[0].objective.title == "Manage credentials with Azure Key Vault"


def test_bandit_policy_is_early_termination(search):
    assert search.search("bandit policy")[0].objective.title == "Define early termination options"


def test_hyperparm_finds_only_hyperparameter_objectives(search):
    found = ids(search.search("hyperparm"))
    assert found and all(i.startswith("2.5.") for i in found)


def test_kubernetes_typo_finds_deploy_objectives(search):
    found = ids(search.search("kubernets deploy"))
    assert found and all(i.startswith(("3.1.", "3.2.")) for i in found)


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


def test_aliases_file_covers_every_objective(objectives):
    data = yaml.safe_load((PACK / "aliases.yaml").read_text(encoding="utf-8"))
    assert set(data) == {o.id for o in objectives}
    for objective in objectives:
        assert 3 <= len(objective.aliases) <= 10, objective.id
        assert len(set(objective.aliases)) == len(objective.aliases), objective.id


def test_search_is_fast(search):
    queries = [q for q, _, _ in QUERIES]
    timings = []
    for query in queries:
        start = time.perf_counter()
        for _ in range(20):
            search.search(query)
        timings.append((time.perf_counter() - start) / 20)
    assert statistics.median(timings) < 0.005
