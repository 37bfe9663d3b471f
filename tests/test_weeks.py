"""Week boards through the public API: which week an answer counts for, and last week's board."""

from __future__ import annotations

from datetime import datetime, timezone

from bot import codec
from bot.commands import Answer, Leaderboard, Setup, parse
from tests.helpers import ctx, right_and_wrong

UTC = timezone.utc


async def post_next(service, clock, poster, step_hours: float = 1):  # noqa: ANN001
    """Tick the scheduler until it posts; return (quiz id, right, wrong, the post's reply)."""
    before = len(poster.posts)
    while len(poster.posts) == before:
        clock.advance(hours=step_hours)
        await service.run_due()
    reply = poster.posts[-1][1]
    quiz_card = next(c for c in reply.cards if c.choices)
    quiz_id = codec.decode(quiz_card.choices[0].id).quiz_id
    return quiz_id, *await right_and_wrong(service, quiz_id), reply


def board_lines(reply) -> list[str]:  # noqa: ANN001
    return reply.cards[0].body.splitlines()


async def test_a_sunday_quiz_answered_after_midnight_counts_for_the_week_before(service, clock, poster):
    # Tokyo is UTC+9: Sunday 7 June 09:00 JST is 00:00 UTC, Monday 8 June 00:00:01 JST is 15:00:01 UTC Sunday
    clock.set(datetime(2026, 6, 6, 23, 30, tzinfo=UTC))
    await service.handle(ctx("boss", admin=True), Setup(time="09:00", timezone="Asia/Tokyo"))
    sunday, right, wrong, _ = await post_next(service, clock, poster, step_hours=0.5)
    clock.set(datetime(2026, 6, 7, 15, 0, 1, tzinfo=UTC))  # Monday 00:00:01 in Tokyo, the quiz still open
    [fb] = await service.handle(ctx("ann"), Answer(sunday, right))
    assert fb.cards[0].title.startswith("✅")

    [this_week] = await service.handle(ctx("ann"), Leaderboard("week"))
    assert "week of Mon 08 Jun" in this_week.cards[0].title
    assert board_lines(this_week)[0].startswith("No points yet")
    [last_week] = await service.handle(ctx("ann"), Leaderboard("last-week"))
    assert last_week.cards[0].title == "Leaderboard · last week, week of Mon 01 Jun"
    assert board_lines(last_week) == ["**1.** Ann · 10 pts"]
    assert {f.name: f.value for f in last_week.cards[0].fields}["You"] == "#1 of 1 · 10 pts"

    # Monday's quiz (posted 09:00 JST) counts for the new week
    monday, right, wrong, _ = await post_next(service, clock, poster)
    await service.handle(ctx("bob"), Answer(monday, right))
    [this_week] = await service.handle(ctx("bob"), Leaderboard("week"))
    assert board_lines(this_week) == ["**1.** Bob · 10 pts"]
    [last_week] = await service.handle(ctx("bob"), Leaderboard("last-week"))
    assert board_lines(last_week) == ["**1.** Ann · 10 pts"]


async def test_last_week_is_typed_as_on_slack_and_in_the_terminal(service, clock, poster):
    for text in ("leaderboard last-week", "/leaderboard last week", "studybot leaderboard lastweek"):
        assert parse(text, prefix="/studybot ") == Leaderboard("last-week")
    clock.set(datetime(2026, 6, 3, 8, 0, tzinfo=UTC))  # a Wednesday
    await service.handle(ctx("boss", admin=True), Setup(time="09:00", timezone="UTC"))
    [reply] = await service.handle_text(ctx("ann"), "/leaderboard last week")
    assert reply.cards[0].title == "Leaderboard · last week, week of Mon 25 May"
    assert board_lines(reply) == ["Nobody scored that week."]


def fields_of(card) -> dict[str, str]:  # noqa: ANN001
    return {f.name: f.value for f in card.fields}


