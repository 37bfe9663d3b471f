"""Okapi BM25 term weights over a handful of documents, precomputed per term.

Objective search has one document per objective (~80), so every weight is computed once at start
and a query costs only dictionary look-ups. The libraries (bm25s, rank-bm25) need numpy for a
formula this size and give a summed score per document, while search needs each term's share on
its own: the saturated term frequency, 0..1, to say how much of a query an objective explains.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

__all__ = ["Bm25"]


class Bm25:
    """BM25 with the Lucene idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``, which never goes negative."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(documents)
        lengths = [len(d) for d in documents]
        average = sum(lengths) / self.size if self.size and sum(lengths) else 1.0
        self._tf: dict[str, dict[int, float]] = {}
        for doc, (terms, length) in enumerate(zip(documents, lengths, strict=True)):
            norm = k1 * (1 - b + b * length / average)
            for term, count in Counter(terms).items():
                self._tf.setdefault(term, {})[doc] = count / (count + norm)
        self._idf = {term: self._idf_for(len(docs)) for term, docs in self._tf.items()}
        self.max_idf = self._idf_for(0)

    def _idf_for(self, df: int) -> float:
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def __contains__(self, term: str) -> bool:
        return term in self._tf

    def idf(self, term: str) -> float:
        """How rare a term is; a term no document has gets ``max_idf``."""
        return self._idf.get(term, self.max_idf)

    def saturation(self, term: str) -> dict[int, float]:
        """document -> tf / (tf + k1 * length norm), in 0..1: how strongly each document has the term."""
        return self._tf.get(term, {})
