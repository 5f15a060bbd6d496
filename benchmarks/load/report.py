"""After a load run: the per-endpoint latency table from locust's CSV, then the database
checks (no participant or table booked twice at once, no pair with two open requests).
Given the CPU file and gunicorn's access log of the run, also the CPU each process group
spent per request over the measured window, and the time requests took inside the server
(without the wait for a free worker) over the same window.

Usage: python benchmarks/load/report.py STATS_CSV DATABASE_URL [LOAD_START_UTC_ISO
       [CPU_JSON [ACCESS_LOG]]]
(exit 1 on a double booking)
"""
from __future__ import annotations

import csv
import json
import math
import os
import re
import sys
from datetime import datetime

from sqlalchemy import create_engine, text

from matchmaker.config import normalise_database_url

CHECKS = {
    "participant in two meetings at overlapping times": """
        SELECT count(*) FROM booking b1
        JOIN booking b2 ON b1.participation_id = b2.participation_id
                       AND b1.meeting_id < b2.meeting_id
        JOIN slot s1 ON s1.id = b1.slot_id
        JOIN slot s2 ON s2.id = b2.slot_id
        WHERE s1.starts_at < s2.ends_at AND s2.starts_at < s1.ends_at""",
    "table with two meetings in one slot": """
        SELECT count(*) FROM (SELECT slot_id, table_id FROM meeting
                              GROUP BY slot_id, table_id HAVING count(*) > 1) AS doubles""",
    "pair with two open requests": """
        SELECT count(*) FROM (SELECT event_id, pair_low, pair_high FROM meeting_request
                              WHERE status IN ('PENDING', 'ACCEPTED', 'pending', 'accepted')
                              GROUP BY event_id, pair_low, pair_high
                              HAVING count(*) > 1) AS doubles""",
}


def latency_table(path: str) -> tuple[str, int]:
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    lines = ["| endpoint | requests | errors | p50 ms | p95 ms | p99 ms |",
             "|---|---:|---:|---:|---:|---:|"]
    failures = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        method = f'{row["Type"]} ' if row["Type"] else ""
        failures += int(row["Failure Count"]) if row["Name"] == "Aggregated" else 0
        lines.append(f'| {method}{name} | {row["Request Count"]} | {row["Failure Count"]} | '
                     f'{row["50%"]} | {row["95%"]} | {row["99%"]} |')
    return "\n".join(lines), failures


def database_checks(url: str, since: datetime | None = None) -> dict[str, int]:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        found = {what: int(conn.scalar(text(sql))) for what, sql in CHECKS.items()}
        found["meetings in the published schedule"] = int(conn.scalar(text(
            "SELECT count(*) FROM meeting")))
        found["requests accepted"] = int(conn.scalar(text(
            "SELECT count(*) FROM meeting_request WHERE status IN ('ACCEPTED', 'accepted')")))
        # The writes of the run itself: requests the simulated users sent (their message
        # is "Load test") and requests they accepted.
        found["requests sent during the run"] = int(conn.scalar(text(
            "SELECT count(*) FROM meeting_request WHERE message = 'Load test'")))
        if since is not None:
            found["requests accepted during the run"] = int(conn.scalar(text(
                "SELECT count(*) FROM meeting_request WHERE status IN ('ACCEPTED', 'accepted') "
                "AND responded_at >= :since"), {"since": since}))
            # With live booking on, an accept places its meeting in the same request.
            found["meetings placed by those accepts"] = int(conn.scalar(text(
                "SELECT count(*) FROM meeting JOIN meeting_request r ON r.id = meeting.request_id "
                "WHERE r.responded_at >= :since"), {"since": since}))
    engine.dispose()
    return found


def cpu_table(path: str) -> str:
    """CPU seconds per process group over the measured window, per request and as a share
    of the machine's cores; 'other' is what the rest of the machine used meanwhile."""
    with open(path) as handle:
        found = json.load(handle)
    spent, requests = found["cpu"], found["requests"]
    seconds = found["to"] - found["from"]
    cores = found.get("cores", 2)
    ours = {name: spent[name] for name in spent if name not in ("machine", "stolen")}
    ours["other"] = max(0.0, spent["machine"] - sum(ours.values()))
    lines = [f"CPU over the {seconds:.0f} s measured ({requests} requests, "
             f"{requests / seconds:.1f} a second; {cores} cores):", "",
             "| process group | CPU s | ms per request | share of the cores |",
             "|---|---:|---:|---:|"]
    for name, value in ours.items():
        lines.append(f"| {name} | {value:.1f} | {1000 * value / max(requests, 1):.1f} | "
                     f"{100 * value / (seconds * cores):.0f}% |")
    lines.append(f"| **machine busy** | {spent['machine']:.1f} | | "
                 f"{100 * spent['machine'] / (seconds * cores):.0f}% |")
    if spent.get("stolen"):
        lines.append(f"\nStolen by the hypervisor meanwhile: {spent['stolen']:.1f} CPU s.")
    return "\n".join(lines)


ACCESS = re.compile(r'\[(?P<at>[^]]+)\] <?\d+>? (?P<status>\d+) (?P<ms>\d+) ms "(?P<method>\S+) '
                    r'(?P<path>[^ ?"]+)')


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def server_table(access_log: str, start: float, end: float) -> str:
    """Per endpoint, the time gunicorn's worker spent on each request that ended inside
    [start, end] (the access log's times have one-second resolution)."""
    times: dict[str, list[int]] = {}
    with open(access_log) as handle:
        for line in handle:
            match = ACCESS.match(line)
            if match is None:
                continue
            at = datetime.strptime(match["at"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
            if not start <= at <= end:
                continue
            name = f'{match["method"]} {re.sub(r"/[0-9]+", "/[id]", match["path"])}'
            times.setdefault(name, []).append(int(match["ms"]))
    everything = [ms for values in times.values() for ms in values]
    if not everything:
        return "No request in the access log inside the measured window."
    lines = ["Time inside the server (gunicorn's access log, same window; the rest of "
             "locust's time is the wait for a free worker):", "",
             "| endpoint | requests | p50 ms | p95 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    for name, values in sorted(times.items()) + [("**all**", everything)]:
        lines.append(f"| {name} | {len(values)} | {percentile(values, 0.5)} | "
                     f"{percentile(values, 0.95)} | {percentile(values, 0.99)} |")
    return "\n".join(lines)


def main() -> int:
    stats, url = sys.argv[1], sys.argv[2]
    since = datetime.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else None
    table, failures = latency_table(stats)
    print(table)
    print()
    if len(sys.argv) > 4 and os.path.exists(sys.argv[4]):
        print(cpu_table(sys.argv[4]))
        print()
        if len(sys.argv) > 5:
            with open(sys.argv[4]) as handle:
                window = json.load(handle)
            print(server_table(sys.argv[5], window["from"], window["to"]))
            print()
    print(f"Failed requests: {failures}")
    found = database_checks(url, since)
    for what, count in found.items():
        print(f"{what}: {count}")
    doubles = sum(found[what] for what in CHECKS)
    print("Double bookings: none" if doubles == 0 else f"DOUBLE BOOKINGS: {doubles}")
    return 1 if doubles else 0


if __name__ == "__main__":
    sys.exit(main())
