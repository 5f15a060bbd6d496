"""Listings of the market place: create, edit, delete, search; suggestions of whom to meet."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..database import utcnow
from ..domain import DomainError
from ..i18n import group_name_in_all_languages, strategy_name_in_all_languages
from ..meetings.services import OpenRequests, why_not_requestable
from ..models import (CircularStrategy, Event, Listing, ListingKind, MeetingRequest,
                      Organisation, Participation, ProductGroup, Role, User,
                      listing_strategy, participation_product_group)
from . import cache, query, search, suggestions as suggest_module
from .reasons import in_words
from .search import SearchIndex
from .forms import MarketFilters

PAGE_SIZE = 20
PEOPLE_SHOWN = 6
LISTING_KIND_OF_ROLE = {
    Role.BUYER: ListingKind.QUERY,
    Role.SUPPLIER: ListingKind.OFFER,
    Role.FACILITATOR: ListingKind.OFFER,
}
# What each side comes for: suppliers look for buyers' queries, buyers for offers.
COUNTERPART_KIND = {Role.BUYER: ListingKind.OFFER.value, Role.SUPPLIER: ListingKind.QUERY.value}
PEOPLE_ROLES = (Role.BUYER, Role.SUPPLIER, Role.FACILITATOR)


@dataclass(frozen=True)
class ListingData:
    product_group_id: int
    title: str
    text: str
    strategy_ids: list[int]


def default_kind(role: Role) -> str:
    """The market place's kind filter before the reader chooses one ("" for both)."""
    return COUNTERPART_KIND.get(role, "")


def may_request(session: Session, event: Event, me: Participation, person: Participation,
                now: datetime, known: OpenRequests | None = None) -> bool:
    """Whether `me` may ask `person` for a meeting now, by the meetings feature's own rules
    (`known`: `me`'s open requests, read once per page)."""
    return why_not_requestable(session, event, me, person, now, known) is None


def listing_kind_for(role: Role) -> ListingKind | None:
    """Suppliers and facilitators post offers, buyers queries; others post nothing."""
    return LISTING_KIND_OF_ROLE.get(role)


@lru_cache(maxsize=1)
def _strategies_statement():
    return select(CircularStrategy).order_by(CircularStrategy.code)


def all_strategies(session: Session) -> list[CircularStrategy]:
    return list(session.scalars(_strategies_statement()))


def _apply(session: Session, event: Event, listing: Listing, data: ListingData) -> None:
    groups = {g.id: g for g in event.product_groups}
    if data.product_group_id not in groups:
        raise DomainError(_("Choose a product group of this event."), field="product_group")
    title = " ".join(data.title.split())
    if not title:
        raise DomainError(_("Give a short title."), field="title")
    strategies = []
    if data.strategy_ids:
        strategies = list(session.scalars(select(CircularStrategy).where(
            CircularStrategy.id.in_(set(data.strategy_ids))).order_by(CircularStrategy.code)))
        if len(strategies) != len(set(data.strategy_ids)):
            raise DomainError(_("Choose strategies from the list."), field="strategies")
    listing.product_group = groups[data.product_group_id]
    listing.title = title
    listing.text = data.text.strip()
    listing.strategies = strategies
    listing.updated_at = utcnow()  # also when only strategies change: the cache key reads it


def create_listing(session: Session, *, event: Event, owner: Participation,
                   data: ListingData) -> Listing:
    kind = listing_kind_for(owner.role)
    if kind is None:
        raise DomainError(_("Only buyers, suppliers and facilitators post offers or queries."))
    listing = Listing(event=event, participation=owner, kind=kind)
    _apply(session, event, listing, data)
    session.add(listing)
    session.flush()
    return listing


def update_listing(session: Session, *, listing: Listing, data: ListingData) -> Listing:
    _apply(session, listing.event, listing, data)
    session.flush()
    return listing


def delete_listing(session: Session, listing: Listing) -> None:
    session.delete(listing)
    session.flush()


def listing_in_event(session: Session, event: Event, listing_id: int) -> Listing | None:
    listing = session.get(Listing, listing_id)
    if listing is None or listing.event_id != event.id:
        return None
    return listing


def listing_to_show(session: Session, event: Event, listing_id: int) -> Listing | None:
    """`listing_in_event` with what its page shows loaded along (group, strategies, the
    owner with their account and organisation): two queries instead of six."""
    return session.scalar(
        select(Listing).where(Listing.id == listing_id, Listing.event_id == event.id)
        .options(joinedload(Listing.product_group), selectinload(Listing.strategies),
                 joinedload(Listing.participation).joinedload(Participation.user),
                 joinedload(Listing.participation).joinedload(Participation.organisation)))


