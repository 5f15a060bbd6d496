"""Benchmark the one-to-one meeting scheduler against first-come-first-served.

    .venv/bin/python benchmarks/scheduling_bench.py [--family NAME] [--time-limit S]

Each instance runs in its own subprocess so that the peak memory (maxrss) is
that instance's alone; when `solve()` works day by day in child processes,
their largest peak is printed too. Prints one Markdown table row per family, then the
re-solve scenario (5% cancellations and 5% new requests after publishing).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchmaker.scheduling import (  # noqa: E402 - after the sys.path set-up above
    Meeting,
    Placement,
    Problem,
    check,
    fcfs,
    generate,
    solve,
)
from matchmaker.scheduling.generate import trade_exchange  # noqa: E402 - after the sys.path set-up above

# name: (attendees, generator keyword arguments, time limit in seconds)
FAMILIES: dict[str, tuple[int, dict, float]] = {
    "200": (200, {"slots": 16}, 10.0),
    "200-stands": (200, {"slots": 12, "stands": True}, 10.0),
    "500-scarce": (500, {"slots": 12, "scarce_tables": True}, 60.0),
    "1000-2days-stands": (1000, {"days": 2, "slots": 20, "stands": True}, 60.0),
    "2000-2days": (2000, {"days": 2, "slots": 24}, 60.0),
    "2000-scarce-stands": (2000, {"slots": 16, "scarce_tables": True, "stands": True}, 60.0),
    "5000-2days": (5000, {"days": 2, "slots": 20}, 120.0),
}
# The scale of the largest trade exchanges (`generate.trade_exchange`): 700 buyers,
# 1,500 suppliers at their stands, 3 days of 20 slots, about 40,000 accepted requests.
EXCHANGE_FAMILIES: dict[str, tuple[dict, float]] = {
    "exchange-700x1500-3days": ({"buyers": 700, "suppliers": 1500, "days": 3,
                                 "slots_per_day": 20}, 600.0),
}
RESOLVE_FAMILY = "1000-2days-stands"
SEED = 1


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def _family(family: str) -> tuple[Problem, int, float]:
    """The family's instance, its number of attendees and its default time limit."""
    if family in EXCHANGE_FAMILIES:
        kwargs, limit = EXCHANGE_FAMILIES[family]
        return trade_exchange(SEED, **kwargs), kwargs["buyers"] + kwargs["suppliers"], limit
    attendees, kwargs, limit = FAMILIES[family]
    return generate(attendees, SEED, **kwargs), attendees, limit


def run_one(family: str, time_limit: float | None, decompose: bool | None = None) -> dict:
    problem, attendees, default_limit = _family(family)
    limit = time_limit or default_limit
    baseline = fcfs(problem)
    started = time.perf_counter()
    schedule = solve(problem, time_limit_s=limit, num_workers=2, seed=0, decompose=decompose)
    seconds = time.perf_counter() - started
    violations = check(problem, schedule)
    return {"family": family, "attendees": attendees, "meetings": len(problem.meetings),
            "slots": len(problem.slots), "tables": len(problem.tables), "limit": limit,
            "status": schedule.status, "stats": schedule.stats, "fcfs": baseline.stats,
            "seconds": round(seconds, 1), "peak_mb": round(_peak_mb()),
            "child_peak_mb": round(_peak_mb(resource.RUSAGE_CHILDREN)), "valid": not violations}


