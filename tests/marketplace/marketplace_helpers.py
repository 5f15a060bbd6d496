"""Plain helpers of the market-place tests (imported by name; fixtures are in conftest.py)."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (CircularStrategy, Event, Listing, ListingKind, Organisation,
                               Participation, Phase, ProductGroup, Role, User)
from support import DEMO_PASSWORD, demo_event, participation_by_email


def part_id(app, email: str) -> int:
    """The id of the participation of the user with `email` (opens its own app context)."""
    with app.app_context():
        return participation_by_email(email).id


def add_perfect_supplier(app, buyer_email="buyer1@demo.example") -> int:
    """A new supplier offering exactly what the buyer's first query asks for."""
    with app.app_context():
        buyer = db.session.get(Participation, part_id(app, buyer_email))
        query = db.session.scalar(select(Listing).where(
            Listing.participation_id == buyer.id, Listing.kind == ListingKind.QUERY))
        event = demo_event()
        org = Organisation(name="Perfect Match Ltd", name_key="perfect match ltd")
        supplier = Participation(event=event, role=Role.SUPPLIER, organisation=org, user=User(
            email="perfect@x.example", name="Perfect Supplier", password_hash="x"))
        supplier.product_groups = [query.product_group]
        offer = Listing(event=event, participation=supplier, kind=ListingKind.OFFER,
                        product_group=query.product_group, title=query.title, text=query.text)
        offer.strategies = list(query.strategies)
        db.session.add_all([supplier, offer])
        db.session.commit()
        return supplier.id


class HandMadeMarket:
    """A new event of a few product groups with people and listings made by hand (in an
    app context; the caller commits). Everyone's password is the demo password."""

    def __init__(self, app, *, name: str, slug: str, groups: list[str],
                 phase: Phase | None = None) -> None:
        self.hashed = app.extensions["passwords"].hash(DEMO_PASSWORD)
        self.groups = {g.code: g for g in db.session.scalars(select(ProductGroup))}
        self.strategies = {s.code: s for s in db.session.scalars(select(CircularStrategy))}
        self.event = Event(name=name, slug=slug)
        if phase is not None:
            self.event.phase = phase
        self.event.product_groups = [self.groups[code] for code in groups]
        db.session.add(self.event)
        self.organisations: dict[str, Organisation] = {}

    def person(self, email: str, role: Role, organisation: str | None = None,
               name: str | None = None) -> Participation:
        """A participant of the event; people naming the same organisation share it."""
        org = None
        if organisation:
            org = self.organisations.setdefault(organisation, Organisation(
                name=organisation, name_key=Organisation.key_for(organisation)))
        part = Participation(event=self.event, role=role, organisation=org, user=User(
            email=email, name=name or email.split("@")[0], password_hash=self.hashed))
        db.session.add(part)
        return part

    def listing(self, owner: Participation, title: str, text: str = "", group: str = "ict",
                codes: tuple[str, ...] | list[str] = ()) -> Listing:
        """A buyer's query or anyone else's offer, with these circular strategies."""
        kind = ListingKind.QUERY if owner.role is Role.BUYER else ListingKind.OFFER
        item = Listing(event=self.event, participation=owner, kind=kind,
                       product_group=self.groups[group], title=title, text=text)
        item.strategies = [self.strategies[code] for code in codes]
        db.session.add(item)
        return item
