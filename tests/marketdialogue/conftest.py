"""Small hand-made dialogue documents shared by the market-dialogue tests."""
from __future__ import annotations

import copy

import pytest

BASE = {
    "format": "matchmaker-dialogue/1",
    "event": {"name": "Buyer meets Supplier", "timezone": "Europe/Brussels"},
    "sessions": [
        {"id": "d1", "product_group": "textile",
         "start": "2026-11-21T10:00:00", "end": "2026-11-21T10:45:00",
         "tables": [{"id": "TX-1", "buyer_seats": 2, "supplier_seats": 2, "moderator": "p9"}]},
        {"id": "d2", "product_group": "ict",
         "start": "2026-11-21T10:30:00", "end": "2026-11-21T11:15:00",
         "tables": [{"id": "IC-1", "buyer_seats": 2, "supplier_seats": 2}]},
        {"id": "d3", "product_group": "textile",
         "start": "2026-11-21T11:30:00", "end": "2026-11-21T12:15:00",
         "tables": [{"id": "TX-2", "buyer_seats": 2, "supplier_seats": 2}]},
    ],
    "participants": [
        {"id": "p1", "role": "buyer", "organisation": "o1", "interests": {"textile": 3, "ict": 1}},
        {"id": "p2", "role": "supplier", "organisation": "o2", "interests": {"textile": 2}},
        {"id": "p3", "role": "supplier", "organisation": "o2", "interests": {"textile": 1, "ict": 2}},
        {"id": "p4", "role": "buyer", "organisation": "o4", "interests": {"ict": 2, "lighting": 1}},
        {"id": "p5", "role": "facilitator", "organisation": "o5", "interests": {"textile": 1}},
        {"id": "p9", "role": "facilitator", "organisation": "o9", "interests": {"ict": 3}},
    ],
    "rules": {"min_buyers": 1, "min_suppliers": 1, "max_per_organisation": 1},
}


@pytest.fixture
def doc() -> dict:
    """A fresh copy of the small document, free to mutate."""
    return copy.deepcopy(BASE)
