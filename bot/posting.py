"""How the core reaches a platform on its own initiative (daily posts, quiz closes, setup checks).

Adapters turn their platform's failures into :class:`DeliveryError` with a neutral
:class:`Problem`, so the core decides about retries, backoff and what admins are told
without importing any platform library.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from bot.commands import Place
from bot.replies import Reply


class Problem(enum.Enum):
    """Why a delivery failed, in the core's words. Permanent ones stop retries for that post."""

    NOT_IN_CHANNEL = "not_in_channel"  # the bot cannot see / is not a member of the channel
    MISSING_PERMISSIONS = "missing_permissions"  # it sees the channel but may not post there
    NO_CHANNEL = "no_channel"  # the channel does not exist (deleted, or a wrong name)
    ARCHIVED = "archived"
    NO_MESSAGE = "no_message"  # the post to edit was deleted
    BAD_AUTH = "bad_auth"  # the token was revoked or the account deactivated
    REJECTED = "rejected"  # the platform refused this message (a bug on our side)
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"  # 5xx, timeouts, dropped connections: may have been stored

    @property
    def permanent(self) -> bool:
        return self not in (Problem.RATE_LIMITED, Problem.UNAVAILABLE)


@dataclass
class DeliveryError(Exception):
    """A platform call that failed. ``detail`` is the platform's own code (no secrets)."""

    problem: Problem
    detail: str = ""
    retry_after: float | None = None  # seconds, when the platform said (Retry-After)

    def __str__(self) -> str:
        return f"{self.problem.value} ({self.detail})" if self.detail else self.problem.value

    @classmethod
    def unreachable(cls, error: BaseException) -> DeliveryError:
        """A timeout or dropped connection: the platform may have stored the message."""
        return cls(Problem.UNAVAILABLE, "timeout" if isinstance(error, TimeoutError) else type(error).__name__)


class Poster(Protocol):
    async def post(self, place: Place, reply: Reply, *, key: str | None = None) -> str:
        """Send ``reply`` to ``place.channel``; return a reference to the message for later edits.

        ``key`` marks the post so that :meth:`find` can tell later whether it arrived (a send
        whose answer was lost). Raises :class:`DeliveryError`."""
        ...

    async def find(self, place: Place, key: str) -> str | None:
        """The reference of a recent post sent with ``key``, or None if there is none."""
        ...

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        """Replace the message ``message_ref`` (posted earlier, maybe before a restart)."""
        ...

    async def check(self, place: Place, notice: Reply) -> None:
        """Prove the bot can post in ``place`` by sending ``notice`` there (setup's check).
        Raises :class:`DeliveryError` with what stands in the way."""
        ...
