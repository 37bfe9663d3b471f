"""The loop that drives the daily posts: tick, sleep until the next thing is due, repeat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)
#: Longest the scheduler sleeps, so settings changed by another process are noticed.
MAX_SLEEP = 30.0


class Due(Protocol):
    """What the loop drives (the study service)."""

    now: Callable[[], datetime]

    async def run_due(self) -> None: ...

    async def next_wakeup(self) -> datetime | None: ...


async def run_scheduler(service: Due) -> None:
    """Post due daily quizzes and close expired ones, forever. Errors are logged, not fatal."""
    while True:
        try:
            await service.run_due()
            wake = await service.next_wakeup()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler tick failed; retrying shortly")
            wake = None
        now = service.now()
        delay = MAX_SLEEP if wake is None else min(MAX_SLEEP, max(0.5, (wake - now).total_seconds()))
        await asyncio.sleep(delay)
