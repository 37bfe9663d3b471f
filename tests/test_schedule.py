"""The daily post schedule through the public API: time zones, DST, restarts, catch-up."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.commands import Pause, Place, Resume, Setup
from bot.schedule.clock import local_instant, next_post_after
from tests.helpers import ctx

UTC = timezone.utc
NEW_YORK = Place("terminal", "ws1", "ny")
BERLIN = Place("terminal", "ws1", "berlin")


async def _tick_until(service, clock, poster, end: datetime, step: timedelta) -> dict[str, list[datetime]]:
    """Run the scheduler like the real loop would, recording when each channel got a post."""
    seen = len(poster.posts)
    posted: dict[str, list[datetime]] = defaultdict(list)
    while clock.now < end:
        clock.advance(seconds=step.total_seconds())
        await service.run_due()
        for place, _reply, _ref in poster.posts[seen:]:
            posted[place.channel].append(clock.now)
        seen = len(poster.posts)
    return posted


async def _first_post_monday_0900(service, clock, **settings) -> None:  # noqa: ANN001
    """Set a UTC group up at 08:00 on Monday 4 May and let the scheduler reach its 09:00 post."""
    clock.set(datetime(2026, 5, 4, 8, 0, tzinfo=UTC))
    await service.handle(ctx("a", admin=True), Setup(time="09:00", timezone="UTC", **settings))
    clock.set(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    await service.run_due()


async def test_two_weeks_of_daily_posts_across_dst_in_two_time_zones(service, clock, poster):
    # Berlin falls back on 25 Oct 2026, New York on 1 Nov 2026
    clock.set(datetime(2026, 10, 21, 14, 0, tzinfo=UTC))  # after both groups' post times that day
    await service.handle(ctx("a", admin=True, place=NEW_YORK), Setup(time="09:00", timezone="America/New_York"))
    await service.handle(ctx("a", admin=True, place=BERLIN), Setup(time="07:30", timezone="Europe/Berlin"))
    posted = await _tick_until(service, clock, poster, datetime(2026, 11, 4, 15, 0, tzinfo=UTC), timedelta(minutes=30))

    for channel, zone, at in (("ny", "America/New_York", time(9, 0)), ("berlin", "Europe/Berlin", time(7, 30))):
        local = [t.astimezone(ZoneInfo(zone)) for t in posted[channel]]
        days = [t.date() for t in local]
        assert days == [date(2026, 10, 22) + timedelta(days=i) for i in range(14)], channel
        assert all(t.time() == at for t in local), (channel, local)
    # the UTC instants moved by an hour when each zone left summer time
    ny = posted["ny"]
    assert ny[9].hour == 13 and ny[10].hour == 14  # 31 Oct EDT, 1 Nov EST
    berlin = posted["berlin"]
    assert berlin[2].hour == 5 and berlin[3].hour == 6  # 24 Oct CEST, 25 Oct CET


def test_a_post_time_inside_the_spring_forward_gap_is_posted_once_after_it():
    ny = ZoneInfo("America/New_York")
    gap_day = date(2026, 3, 8)
    instant = local_instant(gap_day, time(2, 30), ny)
    assert instant.astimezone(ny).time() == time(3, 30)
    after = next_post_after(datetime(2026, 3, 7, 12, tzinfo=UTC), time(2, 30), ny)
    following = next_post_after(after, time(2, 30), ny)
    assert after.astimezone(ny).date() == date(2026, 3, 8)
    assert following.astimezone(ny).date() == date(2026, 3, 9)
    assert following.astimezone(ny).time() == time(2, 30)


def test_an_ambiguous_post_time_on_fall_back_day_comes_once():
    ny = ZoneInfo("America/New_York")
    first = next_post_after(datetime(2026, 10, 31, 12, tzinfo=UTC), time(1, 30), ny)
    second = next_post_after(first, time(1, 30), ny)
    assert first.astimezone(ny).date() == date(2026, 11, 1)
    assert second.astimezone(ny).date() == date(2026, 11, 2)


async def test_after_downtime_a_group_catches_up_once_not_once_per_day(open_service, clock, poster):
    first = await open_service()
    await _first_post_monday_0900(first, clock)
    assert len(poster.posts) == 1
    await first.close()  # down from Monday 09:00 to Thursday 15:00

    second = await open_service()
    clock.set(datetime(2026, 5, 7, 15, 0, tzinfo=UTC))
    await second.run_due()
    await second.run_due()
    assert len(poster.posts) == 2
    assert "Thu 07 May" in poster.posts[1][1].cards[-1].title
    assert len(poster.updates) == 1  # Monday's quiz was closed and its results posted
    # and the next post is Friday at 09:00, once
    posted = await _tick_until(second, clock, poster, datetime(2026, 5, 8, 12, 0, tzinfo=UTC), timedelta(minutes=15))
    assert [t.isoformat() for t in posted["general"]] == ["2026-05-08T09:00:00+00:00"]


async def test_a_restart_on_the_day_never_posts_twice(open_service, clock, poster):
    first = await open_service()
    await _first_post_monday_0900(first, clock)
    await first.close()
    second = await open_service()
    clock.advance(minutes=5)
    await second.run_due()
    # an admin re-running setup for the same time the same day does not re-post it either
    await second.handle(ctx("a", admin=True), Setup(time="09:00", timezone="UTC"))
    clock.advance(minutes=5)
    await second.run_due()
    assert len(poster.posts) == 1


async def test_paused_groups_get_no_posts_until_resumed(service, clock, poster):
    clock.set(datetime(2026, 5, 4, 8, 0, tzinfo=UTC))
    admin = ctx("a", admin=True)
    await service.handle(admin, Setup(time="09:00", timezone="UTC"))
    await service.handle(admin, Pause())
    posted = await _tick_until(service, clock, poster, datetime(2026, 5, 6, 8, 0, tzinfo=UTC), timedelta(hours=1))
    assert posted == {}
    [resumed] = await service.handle(admin, Resume())
    assert "Wed 06 May 09:00" in resumed.text
    posted = await _tick_until(service, clock, poster, datetime(2026, 5, 6, 10, 0, tzinfo=UTC), timedelta(hours=1))
    assert len(posted["general"]) == 1


async def test_next_wakeup_is_the_next_post_or_close(service, clock):
    clock.set(datetime(2026, 5, 4, 8, 0, tzinfo=UTC))
    await service.handle(ctx("a", admin=True), Setup(time="09:00", timezone="UTC"))
    assert await service.next_wakeup() == datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class FlakyPoster:
    """A platform that is down for the first post, then back."""

    def __init__(self) -> None:
        self.failures = 1
        self.posts: list[str] = []

    async def post(self, place, reply):  # noqa: ANN001, ANN201
        if self.failures:
            self.failures -= 1
            raise ConnectionError("platform unavailable")
        self.posts.append(reply.cards[-1].title)
        return "m1"

    async def update(self, place, message_ref, reply):  # noqa: ANN001, ANN201
        pass


async def test_a_daily_post_that_failed_is_sent_again_once(service, clock):
    flaky = FlakyPoster()
    service.attach("terminal", flaky)
    await _first_post_monday_0900(service, clock)
    assert flaky.posts == []
    clock.advance(minutes=2)
    await service.run_due()
    await service.run_due()
    assert flaky.posts == ["Daily quiz · Mon 04 May"]


class FlakyEditor(FlakyPoster):
    """Posts work; the first results edit fails."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0
        self.edit_failures = 1
        self.edits: list[str] = []

    async def update(self, place, message_ref, reply):  # noqa: ANN001, ANN201
        if self.edit_failures:
            self.edit_failures -= 1
            raise ConnectionError("platform unavailable")
        self.edits.append(reply.cards[1].title)


async def test_results_that_failed_to_reach_the_post_are_edited_in_later(service, clock):
    flaky = FlakyEditor()
    service.attach("terminal", flaky)
    await _first_post_monday_0900(service, clock, open_hours=2)
    clock.set(datetime(2026, 5, 4, 11, 0, tzinfo=UTC))
    await service.run_due()  # the close; its edit fails
    assert flaky.edits == []
    clock.advance(minutes=2)
    await service.run_due()
    await service.run_due()
    assert flaky.edits == ["Results · Mon 04 May"]
