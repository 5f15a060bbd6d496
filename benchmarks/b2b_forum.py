"""Benchmark `solve()`, the scheduler users run, on the published B2B-forum instances
(Bofill et al.).

Every requested meeting must be scheduled; the objective is the number of holes
(idle gaps), compared with the minimum an exact MaxSAT method reported
(`published_holes.csv`). The instances stay in the shared data folder; they are
read from there, never copied into the project.

    python benchmarks/b2b_forum.py [--data DIR] [--time-limit 30] [--workers 2] [--only NAME]
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
REPO = _HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from b2b_forum_dzn import read_instance  # noqa: E402 - after the sys.path set-up above

from matchmaker.scheduling.problem import Problem, Schedule  # noqa: E402 - after the sys.path set-up above

DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "b2b-forum"


def check(problem: Problem, placements: dict[str, tuple[str, str]]) -> list[str]:
    """Hard-rule violations of a result on a benchmark problem (pooled tables only)."""
    errors: list[str] = []
    parts = {p.id: p for p in problem.participants}
    tables = {t.id for t in problem.tables}
    seen_part: set[tuple[str, str]] = set()
    seen_table: set[tuple[str, str]] = set()
    for m in problem.meetings:
        got = placements.get(m.id)
        if got is None:
            errors.append(f"{m.id} not placed")
            continue
        slot, table = got
        if table not in tables:
            errors.append(f"{m.id} at unknown table {table}")
        if m.available is not None and slot not in m.available:
            errors.append(f"{m.id} outside its session")
        if m.fixed is not None and slot != m.fixed.slot:
            errors.append(f"{m.id} moved from its pin")
        for pid in m.participants:
            av = parts[pid].available
            if av is not None and slot not in av:
                errors.append(f"{m.id}: {pid} not available at {slot}")
            if (pid, slot) in seen_part:
                errors.append(f"{pid} twice at {slot}")
            seen_part.add((pid, slot))
        if (table, slot) in seen_table:
            errors.append(f"{table} twice at {slot}")
        seen_table.add((table, slot))
    return errors


def count_holes(problem: Problem, placements: dict[str, tuple[str, str]]) -> int:
    """Holes as the published model counts them: per business, over the whole day.

    A hole ends at slot t+1 when the business meets at t+1, not at t, and at some
    slot before t. The lunch break is not a slot, so meetings at the last morning
    slot and the first afternoon slot are consecutive.
    """
    order = {s.id: i for i, s in enumerate(problem.slots)}
    busy: dict[str, set[int]] = {}
    for m in problem.meetings:
        i = order[placements[m.id][0]]
        for pid in m.participants:
            busy.setdefault(pid, set()).add(i)
    holes = 0
    for used in busy.values():
        first = min(used)
        holes += sum(1 for t in range(first, len(order) - 1) if t not in used and t + 1 in used)
    return holes


def load_published(data_dir: Path) -> dict[str, int]:
    with open(data_dir / "published_holes.csv", newline="", encoding="utf-8") as fh:
        return {row["instance"]: int(row["published_min_holes"]) for row in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the .dzn files")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per instance")
    ap.add_argument("--workers", type=int, default=2, help="solver workers (cores)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", action="append", default=[], help="instance name (repeatable; prefix ok)")
    args = ap.parse_args(argv)
    # imported here: the solver's spawned children import this module again
    from matchmaker.scheduling import solve

    if not args.data.is_dir():
        print(f"data folder not found: {args.data}", file=sys.stderr)
        return 2
    published = load_published(args.data)
    files = sorted(args.data.glob("*.dzn"))
    if args.only:
        files = [f for f in files if any(f.name.startswith(o) for o in args.only)]
    if not files:
        print("no instance selected", file=sys.stderr)
        return 2

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"time limit {args.time_limit:g} s, {args.workers} workers, seed {args.seed}, "
          f"load average at start {load:.2f}")
    header = (f"| {'instance':<28} | meetings | participants | holes | published | lower bound | seconds "
              f"| holes status |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    ours_total = pub_total = matched = 0
    bad = False
    for path in files:
        inst = read_instance(path)
        problem = inst.problem
        t0 = time.monotonic()
        schedule: Schedule = solve(problem, time_limit_s=args.time_limit, num_workers=args.workers,
                                   seed=args.seed)
        secs = time.monotonic() - t0
        placements = {a.meeting: (a.slot, a.table) for a in schedule.assignments}
        errors = check(problem, placements)
        holes = count_holes(problem, placements) if not errors else None
        gaps, bound = schedule.stats["idle_gaps"], schedule.stats["idle_gaps_bound"]
        if holes is not None and holes != gaps:
            errors.append(f"solve reported {gaps} idle gaps, the published formula gives {holes}")
        pub = published.get(path.name)
        if errors:
            bad = True
            print(f"  {path.name}: INVALID: {'; '.join(errors[:3])}", file=sys.stderr)
        ours = "-" if holes is None else str(holes)
        if holes is not None:
            ours_total += holes
            if pub is not None and holes <= pub:
                matched += 1
        pub_total += pub or 0
        print(f"| {path.name:<28} | {len(problem.meetings):>8} | {len(problem.participants):>12} "
              f"| {ours:>5} | {'-' if pub is None else pub:>9} | {bound:>11} "
              f"| {secs:>7.1f} | {'optimal' if gaps <= bound else 'feasible':<12} |", flush=True)
    print(f"\ntotal holes: ours {ours_total}, published {pub_total}; "
          f"matched or better on {matched} of {len(files)}")
    if hasattr(os, "getloadavg"):
        print("load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
