"""'People you should meet': scoring other participants for one participant.

Pure functions over plain dataclasses (no Flask, no SQL), so the rules are easy to test
and to tune. A candidate scores for
- product groups both work on (1 point each),
- circular strategies one side asks for (its queries) and the other offers (its
  offers), either way: 3 points in the same product group, 1 point across groups,
- similar wording of their listings: TF-IDF cosine similarity times 3 (never more
  than one strategy match in the same group).
Each part comes with a reason in words; the strongest reasons are kept. A reason reads
in English and keeps its message and values, so that the web layer can say it in the
reader's language (`marketplace.reasons`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .text import Vector, cosine, tfidf_vectors, tokens, top_shared_terms

GROUP_POINTS = 1.0
SAME_GROUP_STRATEGY_POINTS = 3.0
OTHER_GROUP_STRATEGY_POINTS = 1.0
TEXT_POINTS = 3.0
MIN_TEXT_SIMILARITY = 0.12
MAX_REASONS = 3

# Whom each role is offered: buyers meet the offer side, suppliers meet buyers,
# facilitators meet both.
TARGET_ROLES: dict[str, frozenset[str]] = {
    "buyer": frozenset({"supplier", "facilitator"}),
    "supplier": frozenset({"buyer"}),
    "facilitator": frozenset({"buyer", "supplier"}),
}


def N_(message: str) -> str:
    """Marks a reason's message for the translation catalogues; it is translated on display."""
    return message


class Reason(str):
    """A reason in English words, with the message and values it was made from."""

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, **values: object) -> "Reason":
        reason = super().__new__(cls, message % {k: _english(v) for k, v in values.items()})
        reason.message, reason.values = message, values
        return reason


def _english(value: object) -> str:
    if isinstance(value, Strategy):
        return value.label
    if isinstance(value, (list, tuple)):
        return _join(list(value))
    return str(value)


@dataclass(frozen=True)
class Strategy:
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class ListingInfo:
    kind: str  # "offer" or "query"
    group: str  # product group name
    strategies: tuple[Strategy, ...] = ()
    text: str = ""  # title and description


