"""A participant's shortlist: listings and people saved to come back to."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain import DomainError
from ..models import Listing, Participation, ShortlistEntry


@dataclass(frozen=True)
class Saved:
    """The ids of what a participant has saved, to draw each star filled or empty."""

    listing_ids: frozenset[int]
    person_ids: frozenset[int]


@dataclass(frozen=True)
class Shortlist:
    listings: list[Listing]
    people: list[Participation]


def _target(listing: Listing | None, person: Participation | None) -> dict:
    if (listing is None) == (person is None):
        raise ValueError("a shortlist entry is one listing or one person")
    return {"listing_id": listing.id} if listing is not None else {"person_id": person.id}


def add(session: Session, owner: Participation, *, listing: Listing | None = None,
        person: Participation | None = None) -> None:
    """Save a listing or a person of `owner`'s event; saving twice changes nothing."""
    target = _target(listing, person)
    item = listing if listing is not None else person
    if item.event_id != owner.event_id:
        raise DomainError(_("This is not part of your event."))
    if person is not None and person.id == owner.id:
        raise DomainError(_("You cannot add yourself to your shortlist."))
    if session.scalar(select(ShortlistEntry.id).filter_by(owner_id=owner.id, **target)):
        return
    try:
        with session.begin_nested():
            session.add(ShortlistEntry(owner_id=owner.id, **target))
    except IntegrityError:  # the same star clicked twice at once: saved either way
        pass


def remove(session: Session, owner: Participation, *, listing: Listing | None = None,
           person: Participation | None = None) -> None:
    """Take a listing or a person off the shortlist; removing what is not there is no error."""
    session.execute(delete(ShortlistEntry).filter_by(owner_id=owner.id,
                                                     **_target(listing, person)))
    session.flush()


@lru_cache(maxsize=1)
def _saved_statement():
    """Built once: the market place and suggestions run it on every view."""
    return (select(ShortlistEntry.listing_id, ShortlistEntry.person_id)
            .where(ShortlistEntry.owner_id == bindparam("owner_id")))


def saved(session: Session, owner: Participation) -> Saved:
    rows = session.execute(_saved_statement(), {"owner_id": owner.id}).all()
    return Saved(frozenset(listing for listing, _ in rows if listing is not None),
                 frozenset(person for _, person in rows if person is not None))


def shortlist(session: Session, owner: Participation) -> Shortlist:
    """What `owner` saved, most recently saved first."""
    entries = session.scalars(
        select(ShortlistEntry).where(ShortlistEntry.owner_id == owner.id)
        .order_by(ShortlistEntry.created_at.desc(), ShortlistEntry.id.desc())
        .options(joinedload(ShortlistEntry.listing).options(
                     joinedload(Listing.participation).joinedload(Participation.organisation),
                     joinedload(Listing.participation).joinedload(Participation.user),
                     joinedload(Listing.product_group), selectinload(Listing.strategies)),
                 joinedload(ShortlistEntry.person).options(
                     joinedload(Participation.organisation),
                     joinedload(Participation.user)))).unique().all()
    return Shortlist([e.listing for e in entries if e.listing is not None],
                     [e.person for e in entries if e.person is not None])