def _changed(problem: Problem, placed: dict[str, Placement], seed: int) -> Problem:
    """The published schedule as `previous`, 5% of the meetings cancelled, 5% new requests."""
    rng = random.Random(seed)
    meetings = [replace(m, previous=placed.get(m.id)) for m in problem.meetings]
    cancelled = set(rng.sample([m.id for m in meetings], len(meetings) // 20))
    kept = [m for m in meetings if m.id not in cancelled]
    pairs = {frozenset(m.participants) for m in meetings}
    suppliers = [p.id for p in problem.participants if p.role == "supplier"]
    others = [p.id for p in problem.participants if p.role != "supplier"]
    new: list[Meeting] = []
    while len(new) < len(meetings) // 20:
        pair = (rng.choice(suppliers), rng.choice(others))
        if frozenset(pair) in pairs:
            continue
        pairs.add(frozenset(pair))
        new.append(Meeting(id=f"n{len(new) + 1:05d}", participants=pair,
                           priority=rng.choice((1, 1, 2, 3))))
    return replace(problem, meetings=tuple(kept + new))


def run_resolve(family: str, time_limit: float | None) -> dict:
    problem, _, default_limit = _family(family)
    limit = time_limit or default_limit
    first = solve(problem, time_limit_s=limit, num_workers=2, seed=0)
    placed = {a.meeting: Placement(a.slot, a.table) for a in first.assignments}
    changed = _changed(problem, placed, SEED)
    started = time.perf_counter()
    second = solve(changed, time_limit_s=limit, num_workers=2, seed=0)
    seconds = time.perf_counter() - started
    still = sum(1 for m in changed.meetings if m.previous is not None)
    slots_moved = sum(1 for a in second.assignments
                      if (p := placed.get(a.meeting)) is not None and p.slot != a.slot)
    return {"family": family, "previously_placed": still,
            "moved": second.stats["moved_from_previous"], "slot_moved": slots_moved,
            "new": sum(1 for m in changed.meetings if m.id.startswith("n")),
            "new_scheduled": sum(1 for a in second.assignments if a.meeting.startswith("n")),
            "value": second.stats["weighted_value"], "bound": second.stats["upper_bound"],
            "seconds": round(seconds, 1), "valid": not check(changed, second),
            "peak_mb": round(_peak_mb())}


def _subprocess(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark {args} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(r: dict) -> str:
    s, f = r["stats"], r["fcfs"]
    bound = s["upper_bound"] or 1
    peak = str(r["peak_mb"])
    if s.get("days_solved_apart"):
        peak += f" + {r['child_peak_mb']} per day process"
    return (f"| {r['family']} | {r['attendees']} | {r['meetings']} | {r['slots']} | "
            f"{s['weighted_value']} | {s['upper_bound']} | {s['weighted_value'] / bound:.2%} | "
            f"{f['weighted_value'] / bound:.2%} | {s['idle_gaps']} / {f['idle_gaps']} | "
            f"{s.get('idle_gaps_bound', '')} | "
            f"{s['table_changes']} / {f['table_changes']} | {s['min_share']:.2f} | "
            f"{r['status']} | {s.get('phase1_seconds', '')} | {r['seconds']} | {peak} | "
            f"{'yes' if r['valid'] else 'NO'} |")


HEADER = ("| family | attendees | meetings | slots | value | bound | value/bound | FCFS/bound "
          "| idle gaps ours / FCFS | idle gaps bound | table changes ours / FCFS | min share "
          "| status | phase 1 s | total s | peak MB | valid |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=sorted(FAMILIES) + sorted(EXCHANGE_FAMILIES)
                        + ["resolve"], action="append",
                        help="run only these families (repeatable); 'resolve' for the re-solve")
    parser.add_argument("--time-limit", type=float, help="override every family's time limit")
    parser.add_argument("--decompose", choices=("auto", "on", "off"), default="auto",
                        help="solve day by day: by size (auto), always or never")
    parser.add_argument("--run-one", help=argparse.SUPPRESS)
    parser.add_argument("--run-resolve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        decompose = {"auto": None, "on": True, "off": False}[args.decompose]
        print(json.dumps(run_one(args.run_one, args.time_limit, decompose)))
        return
    if args.run_resolve:
        print(json.dumps(run_resolve(args.run_resolve, args.time_limit)))
        return
    extra = ["--time-limit", str(args.time_limit)] if args.time_limit else []
    extra += ["--decompose", args.decompose]
    chosen = args.family or sorted(FAMILIES, key=lambda f: FAMILIES[f][0]) + \
        sorted(EXCHANGE_FAMILIES) + ["resolve"]
    print(f"load before: {os.getloadavg()[0]:.2f}, cores: {os.cpu_count()}", file=sys.stderr)
    print(HEADER, flush=True)
    for family in chosen:
        if family == "resolve":
            continue
        print(_row(_subprocess(["--run-one", family, *extra])), flush=True)
    if "resolve" in chosen:
        r = _subprocess(["--run-resolve", RESOLVE_FAMILY, *extra])
        print(f"\nRe-solve ({r['family']}, 5% cancelled, 5% new): {r['moved']} of "
              f"{r['previously_placed']} previously placed meetings moved or dropped "
              f"({r['moved'] / max(1, r['previously_placed']):.1%}; {r['slot_moved']} changed slot), "
              f"{r['new_scheduled']} of {r['new']} new requests placed, value {r['value']} "
              f"(bound {r['bound']}), {r['seconds']} s, {r['peak_mb']} MB, "
              f"valid: {'yes' if r['valid'] else 'NO'}", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
