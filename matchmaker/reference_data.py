"""The product groups and circular strategies every event draws on (see DOMAIN.md)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CircularStrategy, ProductGroup

# Ordered by the number of Green Deal projects in each group.
PRODUCT_GROUPS: list[tuple[str, str]] = [
    ("textile", "Textile"),
    ("furniture", "Furniture"),
    ("construction", "Construction"),
    ("infrastructure", "Infrastructure"),
    ("ict", "ICT"),
    ("food", "Food"),
    ("packaging", "Packaging"),
    ("lighting", "Lighting"),
    ("office-supplies", "Office supplies"),
    ("waste-management", "Waste management"),
    ("cleaning", "Cleaning services"),
    ("mobility", "Mobility"),
    ("kitchen-appliances", "Kitchen appliances"),
]

STRATEGY_CATEGORIES = {
    "A": "Use less",
    "B": "Better materials",
    "C": "Longer life",
    "D": "Reuse of products and components",
    "E": "Reuse or recycling of materials",
}

STRATEGIES: list[tuple[str, str]] = [
    ("A1", "Internal sharing"),
    ("A2", "Renting or peer-to-peer sharing"),
    ("A3", "Reuse, refurbishing or upgrading"),
    ("A4", "Minimal use of materials in design"),
    ("A5", "Less waste"),
    ("B1", "More recycled content"),
    ("B2", "More biobased content"),
    ("B3", "Understanding the share of recycled, biobased and virgin materials"),
    ("C1", "Extended guarantees"),
    ("C2", "Contracts for maintenance and repair"),
    ("C3", "Upgradable products"),
    ("C4", "Design for longevity"),
    ("C5", "Repairability and maintainability"),
    ("C6", "Modular / change-oriented design"),
    ("C7", "Contractual incentives for longer use"),
    ("C8", "Supplier guidance for use optimisation"),
    ("D1", "Design for disassembly"),
    ("D2", "Modular design"),
    ("D3", "Standardised design"),
    ("D4", "Understanding internal composition and connections"),
    ("D5", "Contracts for take-back and reuse"),
    ("D6", "Circular business models"),
    ("E1", "Design for recycling"),
    ("E2", "Understanding materials"),
    ("E3", "Contracts for take-back and recycling"),
    ("E4", "Reducing or banning toxicity"),
    ("E5", "Biodegradable / compostable"),
    ("E6", "Circular business models"),
]


def ensure_reference_data(session: Session) -> int:
    """Insert missing product groups and strategies; return how many rows were added."""
    added = 0
    groups = {g.code: g for g in session.scalars(select(ProductGroup))}
    for order, (code, name) in enumerate(PRODUCT_GROUPS):
        if code not in groups:
            session.add(ProductGroup(code=code, name=name, sort_order=order))
            added += 1
    strategies = set(session.scalars(select(CircularStrategy.code)))
    for code, name in STRATEGIES:
        if code not in strategies:
            session.add(CircularStrategy(code=code, category=code[0],
                                         category_name=STRATEGY_CATEGORIES[code[0]], name=name))
            added += 1
    session.flush()
    return added
