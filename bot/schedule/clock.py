"""When each group's daily post is due: local wall-clock times across time zones and DST.

A group posts at its local ``HH:MM``. On a spring-forward day a time that does not exist
is posted when the clocks jump, at the first minute that exists after it (New York's 02:30
on its spring-forward day posts at 03:00 EDT); on a fall-back day an ambiguous time is
posted once, at its first occurrence. Due times live in the store (``groups.next_post_at``),
so a restart neither skips nor repeats a day, and after downtime a group catches up once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC = timezone.utc
#: The longest IANA name is 32 characters; the store keeps 64.
MAX_ZONE_NAME = 64
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str) -> time | None:
    m = _HHMM.match(text.strip())
    return time(int(m.group(1)), int(m.group(2))) if m else None


def zone(name: str) -> ZoneInfo | None:
    """The time zone of an IANA name, or None for anything else (never an error)."""
    if not 0 < len(name) <= MAX_ZONE_NAME:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name the file system refuses
        return None


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz``: an ambiguous time's first
    occurrence (``fold=0``), a skipped time's first existing minute after it (the jump)."""
    wall = datetime.combine(day, at)
    while not _exists(wall, tz):
        wall = wall.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    """Whether the clocks in ``tz`` ever show ``wall`` (not inside a spring-forward gap)."""
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def next_post_after(after: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The first post instant strictly after ``after``."""
    day = after.astimezone(tz).date() - timedelta(days=1)
    while True:
        instant = local_instant(day, at, tz)
        if instant > after:
            return instant
        day += timedelta(days=1)


def latest_post_at_or_before(now: datetime, at: time, tz: ZoneInfo) -> datetime:
    day = now.astimezone(tz).date() + timedelta(days=1)
    while True:
        instant = local_instant(day, at, tz)
        if instant <= now:
            return instant
        day -= timedelta(days=1)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def week_of(day: date) -> str:
    """Weeks start on Monday; a week is named by its Monday."""
    return (day - timedelta(days=day.weekday())).isoformat()


def previous_week(day: date) -> str:
    """The week before ``day``'s week, named by its Monday."""
    return week_of(day - timedelta(days=7))
