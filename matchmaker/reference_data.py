"""The product groups and circular strategies every event draws on (see DOMAIN.md)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .domain import N_  # the database keeps English names; `i18n` translates them on display
from .models import CircularStrategy, ProductGroup


# Ordered by the number of Green Deal projects in each group.
PRODUCT_GROUPS: list[tuple[str, str]] = [
    ("textile", N_("Textile")),
    ("furniture", N_("Furniture")),
    ("construction", N_("Construction")),
    ("infrastructure", N_("Infrastructure")),
    ("ict", N_("ICT")),
    ("food", N_("Food")),
    ("packaging", N_("Packaging")),
    ("lighting", N_("Lighting")),
    ("office-supplies", N_("Office supplies")),
    ("waste-management", N_("Waste management")),
    ("cleaning", N_("Cleaning services")),
    ("mobility", N_("Mobility")),
    ("kitchen-appliances", N_("Kitchen appliances")),
]

STRATEGY_CATEGORIES = {
    "A": N_("Use less"),
    "B": N_("Better materials"),
    "C": N_("Longer life"),
    "D": N_("Reuse of products and components"),
    "E": N_("Reuse or recycling of materials"),
}

STRATEGIES: list[tuple[str, str]] = [
    ("A1", N_("Internal sharing")),
    ("A2", N_("Renting or peer-to-peer sharing")),
    ("A3", N_("Reuse, refurbishing or upgrading")),
    ("A4", N_("Minimal use of materials in design")),
    ("A5", N_("Less waste")),
    ("B1", N_("More recycled content")),
    ("B2", N_("More biobased content")),
    ("B3", N_("Understanding the share of recycled, biobased and virgin materials")),
    ("C1", N_("Extended guarantees")),
    ("C2", N_("Contracts for maintenance and repair")),
    ("C3", N_("Upgradable products")),
    ("C4", N_("Design for longevity")),
    ("C5", N_("Repairability and maintainability")),
    ("C6", N_("Modular / change-oriented design")),
    ("C7", N_("Contractual incentives for longer use")),
    ("C8", N_("Supplier guidance for use optimisation")),
    ("D1", N_("Design for disassembly")),
    ("D2", N_("Modular design")),
    ("D3", N_("Standardised design")),
    ("D4", N_("Understanding internal composition and connections")),
    ("D5", N_("Contracts for take-back and reuse")),
    ("D6", N_("Circular business models")),
    ("E1", N_("Design for recycling")),
    ("E2", N_("Understanding materials")),
    ("E3", N_("Contracts for take-back and recycling")),
    ("E4", N_("Reducing or banning toxicity")),
    ("E5", N_("Biodegradable / compostable")),
    ("E6", N_("Circular business models")),
]


GROUP_NAMES = dict(PRODUCT_GROUPS)
STRATEGY_NAMES = dict(STRATEGIES)


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
