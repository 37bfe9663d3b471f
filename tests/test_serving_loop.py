"""`studybot run`'s event loop and heap settings (bot.cli.run_loop, settle_heap), in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys

CODE = """
import asyncio, gc, json
from bot.cli import GC_THRESHOLDS, run_loop, settle_heap

async def main():
    settle_heap()
    return type(asyncio.get_running_loop()).__module__

print(json.dumps({"loop": run_loop(main()), "frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold(),
                  "expected": GC_THRESHOLDS}))
"""


def test_the_server_runs_on_uvloop_with_its_startup_heap_frozen() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(result.stdout)
    assert seen["loop"].startswith("uvloop")
    assert seen["frozen"] > 1000  # the modules and objects loaded so far are out of every collection
    assert seen["thresholds"] == seen["expected"]
