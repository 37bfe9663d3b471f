"""The blind4 lookup set keeps its shape: real ids, full coverage, enough questions, no duplicates.

Shape only; how well the search does on the set is measured elsewhere.
"""

from __future__ import annotations

import pytest

from bot.content.pack import load_pack
from tests.search_blind4 import BLIND4, BLIND4_OFF_TOPIC


@pytest.fixture(scope="module")
def objective_ids(content_path) -> set[str]:
    return {o.id for o in load_pack(content_path).objectives}


def test_every_accepted_id_is_an_objective(objective_ids):
    unknown = [(q, ids) for q, ids in BLIND4 if not ids or not set(ids) <= objective_ids]
    assert unknown == []


def test_every_objective_is_someones_first_answer(objective_ids):
    assert objective_ids - {ids[0] for _, ids in BLIND4} == set()


def test_set_sizes():
    assert len(BLIND4) >= 100
    assert len(BLIND4_OFF_TOPIC) == 20


def test_no_duplicates():
    questions = [q.casefold().strip() for q, _ in BLIND4] + [q.casefold().strip() for q in BLIND4_OFF_TOPIC]
    assert len(questions) == len(set(questions))
    assert all(len(ids) == len(set(ids)) for _, ids in BLIND4)
