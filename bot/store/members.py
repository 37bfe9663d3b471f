"""Member rows for platform users, created on first sight and cached (ids never change)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Member
from bot.store.models import Member as MemberRow
from bot.store.upsert import insert_rows

Key = tuple[str, str, str]


def _key(member: Member) -> Key:
    return (member.platform, member.workspace, member.user_id)


class MemberIds:
    def __init__(self) -> None:
        self._cache: dict[Key, tuple[int, str]] = {}  # key -> (id, display name stored)

    async def resolve(self, session: AsyncSession, members: list[Member]) -> list[int]:
        """Ids for ``members`` in order: one upsert and one select for all the new or renamed."""
        stale = {_key(m): m for m in members if self._cache.get(_key(m), (0, None))[1] != m.name}
        if stale:
            # in key order: two processes upserting the same members lock them in the same order
            ins, params = insert_rows(session, MemberRow, [
                dict(platform=p, workspace=w, user_id=u, name=m.name) for (p, w, u), m in sorted(stale.items())
            ])
            rows = await session.execute(
                ins.on_conflict_do_update(index_elements=["platform", "workspace", "user_id"],
                                          set_=dict(name=ins.excluded.name))
                .returning(MemberRow.id, MemberRow.platform, MemberRow.workspace, MemberRow.user_id, MemberRow.name),
                params,
            )
            for mid, p, w, u, name in rows:
                self._cache[(p, w, u)] = (mid, name)
        return [self._cache[_key(m)][0] for m in members]

    def cached(self, member: Member) -> int | None:
        """The id of a member this process has seen under the same name, without asking the store."""
        id_, name = self._cache.get(_key(member), (None, None))
        return id_ if name == member.name else None

    def forget(self, members: list[Member]) -> None:
        """Drop cached ids that a transaction which then failed may have inserted."""
        for m in members:
            self._cache.pop(_key(m), None)

    async def id_of(self, session: AsyncSession, member: Member) -> int:
        return (await self.resolve(session, [member]))[0]

    async def find(self, session: AsyncSession, member: Member) -> int | None:
        """The id of a member seen before, without writing: for commands that only read."""
        key = _key(member)
        if key in self._cache:
            return self._cache[key][0]
        row = (await session.execute(
            select(MemberRow.id, MemberRow.name).where(
                MemberRow.platform == key[0], MemberRow.workspace == key[1], MemberRow.user_id == key[2]
            )
        )).first()
        if row is None:
            return None
        self._cache[key] = (row[0], row[1])
        return row[0]
