"""Run a transaction again when the database gave up on it for a reason that passes:
a PostgreSQL deadlock or serialization failure, a connection lost (a database restart or
failover: the pool then replaces every connection), a SQLite writer lock held too long by
another process."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: deadlock_detected, serialization_failure
RETRY_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 8


class Raced(Exception):
    """Another process wrote what this transaction was about to write: run it again to see it."""


def transient(error: BaseException) -> bool:
    if isinstance(error, Raced):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    if getattr(orig, "sqlstate", None) in RETRY_SQLSTATES or getattr(orig, "pgcode", None) in RETRY_SQLSTATES:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "deadlock detected" in text


async def retrying(work: Callable[[], Awaitable[T]], what: str, attempts: int = ATTEMPTS) -> T:
    """``work()`` (one whole transaction), run again with a short jittered backoff while it fails transiently."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except Exception as e:
            if attempt == attempts or not transient(e):
                raise
            log.info("%s: %s, retrying (attempt %d)", what, type(e.orig if isinstance(e, DBAPIError) else e).__name__,
                     attempt + 1)
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise AssertionError("unreachable")
