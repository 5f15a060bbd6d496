"""A participant's shortlist: listings and people saved in the market place to come back to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .listings import Listing
from .people import Participation


class ShortlistEntry(db.Model):
    """One saved listing or one saved person (exactly one of the two) of `owner`."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (
        CheckConstraint("(listing_id IS NULL) <> (person_id IS NULL)", name="one_target"),
        UniqueConstraint("owner_id", "listing_id", name="uq_shortlist_entry_listing"),
        UniqueConstraint("owner_id", "person_id", name="uq_shortlist_entry_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(  # indexed by the unique constraints
        ForeignKey("participation.id", ondelete="CASCADE"))
    listing_id: Mapped[int | None] = mapped_column(
        ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Participation] = relationship(foreign_keys=[owner_id])
    listing: Mapped[Listing | None] = relationship()
    person: Mapped[Participation | None] = relationship(foreign_keys=[person_id])
