"""Relevance ranking of market-place listings for a text query, in pure Python.

Portable across databases: the caller loads the event's listings (already narrowed by
the SQL filters) and ranks them here. Every query word must match (AND); a word matches
a field exactly or as the start of a longer word ('repair' finds 'repairability');
a match in the title counts more than one in the organisation, strategies or text.
Words are compared lower-case and without accents on both sides ('eclairage' finds
'Éclairage'); the caller puts the names of built-in product groups and strategies in
all three languages into their fields (`services.build_market_index`).
`SearchIndex.rank_words` also takes each query word's synonyms and typo corrections
(`query.expand`); a query without any word is matched literally (`SearchIndex.literal`).
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Collection, Hashable, Iterable, Sequence

from .query import QueryWord
from .synonyms import ENDINGS
from .text import fold, query_tokens, tokens

FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0, "organisation": 2.0, "person": 2.0, "strategies": 1.5, "group": 1.0,
    "text": 1.0,
}
LITERAL_FIELDS = ("title", "organisation", "person", "text")
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
        self._folded: dict[int, str] = {}

    def frequency(self) -> dict[str, int]:
        """Every word of the index -> the number of documents that contain it."""
        found: dict[str, set[int]] = {}
        for postings in self._postings.values():
            for word, positions in postings.items():
                found.setdefault(word, set()).update(positions)
        return {word: len(positions) for word, positions in found.items()}

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

    def _whole_word_scores(self, word: str) -> dict[int, float]:
        """Like `_word_scores` for the word and its inflections only, not any longer word."""
        found: dict[int, list[float]] = {}
        forms = (word, *(word + ending for ending in ENDINGS))
        for name, weight in FIELD_WEIGHTS.items():
            postings = self._postings[name]
            matched: set[int] = set()
            for form in forms:
                matched.update(postings.get(form, ()))
            for position in matched:
                found.setdefault(position, []).append(weight)
        return {position: max(weights) + 0.1 * (len(weights) - 1)
                for position, weights in found.items()}

    def _query_word_scores(self, word: QueryWord) -> dict[int, float]:
        """Each document's best score over the ways `word` is looked up."""
        best: dict[int, float] = {}
        for term in word.terms:
            scores = (self._word_scores(term.word) if term.prefix
                      else self._whole_word_scores(term.word))
            for position, s in scores.items():
                s *= term.weight
                if s > best.get(position, 0.0):
                    best[position] = s
        return best

    def rank_words(self, words: Sequence[QueryWord],
                   keys: Collection[Hashable] | None = None) -> list[Document]:
        """Documents matching every query word by one of its terms, best first."""
        return self._matching_all(map(self._query_word_scores, words), keys)

    def literal(self, needle: str, keys: Collection[Hashable] | None = None) -> list[Document]:
        """Documents whose text contains `needle` (folded) as it is: '%' is a per cent sign
        here, not a wildcard. In index order."""
        found = []
        for position, doc in enumerate(self.docs):
            if keys is not None and doc.key not in keys:
                continue
            text = self._folded.get(position)
            if text is None:
                text = self._folded[position] = fold(
                    "\n".join(doc.fields.get(name, "") for name in LITERAL_FIELDS))
            if needle in text:
                found.append(doc)
        return found

    def rank(self, query: str, keys: Collection[Hashable] | None = None) -> list[Document]:
        """Like `rank(query, docs)` over the documents whose key is in `keys` (all if None)."""
        return self._matching_all(map(self._word_scores, query_tokens(query)), keys)

    def _matching_all(self, word_scores: Iterable[dict[int, float]],
                      keys: Collection[Hashable] | None) -> list[Document]:
        """The documents every word scored, by their summed score; all documents (in index
        order) when there are no words."""
        totals: dict[int, float] | None = None
        for scores in word_scores:
            if totals is None:
                totals = {position: s for position, s in scores.items()
                          if keys is None or self.docs[position].key in keys}
            else:
                totals = {position: total + scores[position]
                          for position, total in totals.items() if position in scores}
            if not totals:
                return []
        if totals is None:
            return [doc for doc in self.docs if keys is None or doc.key in keys]
        return [self.docs[position] for position, _ in
                sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
