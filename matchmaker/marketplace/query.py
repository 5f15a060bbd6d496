"""What a typed search query means: its words, their synonyms, and corrections of typos.

Pure Python (no Flask, no SQL). A query word is searched as itself (and as the start of
longer words), as the words of the same meaning in the other languages (`synonyms`),
and, when the index has no word starting with it, as the index words closest to it in
spelling, found by RapidFuzz's optimal-string-alignment distance (a swap of two letters
counts as one edit). "Did you mean" proposes a query that does find something.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .synonyms import synonym_table, synonyms
from .text import fold, query_tokens

SYNONYM_WEIGHT = 0.9
CORRECTION_WEIGHT = 0.7
MAX_WORDS = 12  # words of one query; a pasted paragraph finds nothing anyway
CORRECTIONS_PER_WORD = 3


@dataclass(frozen=True)
class Term:
    """One way a query word is looked up in the index."""

    word: str
    weight: float
    prefix: bool  # True: also the start of longer words; False: the word or its plurals


@dataclass(frozen=True)
class QueryWord:
    typed: str
    terms: tuple[Term, ...]
    correction: str | None = None  # the index word searched instead of a typo


def max_edits(word: str) -> int:
    """Edits tolerated in a word of this length: none below 4 letters, one up to 7, then two.

    Stricter than the 'AUTO' fuzziness of Lucene-based engines (two edits from 6 letters):
    with two, 'unicorn' found 'uniform'."""
    if len(word) < 4 or any(c.isdigit() for c in word):
        return 0
    return 1 if len(word) <= 7 else 2


class Lexicon:
    """The words an event's index contains (with how many documents have each), plus the
    synonym vocabulary, ready for prefix look-ups and near-spelling search."""

    def __init__(self, frequency: Mapping[str, int]):
        self.frequency = dict(frequency)
        self._sorted = sorted(self.frequency)
        self._by_length: dict[int, list[str]] = {}
        for word in sorted(set(self.frequency) | set(synonym_table())):
            self._by_length.setdefault(len(word), []).append(word)

    def has_prefix(self, word: str) -> bool:
        i = bisect_left(self._sorted, word)
        return i < len(self._sorted) and self._sorted[i].startswith(word)

    def known(self, word: str) -> bool:
        return self.has_prefix(word) or word in synonym_table() or bool(synonyms(word))

    def close(self, word: str, *, exclude: Iterable[str] = ()) -> list[str]:
        """Words within `max_edits(word)` of `word`, nearest and most frequent first."""
        edits = max_edits(word)
        if not edits:
            return []
        skip = {word, *exclude}
        candidates = [c for length in range(len(word) - edits, len(word) + edits + 1)
                      for c in self._by_length.get(length, ())]  # n edits change length by <= n
        found = process.extract(word, candidates, scorer=OSA.distance,
                                score_cutoff=edits, limit=None)
        ranked = sorted(((distance, -self.frequency.get(candidate, 0), candidate)
                         for candidate, distance, _ in found if candidate not in skip))
        return [candidate for _, _, candidate in ranked]


def _terms(word: str, weight: float, *, prefix: bool) -> list[Term]:
    terms = [Term(word, weight, prefix)]
    terms += [Term(other, weight * SYNONYM_WEIGHT, False) for other in sorted(synonyms(word))]
    return terms


def _dedupe(terms: list[Term]) -> tuple[Term, ...]:
    best: dict[str, Term] = {}
    for term in terms:
        known = best.get(term.word)
        if known is None or (term.weight, term.prefix) > (known.weight, known.prefix):
            best[term.word] = term
    return tuple(best.values())


def expand(query: str, lexicon: Lexicon) -> list[QueryWord]:
    """The query's words (at most `MAX_WORDS`), each with the terms to look it up by."""
    words = []
    for word in query_tokens(query)[:MAX_WORDS]:
        terms = _terms(word, 1.0, prefix=True)
        correction = None
        if not lexicon.known(word):
            close = lexicon.close(word)[:CORRECTIONS_PER_WORD]
            for candidate in close:
                terms += _terms(candidate, CORRECTION_WEIGHT, prefix=False)
            correction = close[0] if close else None
        words.append(QueryWord(word, _dedupe(terms), correction))
    return words


def corrected_query(words: list[QueryWord]) -> str:
    """The query as searched: each typo replaced by its correction."""
    return " ".join(w.correction or w.typed for w in words)


def did_you_mean(words: list[QueryWord], lexicon: Lexicon,
                 finds: Callable[[str], bool]) -> str | None:
    """A query like the typed one that `finds` something, or None.

    First each word replaced by its nearest index word (known words too: a real word in
    the wrong place, "chain" for "chair"); then the query without one of its words.
    """
    if not words:
        return None
    typed = [w.typed for w in words]
    respelled = []
    for word in typed:
        close = lexicon.close(word)
        respelled.append(close[0] if close else word)
    if respelled != typed and finds(" ".join(respelled)):
        return " ".join(respelled)
    for i, word in enumerate(typed):
        if respelled[i] != word:
            attempt = typed[:i] + [respelled[i]] + typed[i + 1:]
            if finds(" ".join(attempt)):
                return " ".join(attempt)
    if len(typed) > 1:
        for i in sorted(range(len(typed)), key=lambda i: len(typed[i])):
            attempt = typed[:i] + typed[i + 1:]
            if finds(" ".join(attempt)):
                return " ".join(attempt)
    return None


def literal_needle(query: str) -> str | None:
    """For a query with no word in it ('%', '_', '"'), the folded text to find literally."""
    if query_tokens(query):
        return None
    needle = fold(" ".join(query.split()))
    return needle or None