async def test_monday_post_in_auckland_leads_with_last_weeks_recap(service, clock, poster):
    # Auckland is UTC+12 in June: Monday 09:00 there is Sunday 21:00 UTC
    clock.set(datetime(2026, 5, 31, 20, 0, tzinfo=UTC))
    await service.handle(ctx("boss", admin=True), Setup(time="09:00", timezone="Pacific/Auckland"))
    # the week of Mon 1 Jun: Ben right once, Cat wrong once
    quiz, right, wrong, first = await post_next(service, clock, poster)
    assert "Mon 01 Jun" in first.cards[-1].title and len(first.cards) == 2  # no week before: no recap
    await service.handle(ctx("ben"), Answer(quiz, right))
    await service.handle(ctx("cat"), Answer(quiz, wrong))
    while True:
        quiz, right, wrong, reply = await post_next(service, clock, poster, step_hours=6)
        if "Mon 08 Jun" in reply.cards[-1].title:
            break
        assert len(reply.cards) == 2  # Tuesday to Sunday: no recap
    assert [line for line in reply.cards[0].body.splitlines()[1:]] == ["🥇 Ben · 10 pts"]  # 0 points: off the podium

    # the week of Mon 8 Jun, day by day (R right, W wrong, - no answer)
    plan = {"ann": "RRR----", "ben": "RR-----", "cat": "---R-R-", "dan": "----W--", "eve": "-W-----"}
    objectives = []
    for day in range(7):
        if day:
            quiz, right, wrong, reply = await post_next(service, clock, poster, step_hours=6)
        objectives.append(reply.cards[-2].title)
        for user, marks in plan.items():
            if marks[day] != "-":
                await service.handle(ctx(user), Answer(quiz, right if marks[day] == "R" else wrong))

    posts_before = len(poster.posts)
    _, _, _, monday = await post_next(service, clock, poster, step_hours=6)
    assert len(poster.posts) == posts_before + 1  # the recap is part of the one daily post
    assert clock.now.weekday() == 6 and "Mon 15 Jun" in monday.cards[-1].title  # Sunday in UTC, Monday in Auckland
    recap, objective, quiz_card = monday.cards
    assert recap.title == "Last week's recap · week of Mon 08 Jun"
    assert recap.body.splitlines() == ["**Top 3**", "🥇 Ann · 36 pts", "🥈 Ben · 22 pts", "🥉 Cat · 20 pts"]
    figures = fields_of(recap)
    assert figures["Members who answered"] == "5"
    assert figures["Group accuracy"] == "78% (7/9)"
    assert figures["Most improved"] == "Cat · +20 pts on the week before (20 pts)"  # Ben (22) rose 12, Ann is new
    assert figures["Weakest objective"] == f"{objectives[4]} · 0% correct (0/1)"
    weakest = next(o for o in service.pack.objectives if o.title == objectives[4])
    assert [link.url for link in recap.links] == [weakest.url]
    assert quiz_card.choices and not recap.choices

    _, _, _, tuesday = await post_next(service, clock, poster, step_hours=6)
    assert "Tue 16 Jun" in tuesday.cards[-1].title and len(tuesday.cards) == 2


async def test_a_monday_post_sent_again_after_a_failure_carries_the_recap_once(service, clock):
    from tests.test_schedule import FlakyPoster

    flaky = FlakyPoster(failures=0)
    service.attach("terminal", flaky)
    clock.set(datetime(2026, 6, 6, 23, 30, tzinfo=UTC))  # Sunday 08:30 in Tokyo
    await service.handle(ctx("boss", admin=True), Setup(time="09:00", timezone="Asia/Tokyo"))
    sunday, right, _, _ = await post_next(service, clock, flaky, step_hours=0.5)
    await service.handle(ctx("ann"), Answer(sunday, right))

    flaky.failures = 1  # the platform is down for Monday's first attempt
    clock.set(datetime(2026, 6, 8, 0, 0, tzinfo=UTC))  # Monday 09:00 in Tokyo
    await service.run_due()
    assert len(flaky.posts) == 1
    for _ in range(120):
        clock.advance(minutes=1)
        await service.run_due()
    mondays = [reply for _, reply, _ in flaky.posts if "Mon 08 Jun" in reply.cards[-1].title]
    assert len(mondays) == 1 and len(flaky.posts) == 2
    assert mondays[0].cards[0].title == "Last week's recap · week of Mon 01 Jun"
    assert mondays[0].cards[0].body.splitlines()[1:] == ["🥇 Ann · 10 pts"]
