"""Offers (suppliers, facilitators) and queries (buyers) of the market place."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table as SATable, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_babel import lazy_gettext as _l

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .event import Event
from .people import Participation, enum_column
from .reference import CircularStrategy, ProductGroup


class ListingKind(str, enum.Enum):
    OFFER = "offer"
    QUERY = "query"

    @property
    def label(self) -> str:
        return str({"offer": _l("Offer"), "query": _l("Query")}[self.value])


listing_strategy = SATable(
    "listing_strategy",
    db.metadata,
    Column("listing_id", ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True),
    Column("strategy_id", ForeignKey("circular_strategy.id", ondelete="CASCADE"),
           primary_key=True),
)


class Listing(db.Model):
    __tablename__ = "listing"
    __table_args__ = (CheckConstraint("length(title) > 0", name="title_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ListingKind] = mapped_column(enum_column(ListingKind, "kind"))
    product_group_id: Mapped[int] = mapped_column(
        ForeignKey("product_group.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    participation: Mapped[Participation] = relationship()
    product_group: Mapped[ProductGroup] = relationship()
    strategies: Mapped[list[CircularStrategy]] = relationship(
        secondary=listing_strategy, order_by=CircularStrategy.code)
