"""Reminders and broadcasts on the 2,000-attendee demo, through a local SMTP sink.

What users run, in separate processes as in production:

- the demo (`matchmaker seed-demo --attendees N`) and a published schedule
  (`matchmaker schedule demo --time-limit S --publish`);
- reminders: `matchmaker send-due`, the command cron runs every minute, with
  `MATCHMAKER_REMINDER_MINUTES` long enough that every meeting of the event is due;
- broadcasts: the console's send action (a POST to the broadcasts page as the demo
  organiser, through Flask's test client in this process), which saves the broadcast and
  enqueues `send-due` on the RQ queue of a private redis-server; `matchmaker worker`
  takes it and sends the batches;
- restarts: the worker (and the process running its job) is killed with SIGKILL half-way
  through a broadcast, a new worker is started, then `matchmaker send-due` runs as the
  next cron tick would; the same for reminders (`matchmaker send-due` killed half-way,
  run again).

Mail leaves through the app's own settings (`MATCHMAKER_MAIL_BACKEND=smtp`) to an
aiosmtpd server on loopback (benchmarks/mail_sink.py) that counts messages per
recipient and SMTP connections. Expected recipients come from the database (the
reminders the product finds due, the people of the segment who accept organisers'
e-mails). Peak memory is the maximum resident set of the sending process (for the RQ
worker: the worker or a job process it forked).

Usage (SQLite in a temporary folder, or PostgreSQL)::

    .venv/bin/python benchmarks/daymail_bench.py [--attendees 2000] [--schedule-s 30]
    .venv/bin/python benchmarks/daymail_bench.py --postgres    # scripts/pg-test-server.sh
    DATABASE_URL=postgresql://... .venv/bin/python benchmarks/daymail_bench.py  # empty database

Needs Debian's redis-server (and postgresql for --postgres) and the `queue` and `load`
extras (rq, aiosmtpd; the `test` extra has both). Exits non-zero if an e-mail was sent
twice, or is missing beyond the one a killed sender may lose (the one it was handing to
the mail server when it died).
"""
from __future__ import annotations

import argparse
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from mail_sink import MailSink, Window  # noqa: E402

MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")
BATCH_SIZE = 50
ORGANISER = "organiser@demo.example"
URL = "/events/demo/console/broadcasts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, timeout_s: float, every_s: float = 0.02) -> float:
    """Poll `check` until true; returns the time.monotonic() it became true."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(every_s)
    raise SystemExit(f"timed out after {timeout_s:.0f} s waiting for {what}")


def kill_point(total: int, fraction: float) -> int:
    """How many e-mails the sink has when the sender is killed: near `fraction` of them,
    in the middle of a batch (a kill between two batches would lose nothing by luck)."""
    return max(1, int(total * fraction) // BATCH_SIZE * BATCH_SIZE + BATCH_SIZE // 2)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


@dataclass
class Row:
    phase: str
    expected: int
    window: Window
    started: float
    queued: float | None = None  # seconds from start
    peak_mb: float | None = None
    missing: int = 0
    may_lose: int = 0  # e-mails in flight when a sender was killed
    notes: list[str] = field(default_factory=list)

    @property
    def received(self) -> int:
        return len(self.window.messages)

    @property
    def all_sent(self) -> float | None:
        if not self.window.messages:
            return None
        return max(m.at for m in self.window.messages) - self.started

    @property
    def first_connection(self) -> float | None:
        return (self.window.connections[0] - self.started) if self.window.connections else None


class Processes:
    """Child processes this benchmark started, with their peak memory once reaped."""

    def __init__(self, logs: Path, env: dict[str, str]) -> None:
        self.logs = logs
        self.env = env
        self.alive: dict[int, subprocess.Popen] = {}

    def start(self, name: str, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        process = subprocess.Popen([MATCHMAKER, *args], stdout=log, stderr=subprocess.STDOUT,
                                   env={**self.env, **(extra_env or {})}, start_new_session=True)
        log.close()
        self.alive[process.pid] = process
        return process

    def reap(self, process: subprocess.Popen) -> tuple[int, float]:
        """Wait for the process; its exit code and peak resident memory (MB, itself or any
        child it waited for)."""
        self.alive.pop(process.pid, None)
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        except ChildProcessError:  # already reaped by poll(): no usage to read
            return process.wait(), 0.0
        process.returncode = os.waitstatus_to_exitcode(status)
        return process.returncode, usage.ru_maxrss / 1024

    def stop_all(self) -> None:
        for process in list(self.alive.values()):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        self.alive.clear()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.sink_port = free_port()
        self.redis_port = free_port()
        self.cleanups: list = []
        self.env = dict(os.environ)
        self.env.update({
            "MATCHMAKER_INSTANCE_PATH": str(work / "instance"),
            "SECRET_KEY": secrets.token_hex(32),
            "MATCHMAKER_SECURE_COOKIES": "0",
            "MATCHMAKER_RUNS_BACKEND": "rq",
            "MATCHMAKER_RUNS_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "MATCHMAKER_MAIL_BACKEND": "smtp",
            "MATCHMAKER_MAIL_SERVER": "127.0.0.1",
            "MATCHMAKER_MAIL_PORT": str(self.sink_port),
            "MATCHMAKER_MAIL_TIMEOUT": "30",
            "MATCHMAKER_BASE_URL": "http://matchmaker.localhost",
        })
        self.env.pop("MATCHMAKER_REMINDER_MINUTES", None)
        # every slot of the demo (a week ahead) falls within the reminders' lead time
        self.all_due = {"MATCHMAKER_REMINDER_MINUTES": str(60 * 24 * 30)}
        (work / "logs").mkdir(parents=True)
        self.procs = Processes(work / "logs", self.env)
        self.rows: list[Row] = []

    # -- services ----------------------------------------------------------------------
    def start_services(self) -> None:
        if self.args.postgres and not os.environ.get("DATABASE_URL"):
            pg = self.work / "pg"
            os.chmod(self.work, 0o755)  # the postgres user reaches its data folder inside
            url = subprocess.run([str(ROOT / "scripts/pg-test-server.sh"), "start", str(pg)],
                                 check=True, capture_output=True, text=True,
                                 env={**os.environ, "PGPORT_TEST": str(free_port())}).stdout.strip()
            self.cleanups.append(lambda: subprocess.run(
                [str(ROOT / "scripts/pg-test-server.sh"), "stop", str(pg)], check=False))
            self.env["DATABASE_URL"] = url
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed (make redis installs it)")
        redis = subprocess.Popen(
            [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.work), "--daemonize", "no",
             "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.cleanups.append(lambda: (redis.terminate(), redis.wait()))
        from redis import Redis
        client = Redis(port=self.redis_port)

        def up() -> bool:
            try:
                return bool(client.ping())
            except OSError:
                return False
            except Exception:  # noqa: BLE001 - redis' own connection errors
                return False
        wait_for(up, "redis-server", 30)
        self.redis = client
        os.environ.update(self.env)  # the in-process app (the console) reads the same settings

    def close(self) -> None:
        self.procs.stop_all()
        for cleanup in reversed(self.cleanups):
            cleanup()

    # -- set-up ------------------------------------------------------------------------
    def setup(self) -> None:
        quiet = {"MATCHMAKER_MAIL_BACKEND": "memory", "MATCHMAKER_RUNS_BACKEND": "thread"}
        steps = [("init-db", ["init-db"]),
                 ("seed-demo", ["seed-demo", "--attendees", str(self.args.attendees)]),
                 ("schedule", ["schedule", "demo", "--time-limit", str(self.args.schedule_s),
                               "--publish"])]
        for name, command in steps:
            started = time.monotonic()
            process = self.procs.start(name, *command, extra_env=quiet)
            code, _peak = self.procs.reap(process)
            if code != 0:
                raise SystemExit(f"`matchmaker {' '.join(command)}` failed: see "
                                 f"{self.work / 'logs' / name}.log")
            print(f"  {name}: {time.monotonic() - started:.0f} s", flush=True)
        from matchmaker import create_app
        self.app = create_app()
        with self.app.app_context():
            from sqlalchemy import func, select

            from matchmaker.extensions import db
            from matchmaker.models import Meeting, MeetingStatus
            meetings = db.session.scalar(select(func.count()).select_from(Meeting).where(
                Meeting.status == MeetingStatus.SCHEDULED))
        print(f"  published: {meetings} meetings", flush=True)
        self.client = self.app.test_client()
        page = self.client.get("/login")
        response = self.client.post("/login", data={
            "email": ORGANISER, "password": self.app.config["DEMO_PASSWORD"],
            "csrf_token": csrf_token(page.data)})
        if response.status_code != 302:
            raise SystemExit(f"the organiser could not log in ({response.status_code})")

    # -- expectations --------------------------------------------------------------------
    def due_reminders(self) -> Counter[str]:
        from matchmaker.database import utcnow
        from matchmaker.extensions import db
        from matchmaker.notifications import reminders
        with self.app.app_context():
            due = reminders.due_reminders(db.session, utcnow(),
                                          int(self.all_due["MATCHMAKER_REMINDER_MINUTES"]))
            expected = Counter(r.participation.user.email.lower() for r in due)
            db.session.rollback()
        return expected

    def segment(self, segment: str, group_id: int | None) -> set[str]:
        from sqlalchemy import select

        from matchmaker.broadcasts import services
        from matchmaker.extensions import db
        from matchmaker.models import Event, Participation, ProductGroup, User
        with self.app.app_context():
            event = db.session.scalar(select(Event).where(Event.slug == "demo"))
            group = db.session.get(ProductGroup, group_id) if group_id else None
            people = services.segment_query(event, segment, group).subquery()
            emails = set(db.session.scalars(
                select(User.email).join(Participation, Participation.user_id == User.id)
                .where(Participation.id.in_(select(people.c.id)),
                       User.organiser_mail.is_(True))))
            db.session.rollback()
        return {e.lower() for e in emails}

    def largest_group(self) -> tuple[int, str]:
        from sqlalchemy import func, select

        from matchmaker.extensions import db
        from matchmaker.models import (Event, Participation, ProductGroup,
                                       participation_product_group as ppg)
        with self.app.app_context():
            event = db.session.scalar(select(Event).where(Event.slug == "demo"))
            group_id, _count = db.session.execute(
                select(ppg.c.product_group_id, func.count())
                .join(Participation, Participation.id == ppg.c.participation_id)
                .where(Participation.event_id == event.id)
                .group_by(ppg.c.product_group_id).order_by(func.count().desc())).first()
            name = db.session.get(ProductGroup, group_id).name
            db.session.rollback()
        return group_id, name

    def receipts(self, kind: str, ref_id: int | None = None) -> set[str]:
        from sqlalchemy import select

        from matchmaker.extensions import db
        from matchmaker.models import MailReceipt, Participation, User
        with self.app.app_context():
            query = (select(User.email).join(Participation, Participation.user_id == User.id)
                     .join(MailReceipt, MailReceipt.participation_id == Participation.id)
                     .where(MailReceipt.kind == kind))
            if ref_id is not None:
                query = query.where(MailReceipt.ref_id == ref_id)
            emails = set(db.session.scalars(query))
            db.session.rollback()
        return {e.lower() for e in emails}

    def receipt_count(self, kind: str, ref_id: int | None = None) -> int:
        from sqlalchemy import func, select

        from matchmaker.extensions import db
        from matchmaker.models import MailReceipt
        with self.app.app_context():
            query = select(func.count()).select_from(MailReceipt).where(MailReceipt.kind == kind)
            if ref_id is not None:
                query = query.where(MailReceipt.ref_id == ref_id)
            count = db.session.scalar(query) or 0
            db.session.rollback()
        return count

    def forget_reminders(self) -> None:
        """Make every reminder due again, as if none had been sent."""
        from sqlalchemy import delete

        from matchmaker.extensions import db
        from matchmaker.models import MailReceipt, Notification
        with self.app.app_context():
            db.session.execute(delete(MailReceipt).where(MailReceipt.kind == "reminder"))
            db.session.execute(delete(Notification).where(Notification.kind == "meeting_reminder"))
            db.session.commit()

    # -- phases --------------------------------------------------------------------------
    def send_due(self, name: str) -> tuple[int, float]:
        return self.procs.reap(self.procs.start(name, "send-due", extra_env=self.all_due))

    def idle_send_due(self) -> None:
        started = time.monotonic()
        code, peak = self.procs.reap(self.procs.start("send-due-idle", "send-due"))
        print(f"  an idle `matchmaker send-due` (nothing due): {time.monotonic() - started:.1f} s, "
              f"{peak:.0f} MB (process start, app, three queries)", flush=True)

    def reminders(self, kill_fraction: float | None = None) -> Row:
        expected = self.due_reminders()
        total = sum(expected.values())
        mark = self.sink.count.mark()
        started = time.monotonic()
        process = self.procs.start("send-due-reminders", "send-due", extra_env=self.all_due)
        row = Row("reminders" if kill_fraction is None else "reminders, killed and run again",
                  total, Window([], []), started, may_lose=0 if kill_fraction is None else 1)
        if kill_fraction is not None:
            kill_at = kill_point(total, kill_fraction)
            wait_for(lambda: self.sink.count.count_since(mark) >= kill_at or process.poll() is not None,
                     "half the reminders", 1800, every_s=0.005)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            self.procs.reap(process)
            at_kill = self.sink.count.count_since(mark)
            receipts = self.receipt_count("reminder")
            row.notes.append(f"killed at {at_kill} received, {receipts} receipts")
            code, peak = self.send_due("send-due-reminders-again")
        else:
            code, peak = self.procs.reap(process)
        if code != 0:
            raise SystemExit(f"send-due exited with {code}: see {self.work / 'logs'}")
        row.window = self.sink.count.since(mark)
        row.peak_mb = peak
        row.queued = row.first_connection
        got = row.window.per_recipient()
        row.missing = sum(max(0, n - got[to]) for to, n in expected.items())
        unexpected = sum(max(0, n - expected[to]) for to, n in got.items())
        if unexpected > row.window.duplicates():
            row.notes.append(f"{unexpected} beyond the expected count per person")
        self.rows.append(row)
        return row

    def start_worker(self, name: str) -> subprocess.Popen:
        from rq import Worker
        worker = self.procs.start(name, "worker")
        wait_for(lambda: any(w.pid == worker.pid for w in Worker.all(connection=self.redis)),
                 "the RQ worker", 60, every_s=0.05)
        return worker

    def stop_worker(self, worker: subprocess.Popen) -> float:
        os.kill(worker.pid, signal.SIGTERM)  # warm shutdown: finishes its job first
        _code, peak = self.procs.reap(worker)
        return peak

    def broadcast(self, label: str, segment: str, group_id: int | None = None,
                  kill_fraction: float | None = None) -> Row:
        expected = self.segment(segment, group_id)
        worker = self.start_worker(f"worker-{len(self.rows)}")
        mark = self.sink.count.mark()
        page = self.client.get(URL)
        data = {"segment": segment, "product_group": str(group_id or 0),
                "subject": f"Bench {len(self.rows)}: {label}",
                "body": "The plenary session starts in hall A at 14:00.",
                "send": "Send", "csrf_token": csrf_token(page.data)}
        started = time.monotonic()
        response = self.client.post(URL, data=data)
        queued = time.monotonic() - started
        if response.status_code != 302:
            raise SystemExit(f"the broadcast was refused ({response.status_code})")
        broadcast_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        row = Row(label, len(expected), Window([], []), started, queued=queued,
                  may_lose=0 if kill_fraction is None else 1)
        received = lambda: self.sink.count.count_since(mark)  # noqa: E731
        if kill_fraction is None:
            wait_for(lambda: received() >= len(expected), "the broadcast", 1800)
            row.peak_mb = self.stop_worker(worker)
        else:
            kill_at = kill_point(len(expected), kill_fraction)
            wait_for(lambda: received() >= kill_at,
                     "half the broadcast", 1800, every_s=0.005)
            horses = children(worker.pid)
            os.kill(worker.pid, signal.SIGKILL)
            for pid in horses:
                os.kill(pid, signal.SIGKILL)
            self.procs.reap(worker)
            at_kill = received()
            receipts = self.receipt_count("broadcast", broadcast_id)
            row.notes.append(f"worker and job killed at {at_kill} received, {receipts} receipts")
            worker = self.start_worker(f"worker-{len(self.rows)}-new")
            time.sleep(self.args.settle_s)
            row.notes.append(f"{received() - at_kill} sent by the new worker in "
                             f"{self.args.settle_s:.0f} s")
            code, peak = self.send_due(f"send-due-after-kill-{len(self.rows)}")
            if code != 0:
                raise SystemExit(f"send-due exited with {code}")
            row.peak_mb = max(peak, self.stop_worker(worker))
        row.window = self.sink.count.since(mark)
        got = row.window.per_recipient()
        row.missing = len(expected - set(got))
        lost = self.receipts("broadcast", broadcast_id) - set(got)
        if lost:
            row.notes.append(f"{len(lost)} with a receipt but no e-mail")
        strangers = set(got) - expected
        if strangers:
            row.notes.append(f"{len(strangers)} outside the segment")
        row.notes.append(f"{math.ceil(len(expected) / BATCH_SIZE)} batches of {BATCH_SIZE}")
        self.rows.append(row)
        return row

    def run(self) -> int:
        print(f"== machine before: load average {load()}", flush=True)
        print(f"== setting up: {self.args.attendees} attendees on "
              f"{'PostgreSQL' if self.env.get('DATABASE_URL') else 'SQLite'}", flush=True)
        self.setup()
        with MailSink(self.sink_port) as sink:
            self.sink = sink
            print("== measuring", flush=True)
            self.idle_send_due()
            self.reminders()
            self.broadcast("broadcast to everyone", "everyone")
            group_id, name = self.largest_group()
            self.broadcast(f"broadcast to a product group ({name})", "group", group_id)
            self.broadcast("broadcast to everyone, worker killed", "everyone",
                           kill_fraction=self.args.kill_at)
            self.forget_reminders()
            self.reminders(kill_fraction=self.args.kill_at)
        print(f"== machine after: load average {load()}", flush=True)
        print()
        print(table(self.rows))
        bad = [r for r in self.rows if r.window.duplicates() or r.missing > r.may_lose]
        return 1 if bad else 0


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if not match:
        raise SystemExit("no CSRF token in the page")
    return match.group(1).decode()


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(rows: list[Row]) -> str:
    head = ("| phase | expected | received | duplicates | missing | SMTP connections "
            "| queued (s) | all sent (s) | e-mails/s | peak MB | notes |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        rate = r.received / r.all_sent if r.all_sent else 0
        lines.append(
            f"| {r.phase} | {r.expected} | {r.received} | {r.window.duplicates()} | {r.missing} "
            f"| {len(r.window.connections)} | {seconds(r.queued)} | {seconds(r.all_sent)} "
            f"| {rate:.0f} | {'-' if r.peak_mb is None else f'{r.peak_mb:.0f}'} "
            f"| {'; '.join(r.notes)} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", type=int, default=2000)
    parser.add_argument("--schedule-s", type=int, default=30,
                        help="solver time limit for the published schedule")
    parser.add_argument("--postgres", action="store_true",
                        help="start a throwaway PostgreSQL (scripts/pg-test-server.sh) "
                             "unless DATABASE_URL is set")
    parser.add_argument("--kill-at", type=float, default=0.5,
                        help="fraction of the messages received when the sender is killed")
    parser.add_argument("--settle-s", type=float, default=3,
                        help="seconds the new worker gets before the cron tick")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="matchmaker-daymail."))
    bench = Bench(args, work)
    try:
        bench.start_services()
        return bench.run()
    finally:
        bench.close()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
