"""How the core reaches a platform on its own initiative (daily posts, quiz closes)."""

from __future__ import annotations

from typing import Protocol

from bot.commands import Place
from bot.replies import Reply


class Poster(Protocol):
    async def post(self, place: Place, reply: Reply) -> str:
        """Send ``reply`` to ``place.channel``; return a reference to the message for later edits."""
        ...

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        """Replace the message ``message_ref`` (posted earlier, maybe before a restart)."""
        ...
