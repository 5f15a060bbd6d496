"""Market-dialogue benchmark: interest value against the proven bound, balance, time, memory.

Families of 200, 600 and 1,500 participants (generated with
`matchmaker.marketdialogue.generate`: 2-3 rounds of 6-13 parallel dialogues,
1-3 tables each, interests skewed to popular product groups). Each instance is
solved three times, each run in its own process so peak memory is its own:

- ``full``: the solver as shipped (interest, then balance and spread);
- ``interest``: the solver without its balance phase (``balance=False``);
- ``bare``: the CP-SAT interest model alone, with no greedy or LP start: what a
  model that maximises interest alone gives.

Usage::

    .venv/bin/python benchmarks/dialogue_bench.py --time-limit 30 --workers 2

prints a Markdown table; ``--json FILE`` also saves the raw rows.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# (participants, rounds) per instance; the seed is the instance's position + 1.
FAMILIES: dict[int, list[int]] = {200: [2, 2, 3], 600: [2, 3, 3], 1500: [3, 3, 2]}
TARGET = 0.995


def run_one(participants: int, seed: int, rounds: int, mode: str, time_limit: float, workers: int) -> dict:
    from matchmaker.marketdialogue.check import check
    from matchmaker.marketdialogue.generate import generate
    from matchmaker.marketdialogue.solve import solve

    problem = generate(participants, seed, rounds=rounds)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    if mode == "bare":
        plan = bare_interest_model(problem, time_limit, workers, seed)
    else:
        plan = solve(problem, time_limit_s=time_limit, num_workers=workers, seed=seed, balance=(mode == "full"))
    seconds = time.monotonic() - started
    stats = plan.stats
    return {
        "participants": participants, "seed": seed, "rounds": rounds, "mode": mode,
        "sessions": len(problem.sessions), "tables": sum(len(s.tables) for s in problem.sessions),
        "parallel": len(problem.sessions) // rounds,
        "interests": sum(len(p.interests) for p in problem.participants),
        "status": plan.status, "value": stats["interest_value"], "bound": stats["upper_bound"],
        "ratio": stats["interest_value"] / stats["upper_bound"] if stats["upper_bound"] else 1.0,
        "open": stats["open_tables"], "closed": stats["closed_tables"], "seated": stats["seated"],
        "side_gap_mean": stats["side_gap_mean"], "side_gap_total": stats["side_gap_total"],
        "fill_range": stats["fill_range_total"], "pairs": stats["competitor_pairs"],
        "seconds": round(seconds, 1), "valid": not check(problem, plan),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": round((load_before + os.getloadavg()[0]) / 2, 1), "phases": stats.get("phases", {}),
    }


def bare_interest_model(problem, time_limit: float, workers: int, seed: int):
    """The CP-SAT interest model alone: no greedy or LP start, no balance phase.

    What a model maximising interest alone gives; its bound is the better of
    CP-SAT's and the LP's.
    """
    import math

    from ortools.sat.python import cp_model

    from matchmaker.marketdialogue.bound import lp_bound
    from matchmaker.marketdialogue.index import Index
    from matchmaker.marketdialogue.measures import measure
    from matchmaker.marketdialogue.model import build, extract
    from matchmaker.marketdialogue.problem import Plan
    from matchmaker.marketdialogue.reasons import explain
    from matchmaker.marketdialogue.solve import _seats

    ix = Index(problem)
    m = build(ix)
    m.model.maximize(m.interest)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(m.model)
    placed = extract(m, solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else []
    stats = measure(ix, placed)
    bounds = [b for b in (lp_bound(ix), math.floor(solver.best_objective_bound + 1e-6)) if b is not None]
    stats["upper_bound"] = max(stats["interest_value"], min(bounds))
    closed, unseated = explain(ix, placed, False)
    return Plan(status="optimal" if stats["interest_value"] == stats["upper_bound"] else "feasible",
                seats=_seats(ix, placed), closed_tables=tuple(closed), unseated=tuple(unseated),
                stats=stats)


def run_isolated(participants: int, seed: int, rounds: int, mode: str, time_limit: float, workers: int) -> dict:
    command = [sys.executable, __file__, "--one", str(participants), str(seed), str(rounds), mode,
               "--time-limit", str(time_limit), "--workers", str(workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    by_key = {(r["participants"], r["seed"], r["mode"]): r for r in rows}
    lines = [
        "| family | seed | rounds x parallel | tables | interests | value / bound | ratio | status "
        "| open / closed | side gap | fill range | rival pairs | s | MB "
        "| alone: ratio | alone: side gap | alone: fill range | alone: rival pairs "
        "| bare: ratio | bare: side gap | bare: fill range | bare: rival pairs | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (participants, seed, mode), full in sorted(by_key.items()):
        if mode != "full":
            continue
        alone = by_key.get((participants, seed, "interest"))
        cells = [str(participants), str(seed), f"{full['rounds']} x {full['parallel']}", str(full["tables"]),
                 str(full["interests"]), f"{full['value']} / {full['bound']}", f"{100 * full['ratio']:.2f}%",
                 full["status"], f"{full['open']} / {full['closed']}", f"{full['side_gap_mean']:.2f}",
                 str(full["fill_range"]), str(full["pairs"]), f"{full['seconds']:.1f}", str(full["peak_mb"])]
        loads = [str(full["load"])]
        for other in (alone, by_key.get((participants, seed, "bare"))):
            if other:
                cells += [f"{100 * other['ratio']:.2f}%", f"{other['side_gap_mean']:.2f}", str(other["fill_range"]),
                          str(other["pairs"])]
                loads.append(str(other["load"]))
            else:
                cells += ["-"] * 4
        cells.append(" / ".join(loads))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(rows: list[dict]) -> str:
    out = []
    for participants in sorted({r["participants"] for r in rows}):
        full = [r for r in rows if r["participants"] == participants and r["mode"] == "full"]
        alone = [r for r in rows if r["participants"] == participants and r["mode"] == "interest"]
        if not full:
            continue
        worst = min(r["ratio"] for r in full)
        line = (f"- {participants} participants: worst ratio {100 * worst:.2f}% "
                f"({'meets' if worst >= TARGET else 'misses'} the {100 * TARGET:.1f}% target), "
                f"mean side gap {sum(r['side_gap_mean'] for r in full) / len(full):.2f}, "
                f"fill range {sum(r['fill_range'] for r in full) / len(full):.1f}, "
                f"rival pairs {sum(r['pairs'] for r in full) / len(full):.0f}")
        for label, alone in (("our start without the balance phase", alone),
                             ("bare interest model", [r for r in rows if r["participants"] == participants
                                                      and r["mode"] == "bare"])):
            if not alone:
                continue
            line += (f"; {label}: worst ratio {100 * min(r['ratio'] for r in alone):.2f}%, "
                     f"side gap {sum(r['side_gap_mean'] for r in alone) / len(alone):.2f}, "
                     f"fill range {sum(r['fill_range'] for r in alone) / len(alone):.1f}, "
                     f"rival pairs {sum(r['pairs'] for r in alone) / len(alone):.0f}")
        out.append(line)
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--families", type=int, nargs="*", default=sorted(FAMILIES))
    parser.add_argument("--instances", type=int, default=3, help="instances per family (at most 3)")
    parser.add_argument("--modes", nargs="*", default=["full", "interest", "bare"],
                        choices=["full", "interest", "bare"])
    parser.add_argument("--json", type=Path, help="also write the raw rows here")
    parser.add_argument("--one", nargs=4, metavar=("PARTICIPANTS", "SEED", "ROUNDS", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        participants, seed, rounds, mode = args.one
        print(json.dumps(run_one(int(participants), int(seed), int(rounds), mode, args.time_limit, args.workers)))
        return
    rows = []
    for participants in args.families:
        for index, rounds in enumerate(FAMILIES.get(participants, [2, 3, 3])[: args.instances]):
            for mode in args.modes:
                row = run_isolated(participants, index + 1, rounds, mode, args.time_limit, args.workers)
                rows.append(row)
                print(f"{participants:5d} seed {index + 1} {mode:8s} {row['value']}/{row['bound']} "
                      f"{100 * row['ratio']:.2f}% gap {row['side_gap_mean']:.2f} {row['seconds']} s "
                      f"{row['peak_mb']} MB load {row['load']} valid {row['valid']}", file=sys.stderr)
                if args.json:
                    args.json.write_text(json.dumps(rows, indent=1))
    print(table(rows))
    print()
    print(summary(rows))


if __name__ == "__main__":
    main()
