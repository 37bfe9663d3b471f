"""Stopping on SIGTERM or SIGINT without losing what was acknowledged.

Hosts send SIGTERM and kill about 30 s later. On either signal the runner stops taking new
work and lets what members were already told is in hand finish: each adapter, when its task is
cancelled, stops accepting (closes its listener or refuses new interactions politely), waits
for its acknowledged requests (answers committed, private replies sent) and only then closes
its clients. The AnswerDesk is settled last. All of it within :data:`SECONDS`.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger("studybot")

#: The bound on a graceful stop: well inside the 30 s a host waits before SIGKILL.
SECONDS = 10.0


class _Desk(Protocol):
    recorded: int

    async def settle(self) -> int: ...


def stop_signal(loop: asyncio.AbstractEventLoop) -> asyncio.Future[str]:
    """A future that resolves with the signal's name on the first SIGTERM or SIGINT."""
    received: asyncio.Future[str] = loop.create_future()

    def on_signal(sig: signal.Signals) -> None:
        if not received.done():
            received.set_result(sig.name)
        else:
            log.warning("%s received again: still stopping (at most %.0f s)", sig.name, SECONDS)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    return received


async def stop(desk: _Desk, adapters: Sequence[asyncio.Task], scheduler: asyncio.Task, why: str | None,
               seconds: float = SECONDS) -> bool:
    """Stop the scheduler and the adapters, let acknowledged work finish; True if all of it did.
    ``why`` names the signal (None when the run ended by itself: only a failure to finish is logged)."""
    began, recorded = time.monotonic(), desk.recorded
    if why is not None:
        log.info("%s received: stopping; finishing the work already acknowledged (at most %.0f s)", why, seconds)
    for task in (scheduler, *adapters):
        task.cancel()  # an adapter drains what it acknowledged before it closes its clients
    _, pending = await asyncio.wait([scheduler, *adapters], timeout=seconds)
    settled = True
    try:
        await asyncio.wait_for(desk.settle(), max(0.1, seconds - (time.monotonic() - began)))
    except asyncio.TimeoutError:
        settled = False
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=1.0)
    finished = desk.recorded - recorded
    took = time.monotonic() - began
    if pending or not settled:
        log.warning("stopped in %.1f s with work unfinished: %d answer(s) recorded while stopping; "
                    "%s did not finish in time", took, finished,
                    ", ".join(t.get_name() for t in pending) or "the answer desk")
        return False
    if why is not None:
        log.info("stopped after %s in %.1f s: %d answer(s) recorded while stopping, every acknowledged request "
                 "finished", why, took, finished)
    return True
