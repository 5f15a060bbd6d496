"""Per-process caches of an event's market data, kept until that data changes.

Ranking listings or suggesting people needs every listing and participant of the event;
reading and preparing a few thousand of them on every page view was most of the cost of
the market place and suggestion pages. Here the prepared form is kept per worker process
and keyed by the event's *data version*: aggregates over the event's listings (count,
highest id, latest change), participants (count, highest id, role and organisation
checksums), their product groups and the listings' strategies, read in one query. Any
committed write to those rows, by whichever process, gives a new version, so every worker
rebuilds on its next request. Organisation and person names are not in the version: the
application never renames them (a profile points at another organisation instead).

Only event-wide data is cached; what one participant may see is decided per request.
"""
from __future__ import annotations

import gc
import threading
from functools import lru_cache
from typing import Callable, TypeVar, cast as as_type

from flask import current_app
from sqlalchemy import BigInteger, bindparam, case, cast, func, select, true
from sqlalchemy.orm import Session, scoped_session

from ..models import (Listing, Participation, Role, listing_strategy,
                      participation_product_group)

T = TypeVar("T")
_ROLE_CODES = {role: number for number, role in enumerate(Role, start=1)}


@lru_cache(maxsize=1)
def _version_statement():
    """The data-version query, built once; the event id is a bound parameter."""
    event_id = bindparam("event_id")
    listings = (select(func.count(Listing.id).label("n"), func.max(Listing.id).label("last"),
                       func.max(Listing.updated_at).label("changed"))
                .where(Listing.event_id == event_id).subquery())
    people = (select(
        func.count(Participation.id).label("n"), func.max(Participation.id).label("last"),
        func.sum(cast(Participation.id, BigInteger)
                 * (func.coalesce(Participation.organisation_id, 0) + 1)).label("orgs"),
        func.sum(cast(Participation.id, BigInteger)
                 * case(_ROLE_CODES, value=Participation.role, else_=0)).label("roles"))
        .where(Participation.event_id == event_id).subquery())
    groups = (select(func.count().label("n"), func.sum(
        cast(participation_product_group.c.participation_id, BigInteger)
        * participation_product_group.c.product_group_id).label("sum"))
        .join(Participation, Participation.id == participation_product_group.c.participation_id)
        .where(Participation.event_id == event_id).subquery())
    strategies = (select(func.count().label("n"), func.sum(
        cast(listing_strategy.c.listing_id, BigInteger)
        * listing_strategy.c.strategy_id).label("sum"))
        .join(Listing, Listing.id == listing_strategy.c.listing_id)
        .where(Listing.event_id == event_id).subquery())
    return (select(listings, people, groups, strategies)
            .select_from(listings.join(people, true()).join(groups, true())
                         .join(strategies, true())))


def data_version(session: Session, event_id: int) -> tuple:
    """A value that changes whenever the event's listings or participants change.

    Read once per transaction of `session` and event: a page that asks for several
    cached things pays for one query.
    """
    if isinstance(session, scoped_session):
        session = session()
    transaction = session.get_transaction()
    memo = session.info.setdefault("market_data_versions", {})
    known = memo.get(event_id)
    if known is not None and transaction is not None and known[0] is transaction:
        return known[1]
    version = tuple(session.execute(_version_statement(), {"event_id": event_id}).one())
    memo[event_id] = (session.get_transaction(), version)
    return version


class VersionedCache:
    """The latest value per (event, name), rebuilt when the event's data version changes."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str], tuple[tuple, object]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, event_id: int, name: str,
            build: Callable[[], T], version: tuple | None = None) -> T:
        version = data_version(session, event_id) if version is None else version
        entry = self._entries.get((event_id, name))
        if entry is not None and entry[0] == version:
            return as_type(T, entry[1])  # the name decides the type of what was built
        value = build()
        with self._lock:
            self._entries[(event_id, name)] = (version, value)
        # The indexes are a few hundred thousand long-lived objects: left to the garbage
        # collector, each full collection walks them all (about 0.2 s on the 2,000-person
        # demo, every forty requests or so, stalling whatever request it lands in). Frozen,
        # they are skipped; a replaced index is still freed by reference counting.
        gc.freeze()
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def event_cache() -> VersionedCache:
    """The current application's cache (one per app, so test apps never share one)."""
    cache = current_app.extensions.get("market_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("market_cache", VersionedCache())
    return cache


def cached(session: Session, event_id: int, name: str, build: Callable[[], T],
           version: tuple | None = None) -> T:
    return event_cache().get(session, event_id, name, build, version)

