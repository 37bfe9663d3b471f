"""What every adapter provides to the runner and to the core's scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.service import StudyService


class Adapter(Protocol):
    """A platform connection. ``run`` serves until cancelled; it attaches itself to the
    service as the poster for its platform (see ``bot.posting.Poster``)."""

    platform: str

    async def run(self, service: StudyService) -> None: ...
