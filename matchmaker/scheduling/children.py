"""The one way the scheduler runs work in another process: spawned, with a pipe.

`spawn`, not `fork`: a forked child inherits the threads' locks of a process that
may be running CP-SAT or a web server, and `fork` does not exist on every system.
A spawned child imports only what the target's module imports, so every target
is a module-level function taking the child's end of the pipe first.
"""
from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)
CONTEXT = multiprocessing.get_context("spawn")


class Child:
    """A running child: `conn` talks to it; `close()` asks it to end, then ends it."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn

    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self, grace: float = 2.0) -> None:
        if self.process.is_alive():
            try:
                self.conn.send(None)
            except (OSError, ValueError):
                pass
            self.process.join(grace)
            if self.process.is_alive():
                self.process.terminate()
        self.process.join()
        self.conn.close()


def start(target: Callable[..., None], *args: Any) -> Child | None:
    """Run `target(conn, *args)` in a spawned child; None when it cannot be started,
    as in a child that is itself a daemon (a day of `decompose`): daemons may not have
    children, and the caller then does the work in its own process."""
    if multiprocessing.current_process().daemon:
        return None
    conn, child_conn = CONTEXT.Pipe()
    process = CONTEXT.Process(target=target, args=(child_conn, *args), daemon=True)
    try:
        process.start()
    except OSError as error:
        log.warning("could not start a solver process: %s", error)
        conn.close()
        child_conn.close()
        return None
    child_conn.close()
    return Child(process, conn)


def stop_listener(conn: Connection) -> tuple[threading.Event, Callable[[], None]]:
    """In a child: an event set when the parent sends anything, and a function that
    ends the listening (call it before sending the result on the same pipe)."""
    stop = threading.Event()
    done = threading.Event()

    def listen() -> None:
        while not done.is_set():
            try:
                if conn.poll(0.1):
                    conn.recv()
                    stop.set()
                    return
            except (EOFError, OSError):
                stop.set()
                return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()

    def finish() -> None:
        done.set()
        thread.join()

    return stop, finish
