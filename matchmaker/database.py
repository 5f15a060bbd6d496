"""Database behaviour that the models and the app rely on.

SQLite is tuned for a web app with concurrent writers: WAL, foreign keys, a busy
timeout, and write transactions that take the write lock up front
(`BEGIN IMMEDIATE`). A deferred `BEGIN` that later upgrades to a write fails with
"database is locked" under concurrency instead of waiting; an immediate one waits
on the busy timeout. Requests with safe methods open deferred (read) transactions
so that readers never queue behind writers.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Callable, Iterator

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

BUSY_TIMEOUT_MS = 15000

_read_only: ContextVar[bool] = ContextVar("matchmaker_sqlite_read_only", default=False)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "memory":
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


@contextmanager
def read_only_transactions() -> Iterator[None]:
    """Open SQLite transactions deferred inside this block (reads don't lock out writers)."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def commit_and_pause(session, pause_s: float = 0.15) -> Callable[[], None]:
    """A callback for long writes done in chunks: commit the chunk, then leave the write
    lock free for a moment. SQLite's busy handler retries at most every 100 ms, so a
    writer waiting on the lock gets in before the next chunk takes it again."""
    def done() -> None:
        session.commit()
        time.sleep(pause_s)
    return done


def set_read_only(flag: bool):
    return _read_only.set(flag)


def reset_read_only(token) -> None:
    _read_only.reset(token)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database.

    SQLite hands back naive datetimes; values are stored as naive UTC and the zone is
    re-attached on load, so the code only ever sees aware UTC datetimes.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
