"""CPU seconds used by process trees, read from /proc (Linux): what one request costs.

Latency on a shared 2-core machine depends on whoever else is running; the CPU a
process group spends per request does not (much). `run.sh` names the roots of each
group (the gunicorn master, the PostgreSQL postmaster, redis) in LOAD_CPU_PIDS; the
locustfile snapshots them, and itself, when measuring starts and when it ends.

A tree's time is every live process's own user + system time plus the time of the
children it has already reaped (cutime, cstime): a PostgreSQL backend that exits is
counted in its postmaster from then on, so nothing is lost or counted twice.
"""
from __future__ import annotations

import os

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its reaped children)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # after the command name: state ppid ... utime(12) stime(13) cutime(14) cstime(15)
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / TICKS


def tree_seconds(root: int) -> float:
    stats = {int(name): _stat(int(name)) for name in os.listdir("/proc") if name.isdigit()}
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        if stat is not None:
            children.setdefault(stat[0], []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        stat = stats.get(pid)
        if stat is not None:
            total += stat[1]
            todo.extend(children.get(pid, []))
    return total


def parse_groups(spec: str) -> dict[str, int]:
    """'gunicorn=12 postgres=34' -> {'gunicorn': 12, 'postgres': 34}"""
    return {name: int(pid) for name, pid in (item.split("=") for item in spec.split())}


def machine_seconds() -> tuple[float, float]:
    """CPU seconds all cores have spent busy since boot, and seconds stolen by the
    hypervisor (a virtual machine's cores shared with other machines)."""
    with open("/proc/stat") as handle:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(f) for f in handle.readline().split()[1:9])
    return (user + nice + system + irq + softirq) / TICKS, steal / TICKS


def snapshot(groups: dict[str, int]) -> dict[str, float]:
    found = {name: tree_seconds(pid) for name, pid in groups.items()}
    found["locust"] = tree_seconds(os.getpid())
    found["machine"], found["stolen"] = machine_seconds()
    return found
