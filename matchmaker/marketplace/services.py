"""Listings of the market place: create, edit, delete, search; suggestions of whom to meet."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain import DomainError
from ..models import (CircularStrategy, Event, Listing, ListingKind, MeetingRequest,
                      Organisation, Participation, ProductGroup, Role, User,
                      listing_strategy, participation_product_group)
from . import search, suggestions as suggest_module
from .reasons import in_words
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


def search_listings(session: Session, event: Event, filters: MarketFilters,
                    page_size: int = PAGE_SIZE) -> MarketPage:
    """Listings of `event` matching the filters, ranked by relevance when there is a query.

    Filters run in SQL; text ranking runs in Python over what remains (see `search`),
    which is quick for the few thousand listings of an event and the same on every
    database. Only the plain columns the ranking reads are fetched for all of them;
    full objects are loaded for the one page shown.
    """
    stmt = (select(Listing.id).where(Listing.event_id == event.id)
            .order_by(Listing.created_at.desc(), Listing.id.desc()))
    if filters.kind:
        stmt = stmt.where(Listing.kind == ListingKind(filters.kind))
    if filters.group:
        stmt = stmt.join(Listing.product_group).where(ProductGroup.code == filters.group)
    if filters.strategy:
        stmt = stmt.where(Listing.strategies.any(CircularStrategy.code == filters.strategy))
    if filters.organisation:
        stmt = stmt.join(Listing.participation).where(
            Participation.organisation_id == filters.organisation)
    ids = list(session.scalars(stmt))
    if filters.q:
        ids = [d.key for d in search.rank(filters.q, _documents(session, event, ids))]
    total = len(ids)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, filters.page), pages)
    start = (page - 1) * page_size
    shown = ids[start:start + page_size]
    loaded = {listing.id: listing for listing in session.scalars(
        select(Listing).where(Listing.id.in_(shown))
        .options(joinedload(Listing.participation).joinedload(Participation.organisation),
                 joinedload(Listing.participation).joinedload(Participation.user),
                 joinedload(Listing.product_group), selectinload(Listing.strategies))).unique()}
    return MarketPage([loaded[i] for i in shown if i in loaded], total, page, pages)


def _documents(session: Session, event: Event, ids: list[int]) -> list[search.Document]:
    """The search documents of listings `ids` (in that order), read as plain rows."""
    wanted = set(ids)
    labels: dict[int, list[str]] = {}
    for listing_id, code, name in session.execute(
            select(listing_strategy.c.listing_id, CircularStrategy.code, CircularStrategy.name)
            .join(CircularStrategy, CircularStrategy.id == listing_strategy.c.strategy_id)
            .join(Listing, Listing.id == listing_strategy.c.listing_id)
            .where(Listing.event_id == event.id).order_by(CircularStrategy.code)):
        if listing_id in wanted:
            labels.setdefault(listing_id, []).append(f"{code} {name}")
    fields = {}
    for listing_id, title, text, group, organisation_id, organisation, person in session.execute(
            select(Listing.id, Listing.title, Listing.text, ProductGroup.name,
                   Organisation.id, Organisation.name, User.name)
            .join(ProductGroup, ProductGroup.id == Listing.product_group_id)
            .join(Participation, Participation.id == Listing.participation_id)
            .join(User, User.id == Participation.user_id)
            .outerjoin(Organisation, Organisation.id == Participation.organisation_id)
            .where(Listing.event_id == event.id)):
        if listing_id in wanted:
            fields[listing_id] = {
                "title": title,
                "organisation": organisation if organisation_id is not None else person,
                "strategies": " ".join(labels.get(listing_id, ())),
                "group": group,
                "text": text,
            }
    return [search.Document(key=i, fields=fields[i]) for i in ids if i in fields]


def organisations_with_listings(session: Session, event: Event) -> list[Organisation]:
    return list(session.scalars(
        select(Organisation).join(Participation, Participation.organisation_id == Organisation.id)
        .join(Listing, Listing.participation_id == Participation.id)
        .where(Listing.event_id == event.id).distinct().order_by(Organisation.name)))


# --- Suggestions ---------------------------------------------------------------------------

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
    everyone = event_people(session, event)
    mine = everyone.get(me.id)
    if mine is None:  # not a participant of this event
        return []
    ranked = suggest_module.suggest(
        mine, [p for p in everyone.values() if p.id != me.id],
        exclude=contacted_ids(session, me), limit=limit)
    people = {p.id: p for p in session.scalars(
        select(Participation).where(Participation.id.in_([s.person_id for s in ranked]))
        .options(selectinload(Participation.product_groups),
                 joinedload(Participation.organisation), joinedload(Participation.user)))}
    return [SuggestedPerson(people[s.person_id], s.score,
                            tuple(in_words(r) for r in s.reasons)) for s in ranked
            if s.person_id in people]


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
    for listing_id, code, name in session.execute(
            select(listing_strategy.c.listing_id, CircularStrategy.code, CircularStrategy.name)
            .join(CircularStrategy, CircularStrategy.id == listing_strategy.c.strategy_id)
            .join(Listing, Listing.id == listing_strategy.c.listing_id)
            .where(Listing.event_id == event.id).order_by(CircularStrategy.code)):
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
