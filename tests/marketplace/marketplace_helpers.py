"""Plain helpers of the market-place tests (imported by name; fixtures are in conftest.py)."""
from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Listing, ListingKind, Organisation, Participation, Role, User
from support import demo_event, participation_by_email


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