def own_listing(session: Session, event: Event, owner: Participation,
                listing_id: int) -> Listing | None:
    """The listing if `owner` posted it in `event`; None for anyone else's (a 404)."""
    listing = listing_in_event(session, event, listing_id)
    if listing is None or listing.participation_id != owner.id:
        return None
    return listing


# --- Market place -------------------------------------------------------------------------

@dataclass(frozen=True)
class MarketPage:
    listings: list[Listing]
    total: int
    page: int
    pages: int
    people: tuple[Participation, ...] = ()
    searched_as: str | None = None  # the query with its typos corrected, when it had any
    suggestion: str | None = None  # "did you mean", when nothing matches
    other_kind_total: int = 0  # matches the kind filter hides


@dataclass(frozen=True)
class Facets:
    """What the market-place filters look at, per listing."""

    kind: str
    group: str  # product group code
    strategies: frozenset[str]  # strategy codes
    organisation_id: int | None


@dataclass(frozen=True)
class OrganisationOption:
    id: int
    name: str


@dataclass(frozen=True)
class MarketIndex:
    """Every listing of an event, newest first, ready for search and filtering."""

    search: SearchIndex
    facets: dict[int, Facets]
    organisations: list[OrganisationOption]  # those with listings, by name
    people: SearchIndex  # participants who take meetings, by name and organisation
    lexicon: query.Lexicon  # the words of both indexes, for typo correction

    def matching(self, filters: MarketFilters) -> set[int] | None:
        """Ids of the listings the filters keep; None when no filter is set."""
        if not (filters.kind or filters.group or filters.strategy
                or filters.organisation is not None):
            return None
        return {i for i, f in self.facets.items()
                if (not filters.kind or f.kind == filters.kind)
                and (not filters.group or f.group == filters.group)
                and (not filters.strategy or filters.strategy in f.strategies)
                and (filters.organisation is None
                     or f.organisation_id == filters.organisation)}


def market_index(session: Session, event: Event) -> MarketIndex:
    """The event's market index, built once per process until its listings change."""
    return cache.cached(session, event.id, "market", lambda: build_market_index(session, event))


def _ranked(index: MarketIndex, text: str, keys: set[int] | None
            ) -> tuple[list[search.Document], list[search.Document], list[query.QueryWord]]:
    """Listings and people matching `text`: literally when it has no word ('%'), else by
    its words, their synonyms and typo corrections."""
    needle = query.literal_needle(text)
    if needle is not None:
        return index.search.literal(needle, keys), index.people.literal(needle), []
    words = query.expand(text, index.lexicon)
    return index.search.rank_words(words, keys), index.people.rank_words(words), words


# The statements pages run on every view are built once, with parameters: building a
# query with its loader options, and its cache key, cost more than running it.

@lru_cache(maxsize=1)
def _shown_listings_statement():
    return (select(Listing).where(Listing.id.in_(bindparam("ids", expanding=True)),
                                  Listing.event_id == bindparam("event_id"))
            .options(joinedload(Listing.participation).joinedload(Participation.organisation),
                     joinedload(Listing.participation).joinedload(Participation.user),
                     joinedload(Listing.product_group), selectinload(Listing.strategies)))


@lru_cache(maxsize=1)
def _shown_people_statement():
    return (select(Participation).where(Participation.id.in_(bindparam("ids", expanding=True)),
                                        Participation.event_id == bindparam("event_id"))
            .options(joinedload(Participation.organisation), joinedload(Participation.user)))


