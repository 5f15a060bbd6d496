"""Relevance ranking of market-place listings for a text query, in pure Python.

Portable across databases: the caller loads the event's listings (already narrowed by
the SQL filters) and ranks them here. Every query word must match (AND); a word matches
a field exactly or as the start of a longer word ('repair' finds 'repairability');
a match in the title counts more than one in the organisation, strategies or text.
Words are compared lower-case and without accents on both sides ('eclairage' finds
'Éclairage'); the caller puts the names of built-in product groups and strategies in
all three languages into their fields (`services.build_market_index`).
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Collection, Hashable, Sequence

from .text import query_tokens, tokens

FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0, "organisation": 2.0, "strategies": 1.5, "group": 1.0, "text": 1.0,
}
PREFIX_FACTOR = 0.6
MIN_PREFIX = 2


@dataclass
class Document:
    key: Hashable
    fields: dict[str, str]
    _words: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def words(self, name: str) -> frozenset[str]:
        if name not in self._words:
            self._words[name] = frozenset(tokens(self.fields.get(name, ""),
                                                 keep_stopwords=True))
        return self._words[name]


def _word_score(word: str, doc: Document) -> float:
    """The best field's weight, plus a little for each further field that matches."""
    found = []
    for name, weight in FIELD_WEIGHTS.items():
        words = doc.words(name)
        if word in words:
            found.append(weight)
        elif len(word) >= MIN_PREFIX and any(w.startswith(word) for w in words):
            found.append(weight * PREFIX_FACTOR)
    if not found:
        return 0.0
    return max(found) + 0.1 * (len(found) - 1)


def score(query: str | Sequence[str], doc: Document) -> float:
    """The relevance of `doc`, 0.0 when some query word is missing from it."""
    words = query_tokens(query) if isinstance(query, str) else list(query)
    total = 0.0
    for word in words:
        s = _word_score(word, doc)
        if s == 0.0:
            return 0.0
        total += s
    return total


def rank(query: str, docs: Sequence[Document]) -> list[Document]:
    """Documents matching every word of `query`, best first; ties keep the given order."""
    words = query_tokens(query)
    if not words:
        return list(docs)
    scored = [(score(words, doc), i, doc) for i, doc in enumerate(docs)]
    return [doc for s, i, doc in sorted((t for t in scored if t[0] > 0),
                                        key=lambda t: (-t[0], t[1]))]


class SearchIndex:
    """Documents prepared once for many queries; ranks exactly as `rank` does.

    Each field keeps its words with the positions of the documents that contain them,
    in a sorted vocabulary, so a query word is looked up (and its prefix matches found
    by bisection) instead of being compared with every word of every document.
    """

    def __init__(self, docs: Sequence[Document]):
        self.docs = list(docs)
        self._postings: dict[str, dict[str, list[int]]] = {name: {} for name in FIELD_WEIGHTS}
        for position, doc in enumerate(self.docs):
            for name in FIELD_WEIGHTS:
                postings = self._postings[name]
                for word in doc.words(name):
                    postings.setdefault(word, []).append(position)
        self._vocabulary = {name: sorted(postings) for name, postings in self._postings.items()}

    def _word_scores(self, word: str) -> dict[int, float]:
        """`_word_score` of `word` for every document that has it (position -> score)."""
        found: dict[int, list[float]] = {}
        for name, weight in FIELD_WEIGHTS.items():
            postings = self._postings[name]
            exact = postings.get(word, ())
            for position in exact:
                found.setdefault(position, []).append(weight)
            if len(word) < MIN_PREFIX:
                continue
            vocabulary = self._vocabulary[name]
            done = set(exact)
            for i in range(bisect_left(vocabulary, word), len(vocabulary)):
                longer = vocabulary[i]
                if not longer.startswith(word):
                    break
                for position in postings[longer]:
                    if position not in done:
                        done.add(position)
                        found.setdefault(position, []).append(weight * PREFIX_FACTOR)
        return {position: max(weights) + 0.1 * (len(weights) - 1)
                for position, weights in found.items()}

    def rank(self, query: str, keys: Collection[Hashable] | None = None) -> list[Document]:
        """Like `rank(query, docs)` over the documents whose key is in `keys` (all if None)."""
        words = query_tokens(query)
        if not words:
            return [doc for doc in self.docs if keys is None or doc.key in keys]
        totals: dict[int, float] | None = None
        for word in words:
            scores = self._word_scores(word)
            if totals is None:
                totals = {position: s for position, s in scores.items()
                          if keys is None or self.docs[position].key in keys}
            else:
                totals = {position: total + scores[position]
                          for position, total in totals.items() if position in scores}
            if not totals:
                return []
        assert totals is not None
        return [self.docs[position] for position, _ in
                sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