@dataclass(frozen=True)
class Person:
    id: int
    role: str
    organisation_id: int | None = None
    groups: frozenset[str] = frozenset()
    listings: tuple[ListingInfo, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    score: float
    reasons: tuple[Reason, ...]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _strategy_matches(asker: Person, offerer: Person, *, asker_is_me: bool
                      ) -> list[tuple[float, Reason]]:
    """Points and reasons for strategies `asker` queries and `offerer` offers."""
    found: dict[tuple[str, str], tuple[float, Reason]] = {}
    offered = [(li.group, s) for li in offerer.listings if li.kind == "offer" for s in li.strategies]
    for query in (li for li in asker.listings if li.kind == "query"):
        for strategy in query.strategies:
            for group, other in offered:
                if other.code != strategy.code:
                    continue
                same = group == query.group
                points = SAME_GROUP_STRATEGY_POINTS if same else OTHER_GROUP_STRATEGY_POINTS
                if asker_is_me:
                    reason = (Reason(N_("you ask for %(strategy)s in %(group)s; they offer it"),
                                     strategy=strategy, group=query.group)
                              if same else
                              Reason(N_("you ask for %(strategy)s; they offer it in %(group)s"),
                                     strategy=strategy, group=group))
                else:
                    reason = (Reason(N_("they ask for %(strategy)s in %(group)s; you offer it"),
                                     strategy=strategy, group=query.group)
                              if same else
                              Reason(N_("they ask for %(strategy)s; you offer it in %(group)s"),
                                     strategy=strategy, group=group))
                key = (strategy.code, query.group)
                if key not in found or found[key][0] < points:
                    found[key] = (points, reason)
    return list(found.values())


def _text(person: Person) -> list[str]:
    return [w for listing in person.listings for w in tokens(listing.text)]


def score_pair(me: Person, other: Person, *, similarity: float = 0.0,
               shared_terms: Iterable[str] = ()) -> tuple[float, list[Reason]]:
    """The score of `other` for `me` and the reasons, strongest first."""
    parts: list[tuple[float, Reason]] = []
    shared = sorted(me.groups & other.groups)
    if shared:
        parts.append((GROUP_POINTS * len(shared),
                      Reason(N_("you both work on %(groups)s"), groups=shared)))
    parts += _strategy_matches(me, other, asker_is_me=True)
    parts += _strategy_matches(other, me, asker_is_me=False)
    if similarity >= MIN_TEXT_SIMILARITY:
        terms = [f"“{t}”" for t in shared_terms]
        reason = (Reason(N_("your listings and theirs use similar words such as %(terms)s"),
                         terms=terms) if terms else
                  Reason(N_("your listings and theirs use similar words")))
        parts.append((TEXT_POINTS * similarity, reason))
    parts.sort(key=lambda p: -p[0])
    return sum(p for p, _ in parts), [r for _, r in parts]


def suggest(me: Person, others: Iterable[Person], *, exclude: Iterable[int] = (),
            limit: int | None = None) -> list[Suggestion]:
    """Participants `me` should meet, best first.

    Leaves out `me`, anyone in `exclude` (already requested, met or declined), people of
    `me`'s own organisation, roles `me` does not meet, and anyone with nothing in common.
    Word rarity (TF-IDF) is measured over `me` and all of `others`.
    """
    people = {p.id: p for p in others}
    people[me.id] = me
    return SuggestionIndex(people.values()).suggest(me.id, exclude=exclude, limit=limit)


class SuggestionIndex:
    """Everyone of an event prepared once for scoring many participants' suggestions.

    Keeps each person's TF-IDF vector (word rarity over all of them) and who shares each
    word, product group and strategy, so that only people with something in common with
    `me` are scored, instead of every participant of the event.
    """

    def __init__(self, people: Iterable[Person]):
        self.people = {p.id: p for p in people}
        self.vectors = tfidf_vectors({pid: _text(p) for pid, p in self.people.items()})
        self._by_word: dict[str, list[tuple[int, float]]] = {}
        for pid, vector in self.vectors.items():
            for word, weight in vector.items():
                self._by_word.setdefault(word, []).append((pid, weight))
        self._by_group: dict[str, list[int]] = {}
        self._offering: dict[str, list[int]] = {}  # strategy code -> people offering it
        self._asking: dict[str, list[int]] = {}  # strategy code -> people asking for it
        # Per person, for scoring without words: the (strategy, group) pairs of their
        # queries, and the groups in which they offer each strategy.
        self._asks: dict[int, frozenset[tuple[str, str]]] = {}
        self._offers: dict[int, dict[str, set[str]]] = {}
        self._similar_to: dict[int, frozenset[int]] = {}
        for pid, person in self.people.items():
            for group in person.groups:
                self._by_group.setdefault(group, []).append(pid)
            for kind, index in (("offer", self._offering), ("query", self._asking)):
                codes = {s.code for li in person.listings if li.kind == kind for s in li.strategies}
                for code in codes:
                    index.setdefault(code, []).append(pid)
            self._asks[pid] = frozenset((s.code, li.group) for li in person.listings
                                        if li.kind == "query" for s in li.strategies)
            offers: dict[str, set[str]] = {}
            for li in person.listings:
                if li.kind == "offer":
                    for s in li.strategies:
                        offers.setdefault(s.code, set()).add(li.group)
            self._offers[pid] = offers

    def _similarities(self, mine: Vector) -> dict[int, float]:
        totals: dict[int, float] = {}
        for word, weight in mine.items():
            for pid, theirs in self._by_word.get(word, ()):
                totals[pid] = totals.get(pid, 0.0) + weight * theirs
        return totals

    def _similar(self, me_id: int) -> frozenset[int]:
        """Who writes like `me_id` (the index never changes: kept once found).

        Taken a hair below the threshold: the exact cosine decides, summed in its order.
        """
        found = self._similar_to.get(me_id)
        if found is None:
            mine = self.vectors[me_id]
            found = frozenset(pid for pid, s in self._similarities(mine).items()
                              if s >= MIN_TEXT_SIMILARITY - 1e-9) if mine else frozenset()
            self._similar_to[me_id] = found
        return found

    def _strategy_points(self, asker: int, offerer: int) -> list[float]:
        """The points of `_strategy_matches(asker, offerer)`, without the reasons."""
        offered = self._offers[offerer]
        if not offered:
            return []
        return [SAME_GROUP_STRATEGY_POINTS if group in offered[code]
                else OTHER_GROUP_STRATEGY_POINTS
                for code, group in self._asks[asker] if code in offered]

    def _score(self, me: Person, other: Person, similarity: float) -> float:
        """`score_pair`'s total, summed in its order (largest part first), without
        putting the reasons into words: only the people shown need those."""
        parts = self._strategy_points(me.id, other.id) + self._strategy_points(other.id, me.id)
        shared = len(me.groups & other.groups)
        if shared:
            parts.append(GROUP_POINTS * shared)
        if similarity >= MIN_TEXT_SIMILARITY:
            parts.append(TEXT_POINTS * similarity)
        parts.sort(reverse=True)
        return sum(parts)

    def suggest(self, me_id: int, *, exclude: Iterable[int] = (),
                limit: int | None = None) -> list[Suggestion]:
        """As `suggest` for the person `me_id` of this index against all the others."""
        me = self.people[me_id]
        targets = TARGET_ROLES.get(me.role, frozenset())
        if not targets:
            return []
        excluded = set(exclude) | {me.id}
        mine = self.vectors[me.id]
        similar = self._similar(me.id)
        related = set(similar)
        for group in me.groups:
            related.update(self._by_group.get(group, ()))
        for listing in me.listings:
            index = self._offering if listing.kind == "query" else self._asking
            for strategy in listing.strategies:
                related.update(index.get(strategy.code, ()))
        scored = []
        for pid in related:
            person = self.people[pid]
            if pid in excluded or person.role not in targets or (
                    me.organisation_id is not None
                    and person.organisation_id == me.organisation_id):
                continue
            # below the threshold the wording gives no points: no need to measure it
            similarity = cosine(mine, self.vectors[pid]) if pid in similar else 0.0
            total = self._score(me, person, similarity)
            if total > 0:
                scored.append((round(total, 4), pid, similarity))
        scored.sort(key=lambda t: (-t[0], t[1]))
        results = []
        for score, pid, similarity in scored[:limit] if limit is not None else scored:
            theirs = self.vectors[pid]
            terms = top_shared_terms(mine, theirs, 2) if similarity >= MIN_TEXT_SIMILARITY else []
            _, reasons = score_pair(me, self.people[pid], similarity=similarity,
                                    shared_terms=terms)
            results.append(Suggestion(pid, score, tuple(reasons[:MAX_REASONS])))
        return results
