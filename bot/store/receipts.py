"""Replay protection for signed platform requests, in the store so every worker shares it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import RequestReceipt
from bot.store.upsert import insert_for


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Receipts:
    """``first(signature)`` is True the first time a signature is seen within ``hold``.

    Memory and table stay bounded: rows older than ``hold`` (longer than any replay window the
    signature check accepts) are deleted at most once a minute."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], hold: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.sessions = sessions
        self.hold = hold
        self.clock = clock
        self._pruned_at: datetime | None = None

    async def first(self, signature: str) -> bool:
        key = hashlib.sha256(signature.encode()).hexdigest()
        now = self.clock()
        async with self.sessions() as session, session.begin():
            if self._pruned_at is None or now - self._pruned_at > timedelta(minutes=1):
                self._pruned_at = now
                await session.execute(delete(RequestReceipt).where(RequestReceipt.seen_at < now - self.hold))
            result = await session.execute(
                insert_for(session, RequestReceipt).values(key=key, seen_at=now).on_conflict_do_nothing()
            )
        return result.rowcount == 1
