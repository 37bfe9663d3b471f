"""BM25 term weights, checked against values worked out by hand from the Okapi/Lucene formulas."""

from __future__ import annotations

import math

import pytest

from bot.content.evidence import Bm25

# three documents of lengths 3, 1 and 4 (average 8/3); k1 = 1.2, b = 0.75
DOCS = [["drift", "monitor", "drift"], ["monitor"], ["secret", "secret", "secret", "secret"]]


@pytest.fixture
def bm25() -> Bm25:
    return Bm25(DOCS, k1=1.2, b=0.75)


def test_idf_is_lucene_idf(bm25):
    assert bm25.idf("drift") == pytest.approx(math.log(1 + 2.5 / 1.5))  # in 1 of 3 documents
    assert bm25.idf("monitor") == pytest.approx(math.log(1 + 1.5 / 2.5))  # in 2 of 3
    assert bm25.idf("pizza") == bm25.max_idf == pytest.approx(math.log(1 + 3.5 / 0.5))  # in none
    assert "drift" in bm25 and "pizza" not in bm25


def test_saturation_is_tf_over_tf_plus_length_norm(bm25):
    long_norm = 1.2 * (0.25 + 0.75 * 3 / (8 / 3))  # document 0: three words
    short_norm = 1.2 * (0.25 + 0.75 * 1 / (8 / 3))  # document 1: one word
    assert bm25.saturation("drift") == pytest.approx({0: 2 / (2 + long_norm)})
    assert bm25.saturation("monitor") == pytest.approx({0: 1 / (1 + long_norm), 1: 1 / (1 + short_norm)})
    assert bm25.saturation("pizza") == {}


def test_repeats_saturate_and_short_documents_weigh_more(bm25):
    once, short = bm25.saturation("monitor")[0], bm25.saturation("monitor")[1]
    assert short > once  # the same single mention counts more in a shorter document
    assert 0 < bm25.saturation("secret")[2] < 1  # four mentions approach 1, never reach it


def test_empty_corpus_is_harmless():
    empty = Bm25([])
    assert empty.saturation("drift") == {} and empty.idf("drift") == empty.max_idf
