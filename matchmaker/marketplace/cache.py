"""Per-process caches of an event's market data, kept until that data changes.

Ranking listings or suggesting people needs every listing and participant of the event;
reading and preparing a few thousand of them on every page view was most of the cost of
the market place and suggestion pages. Here the prepared form is kept per worker process
and keyed by the event's *data version*, `Event.data_version`: every flush that adds,
edits or deletes one of the event's listings (strategies included), or adds, removes or
changes the role, organisation or product groups of one of its participants, gives the
event a new version in the same transaction, so every worker rebuilds on its next request
after the commit. Reading the version is a primary-key read of the event, which a page
has loaded already. Organisation and person names are not in the version: the
application never renames them (a profile points at another organisation instead).

The version is set by session listeners (registered when this module is imported, which
`create_app` does): ORM changes are seen in `before_flush`; statements run through the
session that write those tables in bulk (an account deleted with a plain DELETE, its
participations going by cascade) give every event a new version, except updates that
set only columns the indexes do not read.

Only event-wide data is cached; what one participant may see is decided per request.
"""
from __future__ import annotations

import gc
import threading
from typing import Callable, TypeVar, cast as as_type

from flask import current_app
from sqlalchemy import event as sa_event, inspect, update
from sqlalchemy.orm import InstanceState, ORMExecuteState, Session, scoped_session

from ..models import (Event, Listing, Participation, User, listing_strategy,
                      participation_product_group)
from ..models.event import new_data_version

T = TypeVar("T")

# What the indexes read of a participation; its other columns (when requests were last
# seen, check-in, feed token...) change without a rebuild.
PARTICIPATION_ATTRIBUTES = ("event_id", "event", "user_id", "user", "role", "organisation_id",
                            "organisation", "product_groups")
PARTICIPATION_COLUMNS = {"event_id", "user_id", "role", "organisation_id"}
_BULK_WATCHED = {table.name for table in (Listing.__table__, Participation.__table__,
                                          User.__table__, listing_strategy,
                                          participation_product_group)}


def data_version(session: Session, event_id: int) -> int:
    """The event's current data version (see the module's docstring).

    The event is usually in the session already (the page loaded it): then no query.
    """
    if isinstance(session, scoped_session):
        session = session()
    event = session.get(Event, event_id)
    return event.data_version if event is not None else 0


def _event_ids(obj: Listing | Participation) -> set[int]:
    """The event `obj` belongs to, and the one it belonged to before this flush."""
    before: list[int | None] = list(inspect(obj).attrs.event_id.history.deleted)
    ids = {i for i in before if i is not None}
    current = obj.event_id
    if current is None and obj.event is not None:  # new, given an event object
        current = obj.event.id
    if current is not None:
        ids.add(current)
    return ids


def _changes_market(session: Session, obj: object) -> bool:
    if isinstance(obj, Listing):
        return session.is_modified(obj)
    if isinstance(obj, Participation):
        state: InstanceState[Participation] = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in PARTICIPATION_ATTRIBUTES)
    return False


@sa_event.listens_for(Session, "before_flush")
def _new_versions_for_changed_events(session: Session, _context, _instances) -> None:
    changed: set[int] = set()
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, (Listing, Participation)):
            changed |= _event_ids(obj)
    for obj in session.dirty:
        if _changes_market(session, obj):
            changed |= _event_ids(obj)
    if not changed:
        return
    with session.no_autoflush:
        for event_id in changed:
            event = session.get(Event, event_id)
            if event is not None and event not in session.deleted:
                event.data_version = new_data_version()


@sa_event.listens_for(Session, "do_orm_execute")
def _new_versions_after_bulk_writes(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    statement = state.statement
    table = getattr(getattr(statement, "table", None), "name", None)
    if table not in _BULK_WATCHED or (table == User.__tablename__ and not state.is_delete):
        return
    if state.is_update and table == Participation.__tablename__:
        values = getattr(statement, "_values", None)
        if values is not None and not PARTICIPATION_COLUMNS & {
                getattr(key, "key", key) for key in values}:
            return
    state.session.connection().execute(update(Event).values(data_version=new_data_version()))
    for obj in state.session.identity_map.values():
        if isinstance(obj, Event):
            state.session.expire(obj, ["data_version"])


class VersionedCache:
    """The latest value per (event, name), rebuilt when the event's data version changes."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str], tuple[int, object]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, event_id: int, name: str,
            build: Callable[[], T], version: int | None = None) -> T:
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
           version: int | None = None) -> T:
    return event_cache().get(session, event_id, name, build, version)

