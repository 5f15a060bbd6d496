"""Reference data shared by all events: product groups and circular strategies."""
from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ProductGroup(db.Model):
    __tablename__ = "product_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    sort_order: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ProductGroup {self.code}>"


class CircularStrategy(db.Model):
    """A strategy of the 'goals and strategies for circular purchasers' map (A1..E6)."""

    __tablename__ = "circular_strategy"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4))
    category: Mapped[str] = mapped_column(String(1))
    category_name: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def __repr__(self) -> str:
        return f"<CircularStrategy {self.code}>"