def search_listings(session: Session, event: Event, filters: MarketFilters,
                    page_size: int = PAGE_SIZE, me: Participation | None = None) -> MarketPage:
    """Listings of `event` matching the filters, ranked by relevance when there is a query,
    and the people whose name or organisation matches it.

    Filtering and text ranking run in Python over the cached index of the event's
    listings (see `search`), the same on every database; full objects are loaded for the
    one page shown.
    """
    index = market_index(session, event)
    any_kind = index.matching(replace(filters, kind=""))
    people_docs: list[search.Document] = []
    words: list[query.QueryWord] = []
    if filters.q:
        docs, people_docs, words = _ranked(index, filters.q, any_kind)
    else:
        docs = [d for d in index.search.docs if any_kind is None or d.key in any_kind]
    every_kind = len(docs)
    if filters.kind:
        # listing documents are keyed by listing id
        docs = [d for d in docs if index.facets[cast(int, d.key)].kind == filters.kind]
    people_docs = [d for d in people_docs if me is None or d.key != me.id]
    suggestion = None
    if filters.q and not every_kind and not people_docs:
        def finds(text: str) -> bool:
            listings, people, _ = _ranked(index, text, any_kind)
            return bool(listings or people)
        suggestion = query.did_you_mean(words, index.lexicon, finds)
    total = len(docs)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, filters.page), pages)
    start = (page - 1) * page_size
    shown = [d.key for d in docs[start:start + page_size]]
    loaded = {listing.id: listing for listing in session.scalars(
        _shown_listings_statement(), {"ids": shown, "event_id": event.id}).unique()} \
        if shown else {}
    people_ids = [d.key for d in people_docs[:PEOPLE_SHOWN]] if page == 1 else []
    people = {p.id: p for p in session.scalars(
        _shown_people_statement(), {"ids": people_ids, "event_id": event.id})} \
        if people_ids else {}
    corrected = query.corrected_query(words)
    return MarketPage([loaded[i] for i in shown if i in loaded], total, page, pages,
                      people=tuple(people[i] for i in people_ids if i in people),
                      searched_as=corrected if any(w.correction for w in words) else None,
                      suggestion=suggestion, other_kind_total=every_kind - total)


def _listing_strategies(session: Session, event: Event):
    """(listing id, strategy code, strategy name) of every tagged listing of `event`,
    by strategy code, as plain rows."""
    return session.execute(
        select(listing_strategy.c.listing_id, CircularStrategy.code, CircularStrategy.name)
        .join(CircularStrategy, CircularStrategy.id == listing_strategy.c.strategy_id)
        .join(Listing, Listing.id == listing_strategy.c.listing_id)
        .where(Listing.event_id == event.id).order_by(CircularStrategy.code))


def build_market_index(session: Session, event: Event) -> MarketIndex:
    """Read the event's listings as plain rows (no ORM objects) into a `MarketIndex`.

    Built-in product groups and strategies are indexed under their names in English,
    Dutch and French alike, so a query finds them in whichever language it is typed,
    whatever the reader's language; one index serves every reader.
    """
    labels: dict[int, list[str]] = {}
    codes: dict[int, set[str]] = {}
    for listing_id, code, name in _listing_strategies(session, event):
        labels.setdefault(listing_id, []).append(
            f"{code} {strategy_name_in_all_languages(code, name)}")
        codes.setdefault(listing_id, set()).add(code)
    docs = []
    facets = {}
    for (listing_id, kind, title, text, group_code, group, organisation_id, organisation,
         person) in session.execute(
            select(Listing.id, Listing.kind, Listing.title, Listing.text, ProductGroup.code,
                   ProductGroup.name, Organisation.id, Organisation.name, User.name)
            .join(ProductGroup, ProductGroup.id == Listing.product_group_id)
            .join(Participation, Participation.id == Listing.participation_id)
            .join(User, User.id == Participation.user_id)
            .outerjoin(Organisation, Organisation.id == Participation.organisation_id)
            .where(Listing.event_id == event.id)
            .order_by(Listing.created_at.desc(), Listing.id.desc())):
        docs.append(search.Document(key=listing_id, fields={
            "title": title,
            "organisation": organisation or "",
            "person": person,
            "strategies": " ".join(labels.get(listing_id, ())),
            "group": group_name_in_all_languages(group_code, group),
            "text": text,
        }))
        facets[listing_id] = Facets(kind=ListingKind(kind).value, group=group_code,
                                    strategies=frozenset(codes.get(listing_id, ())),
                                    organisation_id=organisation_id)
    organisations = [OrganisationOption(i, name) for i, name in session.execute(
        select(Organisation.id, Organisation.name)
        .join(Participation, Participation.organisation_id == Organisation.id)
        .join(Listing, Listing.participation_id == Participation.id)
        .where(Listing.event_id == event.id).distinct().order_by(Organisation.name))]
    people = search.SearchIndex([
        search.Document(key=pid, fields={"person": name, "organisation": organisation or ""})
        for pid, name, organisation in session.execute(
            select(Participation.id, User.name, Organisation.name)
            .join(User, User.id == Participation.user_id)
            .outerjoin(Organisation, Organisation.id == Participation.organisation_id)
            .where(Participation.event_id == event.id, Participation.role.in_(PEOPLE_ROLES))
            .order_by(User.name, Participation.id))])
    listings_index = search.SearchIndex(docs)
    frequency = listings_index.frequency()
    for word, count in people.frequency().items():
        frequency[word] = frequency.get(word, 0) + count
    return MarketIndex(listings_index, facets, organisations, people, query.Lexicon(frequency))


