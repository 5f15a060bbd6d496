"""Listings of the market place: create, edit, delete, search; suggestions of whom to meet."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain import DomainError
from ..models import (CircularStrategy, Event, Listing, ListingKind, MeetingRequest,
                      Organisation, Participation, ProductGroup, Role)
from . import search, suggestions as suggest_module
from .forms import MarketFilters

PAGE_SIZE = 20
LISTING_KIND_OF_ROLE = {
    Role.BUYER: ListingKind.QUERY,
    Role.SUPPLIER: ListingKind.OFFER,
    Role.FACILITATOR: ListingKind.OFFER,
}


@dataclass(frozen=True)
class ListingData:
    product_group_id: int
    title: str
    text: str
    strategy_ids: list[int]


def listing_kind_for(role: Role) -> ListingKind | None:
    """Suppliers and facilitators post offers, buyers queries; others post nothing."""
    return LISTING_KIND_OF_ROLE.get(role)


def all_strategies(session: Session) -> list[CircularStrategy]:
    return list(session.scalars(select(CircularStrategy).order_by(CircularStrategy.code)))


def _apply(session: Session, event: Event, listing: Listing, data: ListingData) -> None:
    groups = {g.id: g for g in event.product_groups}
    if data.product_group_id not in groups:
        raise DomainError("Choose a product group of this event.", field="product_group")
    title = " ".join(data.title.split())
    if not title:
        raise DomainError("Give a short title.", field="title")
    strategies = []
    if data.strategy_ids:
        strategies = list(session.scalars(select(CircularStrategy).where(
            CircularStrategy.id.in_(set(data.strategy_ids))).order_by(CircularStrategy.code)))
        if len(strategies) != len(set(data.strategy_ids)):
            raise DomainError("Choose strategies from the list.", field="strategies")
    listing.product_group = groups[data.product_group_id]
    listing.title = title
    listing.text = data.text.strip()
    listing.strategies = strategies


def create_listing(session: Session, *, event: Event, owner: Participation,
                   data: ListingData) -> Listing:
    kind = listing_kind_for(owner.role)
    if kind is None:
        raise DomainError("Only buyers, suppliers and facilitators post offers or queries.")
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


def _document(listing: Listing) -> search.Document:
    part = listing.participation
    return search.Document(key=listing.id, fields={
        "title": listing.title,
        "organisation": part.organisation.name if part.organisation else part.user.name,
        "strategies": " ".join(s.label for s in listing.strategies),
        "group": listing.product_group.name,
        "text": listing.text,
    })


def search_listings(session: Session, event: Event, filters: MarketFilters,
                    page_size: int = PAGE_SIZE) -> MarketPage:
    """Listings of `event` matching the filters, ranked by relevance when there is a query.

    Filters run in SQL; text ranking runs in Python over what remains (see `search`),
    which is quick for the few thousand listings of an event and the same on every
    database.
    """
    stmt = (select(Listing).where(Listing.event_id == event.id)
            .join(Listing.participation)
            .options(joinedload(Listing.participation).joinedload(Participation.organisation),
                     joinedload(Listing.participation).joinedload(Participation.user),
                     joinedload(Listing.product_group), selectinload(Listing.strategies))
            .order_by(Listing.created_at.desc(), Listing.id.desc()))
    if filters.kind:
        stmt = stmt.where(Listing.kind == ListingKind(filters.kind))
    if filters.group:
        stmt = stmt.join(Listing.product_group).where(ProductGroup.code == filters.group)
    if filters.strategy:
        stmt = stmt.where(Listing.strategies.any(CircularStrategy.code == filters.strategy))
    if filters.organisation:
        stmt = stmt.where(Participation.organisation_id == filters.organisation)
    listings = list(session.scalars(stmt).unique())
    if filters.q:
        by_id = {listing.id: listing for listing in listings}
        listings = [by_id[d.key] for d in search.rank(filters.q, [_document(x) for x in listings])]
    total = len(listings)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, filters.page), pages)
    start = (page - 1) * page_size
    return MarketPage(listings[start:start + page_size], total, page, pages)


def organisations_with_listings(session: Session, event: Event) -> list[Organisation]:
    return list(session.scalars(
        select(Organisation).join(Participation, Participation.organisation_id == Organisation.id)
        .join(Listing, Listing.participation_id == Participation.id)
        .where(Listing.event_id == event.id).distinct().order_by(Organisation.name)))


# --- Suggestions ---------------------------------------------------------------------------

def _person(part: Participation, listings: list[Listing]) -> suggest_module.Person:
    return suggest_module.Person(
        id=part.id, role=part.role.value, organisation_id=part.organisation_id,
        groups=frozenset(g.name for g in part.product_groups) |
        frozenset(x.product_group.name for x in listings),
        listings=tuple(suggest_module.ListingInfo(
            kind=x.kind.value, group=x.product_group.name,
            strategies=tuple(suggest_module.Strategy(s.code, s.name) for s in x.strategies),
            text=f"{x.title}. {x.text}") for x in listings))


def contacted_ids(session: Session, me: Participation) -> set[int]:
    """Participants with any request to or from `me`, whatever its state.

    That covers pending, accepted (and so met or to meet), declined, cancelled and
    expired requests: suggestions are for people one has not dealt with yet.
    """
    rows = session.execute(select(MeetingRequest.sender_id, MeetingRequest.recipient_id).where(
        or_(MeetingRequest.sender_id == me.id, MeetingRequest.recipient_id == me.id)))
    return {s if r == me.id else r for s, r in rows}


@dataclass(frozen=True)
class SuggestedPerson:
    participation: Participation
    score: float
    reasons: tuple[str, ...]


def suggestions_for(session: Session, event: Event, me: Participation,
                    limit: int | None = None) -> list[SuggestedPerson]:
    if me.role.value not in suggest_module.TARGET_ROLES:
        return []
    participations = list(session.scalars(
        select(Participation).where(Participation.event_id == event.id)
        .options(selectinload(Participation.product_groups),
                 joinedload(Participation.organisation), joinedload(Participation.user))))
    listings: dict[int, list[Listing]] = {p.id: [] for p in participations}
    for listing in session.scalars(select(Listing).where(Listing.event_id == event.id).options(
            joinedload(Listing.product_group), selectinload(Listing.strategies))):
        listings.setdefault(listing.participation_id, []).append(listing)
    people = {p.id: p for p in participations}
    ranked = suggest_module.suggest(
        _person(me, listings.get(me.id, [])),
        [_person(p, listings[p.id]) for p in participations if p.id != me.id],
        exclude=contacted_ids(session, me), limit=limit)
    return [SuggestedPerson(people[s.person_id], s.score, s.reasons) for s in ranked]
