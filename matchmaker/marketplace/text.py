"""Words from listings: tokenising and TF-IDF vectors, in pure Python (no Flask, no SQL)."""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Hashable, Iterable, Mapping

_WORD = re.compile(r"[a-z0-9]+")

# Function words of English, Dutch and French that carry no meaning for matching.
STOPWORDS = frozenset("""
a an and are as at be but by for from has have in into is it its of on or our that the their
them they this to was we were will with you your not no all any can more than also per via
de het een en van voor met op te in is zijn wij ons onze die dat of aan als bij om tot
le la les un une des du et en pour avec sur dans au aux est nous notre par
""".split())


def fold(text: str) -> str:
    """Lower-case without accents: 'Réemploi' -> 'reemploi'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    return list(_tokens(text or "", keep_stopwords))


@lru_cache(maxsize=32768)
def _tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    """Memoised by the text itself: every page view ranks the same few thousand listings."""
    words = _WORD.findall(fold(text))
    if keep_stopwords:
        return tuple(words)
    return tuple(w for w in words if w not in STOPWORDS)


def query_tokens(query: str) -> list[str]:
    """The distinct words of a search query; stop words only if nothing else is left."""
    words = list(dict.fromkeys(tokens(query)))
    return words or list(dict.fromkeys(tokens(query, keep_stopwords=True)))


Vector = dict[str, float]


def tfidf_vectors(documents: Mapping[Hashable, Iterable[str]]) -> dict[Hashable, Vector]:
    """Unit-length TF-IDF vectors of documents given as token lists.

    Smoothed IDF (log((1 + n) / (1 + df)) + 1) and sublinear term frequency, so that a
    word repeated in one long text does not drown the rest.
    """
    counts = {key: Counter(words) for key, words in documents.items()}
    n = len(counts)
    df: Counter[str] = Counter()
    for counter in counts.values():
        df.update(counter.keys())
    idf = {word: math.log((1 + n) / (1 + d)) + 1.0 for word, d in df.items()}
    vectors: dict[Hashable, Vector] = {}
    for key, counter in counts.items():
        vector = {w: (1.0 + math.log(c)) * idf[w] for w, c in counter.items()}
        norm = math.sqrt(sum(v * v for v in vector.values()))
        vectors[key] = {w: v / norm for w, v in vector.items()} if norm else {}
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def top_shared_terms(a: Vector, b: Vector, k: int = 3) -> list[str]:
    shared = [(a[w] * b[w], w) for w in a.keys() & b.keys()]
    return [w for _, w in sorted(shared, key=lambda t: (-t[0], t[1]))[:k]]
