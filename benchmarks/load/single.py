"""The CPU one request of each load-test page costs, one request at a time.

Run against the database of a load run (`KEEP=1 benchmarks/load/run.sh` keeps it; start
its PostgreSQL again with `scripts/pg-test-server.sh start /tmp/matchmaker-load.XXX/pg`):

    DATABASE_URL=postgresql://... python benchmarks/load/single.py [--repeat 20]
        [--pg-pid PID] [--accounts buyer1@demo.example,supplier1@demo.example]

For each page of the load test's task mix, as a buyer and as a supplier: the median CPU
time of the application process (Flask test client, warm indexes), of PostgreSQL (when
--pg-pid names its postmaster), the SQL statements run and the size of the page. The
accept-and-place POST is measured on pending requests the account has received (each
one accepted for real: the run changes the database, as the load test does).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

from sqlalchemy import event as sa_event, select

sys.path.insert(0, os.path.dirname(__file__))
import cpu  # noqa: E402
from pages import LISTING, MOVE, NEW_REQUEST, PASSWORD, SLUG, TOKEN  # noqa: E402

from matchmaker import create_app  # noqa: E402
from matchmaker.extensions import db  # noqa: E402
from matchmaker.models import MeetingRequest, Participation, RequestStatus, User  # noqa: E402



@dataclass
class Samples:
    cpu_ms: list[float] = field(default_factory=list)
    pg_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    size: list[int] = field(default_factory=list)


class Probe:
    def __init__(self, app, pg_pid: int | None) -> None:
        self.app = app
        self.pg_pid = pg_pid
        self.statements = 0
        with app.app_context():
            sa_event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.statements += 1

    def measure(self, samples: Samples, call) -> object:
        self.statements = 0
        pg_before = cpu.tree_seconds(self.pg_pid) if self.pg_pid else 0.0
        before = time.process_time()
        response = call()
        samples.cpu_ms.append(1000 * (time.process_time() - before))
        if self.pg_pid:
            samples.pg_ms.append(1000 * (cpu.tree_seconds(self.pg_pid) - pg_before))
        samples.statements.append(self.statements)
        samples.size.append(len(response.data))
        return response


def login(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": TOKEN.search(page).group(1)})
    if response.status_code != 302:
        sys.exit(f"login of {email} answered {response.status_code}")


def pending_for(app, email: str) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(
            select(MeetingRequest.id).join(Participation, Participation.id
                                           == MeetingRequest.recipient_id)
            .join(User).where(User.email == email,
                              MeetingRequest.status == RequestStatus.PENDING)))


def probe_account(app, probe: Probe, email: str, repeat: int) -> dict[str, Samples]:
    client = app.test_client()
    login(client, email)
    found: dict[str, Samples] = {}

    def get(name: str, url: str):
        return probe.measure(found.setdefault(name, Samples()), lambda: client.get(url))

    base = f"/events/{SLUG}"
    for url in (f"{base}/market", f"{base}/suggestions", f"{base}/agenda"):  # warm the indexes
        client.get(url)
    for n in range(repeat):
        word = ["", "textile", "reuse", "furniture"][n % 4]
        page = get("GET market", f"{base}/market?q={word}").get_data(as_text=True)
        listings = LISTING.findall(page)
        if listings:
            get("GET listing", f"{base}/listings/{listings[n % len(listings)]}")
        page = get("GET suggestions", f"{base}/suggestions").get_data(as_text=True)
        targets = NEW_REQUEST.findall(page)
        if targets:
            get("GET request form", f"{base}/requests/new/{targets[n % len(targets)]}")
        get("GET requests", f"{base}/requests?tab=incoming")
        page = get("GET agenda", f"{base}/agenda").get_data(as_text=True)
        meetings = MOVE.findall(page)
        if meetings:
            get("GET meeting move", f"{base}/meetings/{meetings[n % len(meetings)]}/move")
        get("GET me", f"{base}/me")
    waiting = pending_for(app, email)
    for request_id in waiting[:repeat]:
        get("GET request place", f"{base}/requests/{request_id}/place")
    page = client.get(f"{base}/requests?tab=incoming").get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    for request_id in waiting[:repeat]:
        response = probe.measure(found.setdefault("POST accept", Samples()), lambda: client.post(
            f"{base}/requests/{request_id}/accept", data={"csrf_token": token}))
        if response.status_code != 302:
            sys.exit(f"accept of request {request_id} answered {response.status_code}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg-pid", type=int)
    parser.add_argument("--accounts", default="buyer1@demo.example,supplier1@demo.example")
    args = parser.parse_args()
    app = create_app({"RATELIMIT_ENABLED": False})
    probe = Probe(app, args.pg_pid)
    print("| page | account | requests | app CPU ms | PostgreSQL CPU ms | SQL statements "
          "| KB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for email in args.accounts.split(","):
        for name, samples in probe_account(app, probe, email, args.repeat).items():
            pg = f"{statistics.median(samples.pg_ms):.1f}" if samples.pg_ms else "–"
            print(f"| {name} | {email.split('@')[0]} | {len(samples.cpu_ms)} | "
                  f"{statistics.median(samples.cpu_ms):.1f} | {pg} | "
                  f"{statistics.median(samples.statements):.0f} | "
                  f"{statistics.median(samples.size) / 1024:.0f} |")


if __name__ == "__main__":
    main()
