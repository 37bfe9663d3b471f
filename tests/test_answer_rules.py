"""Where a click counts, and that a close counts what was acknowledged before it began."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot import codec
from bot.commands import Answer, Context, Leaderboard, Member, Place, PostNow, Setup, Today
from bot.replies import Tone
from bot.store.models import Answer as AnswerRow
from bot.store.models import Score
from tests.helpers import PLACE, ctx, right_and_wrong

OTHER_SERVER = Place("terminal", "ws2", "lounge")
SAME_SERVER_OTHER_GROUP = Place("terminal", "ws1", "second-group")


async def _post(service, poster, place: Place = PLACE) -> int:
    admin = ctx("admin", admin=True, place=place)
    await service.handle(admin, Setup(time="09:00", timezone="UTC"))
    await service.handle(admin, PostNow())
    _, post, _ = poster.posts[-1]
    return codec.decode(post.cards[-1].choices[0].id).quiz_id


async def _stored(service) -> tuple[int, int]:
    async with service.sessions() as s:
        return (await s.scalar(select(func.count()).select_from(AnswerRow)),
                await s.scalar(select(func.count()).select_from(Score)))


async def test_a_click_naming_another_groups_quiz_is_refused_and_stores_nothing(service, poster):
    quiz_a = await _post(service, poster)
    await _post(service, poster, OTHER_SERVER)
    await _post(service, poster, SAME_SERVER_OTHER_GROUP)
    right, _ = await right_and_wrong(service, quiz_a)
    before = await _stored(service)
    # a member of the other server clicks in their own channel a button id naming group A's quiz
    [reply] = await service.handle(ctx("mallory", place=OTHER_SERVER), Answer(quiz_a, right))
    assert reply.private and "another study group" in reply.text
    # and in the same server, from another group's channel
    [reply] = await service.handle(ctx("trent", place=SAME_SERVER_OTHER_GROUP), Answer(quiz_a, right))
    assert reply.private and "another study group" in reply.text
    assert await _stored(service) == before
    [board] = await service.handle(ctx("ann"), Leaderboard("all"))
    assert board.cards[0].body.startswith("No points yet")


async def test_the_groups_channel_counts_for_members_of_another_organisation(service, poster):
    quiz_id = await _post(service, poster)
    right, _ = await right_and_wrong(service, quiz_id)
    # a Slack Connect member: their own workspace, the group's (shared) channel
    guest = Context(Member("terminal", "partner-org", "gus", "Gus"), Place("terminal", "partner-org", PLACE.channel))
    [reply] = await service.handle(guest, Answer(quiz_id, right))
    assert reply.cards[0].tone is Tone.SUCCESS
    [board] = await service.handle(ctx("ann"), Leaderboard("all"))
    assert "Gus · 10 pts" in board.cards[0].body


async def test_the_members_private_copy_from_today_counts_outside_the_channel(service, poster):
    quiz_id = await _post(service, poster)
    elsewhere = ctx("ann", place=Place("terminal", "ws1", "random"))
    [today] = await service.handle(elsewhere, Today())
    assert codec.decode(today.cards[-1].choices[0].id).quiz_id == quiz_id
    right, _ = await right_and_wrong(service, quiz_id)
    [reply] = await service.handle(elsewhere, Answer(quiz_id, right))
    assert reply.cards[0].tone is Tone.SUCCESS
    # the App Home has no channel at all
    home = ctx("ben", place=Place("terminal", "ws1", ""))
    [reply] = await service.handle(home, Answer(quiz_id, right))
    assert reply.cards[0].tone is Tone.SUCCESS


async def test_someone_elses_practice_question_is_refused_from_anywhere(service):
    from bot.commands import Practice

    [practice] = await service.handle(ctx("ann"), Practice())
    quiz_id = codec.decode(practice.cards[-1].choices[0].id).quiz_id
    right, _ = await right_and_wrong(service, quiz_id)
    before = await _stored(service)
    for who in (ctx("ben"), ctx("ann", place=OTHER_SERVER)):  # same user id, another workspace
        [reply] = await service.handle(who, Answer(quiz_id, right))
        assert "someone else" in reply.text
    assert await _stored(service) == before
    [mine] = await service.handle(ctx("ann", place=Place("terminal", "ws1", "dm")), Answer(quiz_id, right))
    assert mine.cards[0].tone is Tone.SUCCESS


async def test_answers_queued_before_the_close_are_counted_in_the_results(service, poster, clock):
    quiz_id = await _post(service, poster)
    right, _ = await right_and_wrong(service, quiz_id)
    # one answer starts committing (its batch holds the desk) ...
    first = asyncio.ensure_future(service.handle(ctx("m0"), Answer(quiz_id, right)))
    await asyncio.sleep(0)
    # ... 20 more queue behind it, and only then the close begins
    burst = [asyncio.ensure_future(service.handle(ctx(f"m{i}"), Answer(quiz_id, right))) for i in range(1, 21)]
    closing = asyncio.ensure_future(service.daily.close([quiz_id], clock()))
    replies = [r for [r] in await asyncio.gather(first, *burst)]
    await closing
    assert [r.cards[0].tone for r in replies] == [Tone.SUCCESS] * 21
    fields = {f.name: f.value for f in poster.updates[-1][2].cards[-1].fields}
    assert fields["Answered"] == "21"
    # a click after the close is refused
    [late] = await service.handle(ctx("m99"), Answer(quiz_id, right))
    assert "closed" in late.cards[0].title
