"""CPU accounting for the benches, read from /proc (None where there is no /proc)."""

from __future__ import annotations

import os
from pathlib import Path


def machine_busy() -> float | None:
    """CPU seconds the machine's cores have been busy since boot (all but idle and I/O wait)."""
    try:
        ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # user..steal, less idle, iowait


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a running process has used so far, all its threads included."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to ``database`` on this machine
    (its process title names the database); empty where /proc does not show them."""
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            # "postgres: [cluster:] user database host(port) state"
            title = (proc / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace").split()
            if title[:1] == ["postgres:"] and database in title[1:4]:
                found[int(proc.name)] = int((proc / "schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
    return found
