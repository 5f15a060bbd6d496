"""Quality measures of a seating, the same ones the solver's objective uses.

- side gap: |people on the buyer side - people on the supplier side| of an open table;
- fill range: in a session with several open tables, the most minus the fewest empty
  seats at one of them (tables of different sizes are evenly filled when each has
  about as many seats left);
- competitor pairs: in a session with several tables, pairs of competing suppliers
  (suppliers whose main product group, that of their highest interest weight, is
  the session's group) at the same table.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from .greedy import Placement
from .index import Index


def measure(ix: Index, placed: list[Placement]) -> dict[str, float | int]:
    sides: dict[tuple[int, int], Counter] = defaultdict(Counter)
    rivals: Counter = Counter()
    value = 0
    for p, s, t, side in placed:
        sides[(s, t)][side] += 1
        value += ix.weight(p, s)
        if is_competitor(ix, p, s):
            rivals[(s, t)] += 1
    gaps = [abs(c["buyer"] - c["supplier"]) for c in sides.values()]
    fill_range = 0
    per_session: dict[int, list[int]] = defaultdict(list)
    for (s, _t), c in sides.items():
        table = ix.table((s, _t))
        per_session[s].append(table.buyer_seats + table.supplier_seats - c["buyer"] - c["supplier"])
    for s, fills in per_session.items():
        if len(fills) > 1:
            fill_range += max(fills) - min(fills)
    pairs = sum(n * (n - 1) // 2 for (s, _t), n in rivals.items() if len(ix.sessions[s].tables) > 1)
    return {
        "interest_value": value,
        "seated": len(placed),
        "open_tables": len(sides),
        "closed_tables": len(ix.table_keys) - len(sides),
        "side_gap_total": sum(gaps),
        "side_gap_mean": round(sum(gaps) / len(gaps), 3) if gaps else 0.0,
        "fill_range_total": fill_range,
        "competitor_pairs": pairs,
    }


def is_competitor(ix: Index, p: int, s: int) -> bool:
    return ix.people[p].role == "supplier" and ix.sessions[s].product_group in ix.main_groups[p]
