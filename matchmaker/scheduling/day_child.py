"""One day of a large event solved in a child process (see `decompose.py`).

Reads the pickled (problem, time limit, seed) from stdin, writes the pickled
schedule to stdout; a further byte on stdin stops the search early.
"""
from __future__ import annotations

import os
import pickle
import sys
import threading

from .solve import solve


def main() -> None:
    stdin = sys.stdin.buffer
    size = int.from_bytes(stdin.read(8), "big")
    problem, limit, seed = pickle.loads(stdin.read(size))
    stop = threading.Event()

    def wait_for_stop() -> None:
        # os.read, not the buffered stdin: a daemon thread blocked in the latter
        # holds its lock and aborts the interpreter at exit.
        if os.read(stdin.fileno(), 1):
            stop.set()

    threading.Thread(target=wait_for_stop, daemon=True).start()
    schedule = solve(problem, time_limit_s=limit, num_workers=2, seed=seed, stop=stop,
                     decompose=False)
    sys.stdout.buffer.write(pickle.dumps(schedule))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