def organisations_with_listings(session: Session, event: Event) -> list[OrganisationOption]:
    return market_index(session, event).organisations


# --- Suggestions ---------------------------------------------------------------------------

def contacted_ids(session: Session, me: Participation) -> set[int]:
    """Participants with any request to or from `me`, whatever its state.

    That covers pending, accepted (and so met or to meet), declined, cancelled and
    expired requests: suggestions are for people one has not dealt with yet.
    """
    rows = session.execute(_contacts_statement(), {"me": me.id})
    return {s if r == me.id else r for s, r in rows}


@lru_cache(maxsize=1)
def _contacts_statement():
    me = bindparam("me")
    return select(MeetingRequest.sender_id, MeetingRequest.recipient_id).where(
        or_(MeetingRequest.sender_id == me, MeetingRequest.recipient_id == me))


@lru_cache(maxsize=1)
def _suggested_people_statement():
    return (select(Participation)
            .where(Participation.id.in_(bindparam("ids", expanding=True)))
            .options(selectinload(Participation.product_groups),
                     joinedload(Participation.organisation), joinedload(Participation.user)))


@dataclass(frozen=True)
class SuggestedPerson:
    participation: Participation
    score: float
    reasons: tuple[str, ...]


def suggestions_for(session: Session, event: Event, me: Participation,
                    limit: int | None = None) -> list[SuggestedPerson]:
    if me.role.value not in suggest_module.TARGET_ROLES:
        return []
    index = suggestion_index(session, event)
    if me.id not in index.people:  # not a participant of this event
        return []
    ranked = index.suggest(me.id, exclude=contacted_ids(session, me), limit=limit)
    people = {p.id: p for p in session.scalars(
        _suggested_people_statement(), {"ids": [s.person_id for s in ranked]})}
    return [SuggestedPerson(people[s.person_id], s.score,
                            tuple(in_words(r) for r in s.reasons)) for s in ranked
            if s.person_id in people]


def suggestion_index(session: Session, event: Event) -> suggest_module.SuggestionIndex:
    """Everyone of the event ready for scoring, built once per process until they change.

    Requests are not part of it: whom `me` has contacted is read on every page view.
    """
    return cache.cached(session, event.id, "people", lambda: suggest_module.SuggestionIndex(
        event_people(session, event).values()))


def event_people(session: Session, event: Event) -> dict[int, suggest_module.Person]:
    """Every participant of `event` as the suggestion scorer sees them.

    Read as plain rows (four queries, no ORM objects): building a few thousand
    Participation and Listing objects per page view cost most of the page's time.
    """
    groups: dict[int, set[str]] = {}
    for pid, name in session.execute(
            select(participation_product_group.c.participation_id, ProductGroup.name)
            .join(ProductGroup, ProductGroup.id == participation_product_group.c.product_group_id)
            .join(Participation,
                  Participation.id == participation_product_group.c.participation_id)
            .where(Participation.event_id == event.id)):
        groups.setdefault(pid, set()).add(name)
    strategies: dict[int, list[suggest_module.Strategy]] = {}
    for listing_id, code, name in _listing_strategies(session, event):
        strategies.setdefault(listing_id, []).append(suggest_module.Strategy(code, name))
    listings: dict[int, list[suggest_module.ListingInfo]] = {}
    for listing_id, pid, kind, group, title, text in session.execute(
            select(Listing.id, Listing.participation_id, Listing.kind, ProductGroup.name,
                   Listing.title, Listing.text)
            .join(ProductGroup, ProductGroup.id == Listing.product_group_id)
            .where(Listing.event_id == event.id).order_by(Listing.id)):
        listings.setdefault(pid, []).append(suggest_module.ListingInfo(
            kind=kind.value, group=group, strategies=tuple(strategies.get(listing_id, ())),
            text=f"{title}. {text}"))
        groups.setdefault(pid, set()).add(group)
    return {pid: suggest_module.Person(
                id=pid, role=role.value, organisation_id=organisation_id,
                groups=frozenset(groups.get(pid, ())), listings=tuple(listings.get(pid, ())))
            for pid, role, organisation_id in session.execute(
                select(Participation.id, Participation.role, Participation.organisation_id)
                .where(Participation.event_id == event.id).order_by(Participation.id))}
