"""Scoring, streaks and boards through the public API."""

from __future__ import annotations

from datetime import datetime, timezone

from bot import codec
from bot.commands import Answer, Leaderboard, Setup, Stats
from bot.study.quiz import points_for
from tests.helpers import ctx, right_and_wrong

UTC = timezone.utc


async def _post_day(service, clock, poster):
    """Let the scheduler post the next daily quiz; return (quiz id, right, wrong)."""
    before = len(poster.posts)
    while len(poster.posts) == before:
        clock.advance(hours=1)
        await service.run_due()
    card = next(c for c in poster.posts[-1][1].cards if c.choices)
    quiz_id = codec.decode(card.choices[0].id).quiz_id
    return quiz_id, *await right_and_wrong(service, quiz_id)


def test_points_rule():
    assert [points_for(n) for n in range(1, 9)] == [10, 12, 14, 16, 18, 20, 20, 20]


async def test_streak_bonus_ties_and_week_boards(service, clock, poster):
    clock.set(datetime(2026, 6, 1, 0, 30, tzinfo=UTC))  # a Monday
    await service.handle(ctx("boss", admin=True), Setup(time="09:00", timezone="UTC"))
    # Mon-Wed: ann right every day (10, 12, 14); ben right Mon and Wed (10, 10); cat right Tue only
    plan = {"ann": "RRR", "ben": "RWR", "cat": "WR-"}
    for day in range(3):
        quiz_id, right, wrong = await _post_day(service, clock, poster)
        for user, marks in plan.items():
            if marks[day] != "-":
                await service.handle(ctx(user), Answer(quiz_id, right if marks[day] == "R" else wrong))
    [board] = await service.handle(ctx("cat"), Leaderboard("all"))
    lines = board.cards[0].body.splitlines()
    assert lines == ["**1.** Ann · 36 pts", "**2.** Ben · 20 pts", "**3.** Cat · 10 pts"]
    [stats] = await service.handle(ctx("ann"), Stats())
    fields = {f.name: f.value for f in stats.cards[0].fields}
    assert fields["Streak"] == "3 now · 3 best"
    assert fields["Rank"] == "#1 of 3 · 36 pts"
    assert fields["Answered"] == "3 · 100% correct"
    [ben] = await service.handle(ctx("ben"), Stats())
    assert {f.name: f.value for f in ben.cards[0].fields}["Streak"] == "1 now · 1 best"

    # the next Monday starts a new week board
    clock.set(datetime(2026, 6, 8, 8, 30, tzinfo=UTC))
    quiz_id, right, wrong = await _post_day(service, clock, poster)
    await service.handle(ctx("cat"), Answer(quiz_id, right))
    await service.handle(ctx("dan"), Answer(quiz_id, right))
    [week] = await service.handle(ctx("ann"), Leaderboard("week"))
    card = week.cards[0]
    assert "week of Mon 08 Jun" in card.title
    assert card.body.splitlines() == ["**1.** Cat · 10 pts", "**1.** Dan · 10 pts"]  # a tie shares the rank
    assert {f.name: f.value for f in card.fields}["You"].startswith("not on this board yet")
    [alltime] = await service.handle(ctx("dan"), Leaderboard("all"))
    assert alltime.cards[0].body.splitlines()[1:] == ["**2.** Ben · 20 pts", "**2.** Cat · 20 pts", "**4.** Dan · 10 pts"]
    # ann's streak lives while the post after her last answer is open, and breaks once she skips it
    [stats] = await service.handle(ctx("ann"), Stats())
    assert {f.name: f.value for f in stats.cards[0].fields}["Streak"] == "3 now · 3 best"
    await _post_day(service, clock, poster)
    [stats] = await service.handle(ctx("ann"), Stats())
    assert {f.name: f.value for f in stats.cards[0].fields}["Streak"] == "0 now · 3 best"


async def test_my_rank_is_shown_beyond_the_top_ten(service, clock, poster):
    clock.set(datetime(2026, 6, 1, 0, 30, tzinfo=UTC))
    await service.handle(ctx("boss", admin=True), Setup(time="09:00", timezone="UTC"))
    quiz_id, right, wrong = await _post_day(service, clock, poster)
    for i in range(12):
        await service.handle(ctx(f"m{i:02}"), Answer(quiz_id, right))
    await service.handle(ctx("zed"), Answer(quiz_id, wrong))
    [board] = await service.handle(ctx("zed"), Leaderboard("all"))
    card = board.cards[0]
    assert len(card.body.splitlines()) == 10
    assert all(line.startswith("**1.**") for line in card.body.splitlines())
    assert {f.name: f.value for f in card.fields}["You"] == "#13 of 13 · 0 pts"


async def test_a_tie_lists_the_earlier_scorer_first_even_with_the_higher_member_id(service, clock, poster):
    from bot.commands import Practice

    clock.set(datetime(2026, 6, 1, 0, 30, tzinfo=UTC))
    await service.handle(ctx("boss", admin=True), Setup(time="09:00", timezone="UTC"))
    await service.handle(ctx("late"), Practice())  # "late" gets the lower member id
    quiz_id, right, _ = await _post_day(service, clock, poster)
    await service.handle(ctx("early"), Answer(quiz_id, right))
    clock.advance(minutes=5)
    await service.handle(ctx("late"), Answer(quiz_id, right))
    for period in ("all", "week"):
        [board] = await service.handle(ctx("late"), Leaderboard(period))
        assert board.cards[0].body.splitlines() == ["**1.** Early · 10 pts", "**1.** Late · 10 pts"], period


async def test_the_week_board_follows_the_groups_local_date(service, clock, poster):
    # Monday 8 Jun 07:00 in Auckland is still Sunday 7 Jun (19:00) in UTC
    clock.set(datetime(2026, 6, 7, 18, 0, tzinfo=UTC))
    await service.handle(ctx("boss", admin=True), Setup(time="07:00", timezone="Pacific/Auckland"))
    quiz_id, right, _ = await _post_day(service, clock, poster)
    assert clock.now == datetime(2026, 6, 7, 19, 0, tzinfo=UTC)
    await service.handle(ctx("ann"), Answer(quiz_id, right))
    clock.advance(hours=1)  # Monday 08:00 in Auckland
    [week] = await service.handle(ctx("ann"), Leaderboard("week"))
    card = week.cards[0]
    assert "week of Mon 08 Jun" in card.title
    assert card.body.splitlines() == ["**1.** Ann · 10 pts"]
