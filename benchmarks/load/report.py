"""After a load run: the per-endpoint latency table from locust's CSV, then the database
checks (no participant or table booked twice at once, no pair with two open requests).

Usage: python benchmarks/load/report.py STATS_CSV DATABASE_URL [LOAD_START_UTC_ISO]
(exit 1 on a double booking)
"""
from __future__ import annotations

import csv
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


def main() -> int:
    stats, url = sys.argv[1], sys.argv[2]
    since = datetime.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else None
    table, failures = latency_table(stats)
    print(table)
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
