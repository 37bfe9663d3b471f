"""The daily post schedule through the public API: time zones, DST, restarts, catch-up."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.commands import Pause, Place, Resume, Setup, Status
from bot.posting import DeliveryError, Problem
from bot.schedule.clock import local_instant, next_post_after
from tests.helpers import RecordingPoster, ctx

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


def test_a_post_time_inside_the_spring_forward_gap_is_posted_when_the_clocks_jump():
    ny = ZoneInfo("America/New_York")
    # 8 March 2026: New York's clocks go from 02:00 EST straight to 03:00 EDT (07:00 UTC)
    assert local_instant(date(2026, 3, 8), time(2, 30), ny) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    after = next_post_after(datetime(2026, 3, 7, 12, tzinfo=UTC), time(2, 30), ny)
    following = next_post_after(after, time(2, 30), ny)
    assert after == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert following == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # 02:30 EDT


def test_next_post_after_gives_exact_instants_across_zones_and_changes():
    ny, berlin = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # a 30-minute change
    cases = [
        (datetime(2026, 3, 7, 15, tzinfo=UTC), time(9, 0), ny, datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),  # EDT
        (datetime(2026, 3, 7, 12, tzinfo=UTC), time(9, 0), ny, datetime(2026, 3, 7, 14, 0, tzinfo=UTC)),  # EST
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), time(2, 30), berlin, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), time(2, 30), berlin, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (datetime(2026, 10, 3, 12, tzinfo=UTC), time(2, 15), lord_howe, datetime(2026, 10, 3, 15, 30, tzinfo=UTC)),
        # exactly at a post instant: the next one, a day later
        (datetime(2026, 5, 4, 13, 0, tzinfo=UTC), time(9, 0), ny, datetime(2026, 5, 5, 13, 0, tzinfo=UTC)),
    ]
    for after, at, tz, expected in cases:
        assert next_post_after(after, at, tz) == expected, (after, at, tz)


def test_an_ambiguous_post_time_on_fall_back_day_comes_once():
    ny = ZoneInfo("America/New_York")
    first = next_post_after(datetime(2026, 10, 31, 12, tzinfo=UTC), time(1, 30), ny)
    second = next_post_after(first, time(1, 30), ny)
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first of the two
    assert second == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST


async def test_a_new_york_group_posts_through_the_spring_forward_night_at_the_documented_instants(
        service, clock, poster):
    clock.set(datetime(2026, 3, 6, 12, 0, tzinfo=UTC))
    await service.handle(ctx("a", admin=True, place=NEW_YORK), Setup(time="02:30", timezone="America/New_York"))
    posted = await _tick_until(service, clock, poster, datetime(2026, 3, 9, 12, 0, tzinfo=UTC), timedelta(minutes=5))
    assert posted["ny"] == [
        datetime(2026, 3, 7, 7, 30, tzinfo=UTC),  # 02:30 EST
        datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # 03:00 EDT: the clocks jumped over 02:30
        datetime(2026, 3, 9, 6, 30, tzinfo=UTC),  # 02:30 EDT
    ]


async def test_back_at_0800_after_missing_yesterdays_0900_post_posts_todays_quiz_at_once(
        open_service, clock, poster):
    first = await open_service()
    await _first_post_monday_0900(first, clock)
    await first.close()  # down from Monday 09:00 to Wednesday 08:00: Tuesday's post was missed

    second = await open_service()
    clock.set(datetime(2026, 5, 6, 8, 0, tzinfo=UTC))
    await second.run_due()
    assert [reply.cards[-1].title for _, reply, _ in poster.posts] == ["Daily quiz · Mon 04 May", "Daily quiz · Wed 06 May"]
    assert len(poster.updates) == 1  # Monday's quiz closed, its results edited in
    # today's quiz went out in place of the 09:00 post; the next one is Thursday's
    assert await second.next_wakeup() == datetime(2026, 5, 7, 9, 0, tzinfo=UTC)
    posted = await _tick_until(second, clock, poster, datetime(2026, 5, 7, 12, 0, tzinfo=UTC), timedelta(minutes=15))
    assert posted["general"] == [datetime(2026, 5, 7, 9, 0, tzinfo=UTC)]


async def test_after_a_scheduled_post_the_next_wakeup_and_status_move_to_the_next_day(service, clock):
    await _first_post_monday_0900(service, clock)
    assert await service.next_wakeup() == datetime(2026, 5, 5, 9, 0, tzinfo=UTC)
    [status] = await service.handle(ctx("a", admin=True), Status())
    fields = {f.name: f.value for f in status.cards[0].fields}
    assert fields["Next post"] == "Tue 05 May 09:00 UTC"


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


class FlakyPoster(RecordingPoster):
    """A platform that is down for the first ``failures`` posts (and ``edit_failures`` edits)."""

    def __init__(self, failures: int = 1, edit_failures: int = 0, problem: Problem = Problem.UNAVAILABLE,
                 now=None) -> None:  # noqa: ANN001
        super().__init__()
        self.failures, self.edit_failures, self.problem = failures, edit_failures, problem
        self.now = now
        self.attempts: list[datetime] = []

    async def post(self, place, reply, *, key=None):  # noqa: ANN001, ANN201
        if self.now is not None:
            self.attempts.append(self.now())
        if self.failures:
            self.failures -= 1
            raise DeliveryError(self.problem, "503")
        return await super().post(place, reply, key=key)

    async def update(self, place, message_ref, reply):  # noqa: ANN001, ANN201
        if self.edit_failures:
            self.edit_failures -= 1
            raise DeliveryError(self.problem, "503")
        await super().update(place, message_ref, reply)


def titles(poster: RecordingPoster) -> list[str]:
    return [reply.cards[-1].title for _, reply, _ in poster.posts]


async def test_a_daily_post_that_failed_is_sent_again_once(service, clock):
    flaky = FlakyPoster()
    service.attach("terminal", flaky)
    await _first_post_monday_0900(service, clock)
    assert flaky.posts == []
    clock.advance(minutes=2)
    await service.run_due()
    await service.run_due()
    assert titles(flaky) == ["Daily quiz · Mon 04 May"]


async def test_results_that_failed_to_reach_the_post_are_edited_in_later(service, clock):
    flaky = FlakyPoster(failures=0, edit_failures=1)
    service.attach("terminal", flaky)
    await _first_post_monday_0900(service, clock, open_hours=2)
    clock.set(datetime(2026, 5, 4, 11, 0, tzinfo=UTC))
    await service.run_due()  # the close; its edit fails
    assert flaky.updates == []
    clock.advance(minutes=2)
    await service.run_due()
    await service.run_due()
    assert [reply.cards[-1].title for _, _, reply in flaky.updates] == ["Results · Mon 04 May"]


async def test_an_outage_is_retried_with_exponential_backoff_and_jitter_and_logged_once(service, clock, caplog):
    flaky = FlakyPoster(failures=6, now=clock)
    service.attach("terminal", flaky)
    await _first_post_monday_0900(service, clock)
    while len(flaky.posts) == 0 and clock.now < datetime(2026, 5, 4, 11, 0, tzinfo=UTC):
        clock.advance(seconds=5)
        await service.run_due()
    assert len(flaky.attempts) == 7 and len(flaky.posts) == 1
    gaps = [(b - a).total_seconds() for a, b in zip(flaky.attempts, flaky.attempts[1:], strict=False)]
    for n, gap in enumerate(gaps[:6]):  # about 30 s, doubling; jitter between half and all of it
        assert 0.5 * 30 * 2 ** n <= gap <= 30 * 2 ** n + 5, (n, gaps)
    warnings = [r for r in caplog.records if r.name == "bot.schedule.daily" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and warnings[0].exc_info is None
