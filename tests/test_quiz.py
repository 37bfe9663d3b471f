"""Daily quizzes through the public API: answers, doubles, closes, results, restarts."""

from __future__ import annotations

from bot import codec
from bot.commands import Answer, Leaderboard, PostNow, Practice, Setup, Today
from bot.replies import Tone
from tests.helpers import ctx, right_and_wrong

ADMIN = ctx("admin", admin=True)


async def _daily(service, poster):
    """Set up the group and post today's quiz; return (quiz id, right pick, wrong pick, quiz card)."""
    await service.handle(ADMIN, Setup(time="09:00", timezone="Europe/Berlin"))
    [reply] = await service.handle(ADMIN, PostNow())
    assert reply.private and "Posted" in reply.text
    _, post, _ = poster.posts[-1]
    quiz_card = post.cards[-1]
    quiz_id = codec.decode(quiz_card.choices[0].id).quiz_id
    right, wrong = await right_and_wrong(service, quiz_id)
    return quiz_id, right, wrong, quiz_card


async def _question_id(service, quiz_id):
    from bot.store.models import Quiz

    async with service.sessions() as s:
        return (await s.get(Quiz, quiz_id)).question_id


async def test_daily_post_shows_objective_and_question_without_the_answer(service, poster):
    quiz_id, right, wrong, card = await _daily(service, poster)
    _, post, _ = poster.posts[0]
    objective = post.cards[-2]
    assert objective.url and objective.url in {o.url for o in service.pack.objectives}
    assert objective.title in {o.title for o in service.pack.objectives}
    assert len(card.choices) >= 2 and not card.closed
    # nothing public reveals the answer: no ✅, no explanation
    text = " ".join([card.body, card.footer or ""] + [c.text for c in card.choices])
    assert "✅" not in text
    question = service.pack.question_by_id[await _question_id(service, quiz_id)]
    assert question.explanation not in text


async def test_five_members_answer_once_each_and_results_reveal_at_close(service, poster, clock):
    quiz_id, right, wrong, card = await _daily(service, poster)
    picks = {"ann": right, "ben": wrong, "cat": right, "dan": wrong, "eve": right}
    for user, positions in picks.items():
        [reply] = await service.handle(ctx(user), Answer(quiz_id, positions))
        assert reply.private
        feedback = reply.cards[0]
        assert feedback.tone is (Tone.SUCCESS if positions == right else Tone.FAILURE)
        assert feedback.links and feedback.links[0].url.startswith("https://")
    # double answers change nothing and say so, even with the other option
    [again] = await service.handle(ctx("ben"), Answer(quiz_id, right))
    assert again.private and "already answered" in again.cards[0].title
    [board] = await service.handle(ctx("ben"), Leaderboard("all"))
    body = board.cards[0].body
    assert "Ann · 10 pts" in body and "Cat · 10 pts" in body and "Eve · 10 pts" in body
    assert "Ben · 0 pts" in body and "Dan · 0 pts" in body
    assert poster.updates == []  # nothing public changes before the close

    clock.advance(days=1, hours=4)
    await service.run_due()
    assert len(poster.updates) == 1
    _, ref, results = poster.updates[0]
    assert ref == "m1"
    card = results.cards[1]
    assert card.closed and card.tone is Tone.RESULT
    fields = {f.name: f.value for f in card.fields}
    assert fields["Answered"] == "5"
    assert fields["Correct"] == "3 (60%)"
    assert fields["First correct"] == "Ann"
    marked = [c for c in card.choices if c.text.startswith("✅")]
    assert {card.choices.index(c) for c in marked} == set(right)
    assert all(" · " in c.text for c in card.choices)  # distribution on every option
    # a click on the closed quiz says so and records nothing
    [late] = await service.handle(ctx("fay"), Answer(quiz_id, right))
    assert late.private and "closed" in late.cards[0].title
    clock.advance(days=1)
    await service.run_due()
    assert len(poster.updates) == 2  # the next day's quiz closed; the first is not closed twice
    assert poster.updates[1][1] == "m2"


async def test_restart_in_the_middle_of_an_open_quiz_keeps_every_answer(open_service, poster, clock):
    first = await open_service()
    quiz_id, right, wrong, card = await _daily(first, poster)
    await first.handle(ctx("ann"), Answer(quiz_id, right))
    await first.close()  # the process stops

    second = await open_service()  # and starts again on the same store
    [dup] = await second.handle(ctx("ann"), Answer(quiz_id, wrong))
    assert "already answered" in dup.cards[0].title
    [ok] = await second.handle(ctx("ben"), Answer(quiz_id, right))
    assert ok.cards[0].tone is Tone.SUCCESS
    clock.advance(days=1, hours=4)
    await second.run_due()
    fields = {f.name: f.value for f in poster.updates[0][2].cards[1].fields}
    assert fields["Answered"] == "2" and fields["First correct"] == "Ann"


async def test_bad_picks_and_unknown_quizzes_change_nothing(service, poster):
    quiz_id, right, wrong, card = await _daily(service, poster)
    [too_many] = await service.handle(ctx("ann"), Answer(quiz_id, frozenset(range(len(card.choices)))))
    assert too_many.private and "Pick exactly" in too_many.text
    [out_of_range] = await service.handle(ctx("ann"), Answer(quiz_id, frozenset({5})))
    assert "Pick exactly" in out_of_range.text
    [missing] = await service.handle(ctx("ann"), Answer(999_999, frozenset({0})))
    assert "can't find that quiz" in missing.text
    # ann's real first answer still counts
    [ok] = await service.handle(ctx("ann"), Answer(quiz_id, right))
    assert ok.cards[0].tone is Tone.SUCCESS


async def test_concurrent_double_clicks_count_once(service, poster):
    import asyncio

    quiz_id, right, wrong, card = await _daily(service, poster)
    replies = await asyncio.gather(*(service.handle(ctx(f"m{i % 20}"), Answer(quiz_id, right)) for i in range(60)))
    titles = [r[0].cards[0].title for r in replies]
    assert sum(t.startswith("✅") for t in titles) == 20
    assert sum("already answered" in t for t in titles) == 40
    [board] = await service.handle(ctx("m0"), Leaderboard("all"))
    assert board.cards[0].footer.startswith("20 member(s)")


async def test_practice_is_private_and_prefers_what_you_missed(service):
    [reply] = await service.handle(ctx("ann"), Practice())
    assert reply.private
    card = reply.cards[1]
    pick = codec.decode(card.choices[0].id)
    question = service.pack.question_by_id[await _question_id(service, pick.quiz_id)]
    right, wrong = await right_and_wrong(service, pick.quiz_id)
    [fb] = await service.handle(ctx("ann"), Answer(pick.quiz_id, wrong))
    assert fb.cards[0].tone is Tone.FAILURE and "Practice" in fb.cards[0].footer
    # someone else cannot answer ann's practice question
    [other] = await service.handle(ctx("ben"), Answer(pick.quiz_id, right))
    assert "someone else" in other.text
    # the next practice question comes from the objective ann just missed
    [again] = await service.handle(ctx("ann"), Practice())
    assert again.cards[0].title == service.pack.objective_by_id[question.objective_id].title
    assert "missed" in again.cards[0].body
    # practice never reaches the group board
    await service.handle(ADMIN, Setup(time="09:00"))
    [board] = await service.handle(ctx("ann"), Leaderboard("all"))
    assert board.cards[0].body.startswith("No points yet")


async def test_today_says_whether_you_answered(service, poster):
    quiz_id, right, _, _ = await _daily(service, poster)
    [before] = await service.handle(ctx("ann"), Today())
    assert before.private and "haven't answered" in before.cards[0].body
    # the quiz itself comes along, so it can be answered from /today too
    assert codec.decode(before.cards[1].choices[0].id).quiz_id == quiz_id
    await service.handle(ctx("ann"), Answer(quiz_id, right))
    [after] = await service.handle(ctx("ann"), Today())
    assert "You answered" in after.cards[0].body and len(after.cards) == 1


async def test_quiz_open_hours_close_it_early(service, poster, clock):
    await service.handle(ADMIN, Setup(time="09:00", timezone="UTC", open_hours=2))
    await service.handle(ADMIN, PostNow())
    clock.advance(hours=1, minutes=59)
    await service.run_due()
    assert poster.updates == []
    clock.advance(minutes=1)
    await service.run_due()
    assert len(poster.updates) == 1


async def test_a_quiz_closed_early_by_post_now_stays_closed(service, poster, clock):
    # Mon 2 Mar 07:00 Berlin: today's quiz is posted; it would close at Tue 09:00 Berlin (08:00 UTC)
    quiz_id, right, _, _ = await _daily(service, poster)
    # Tue 08:00 Berlin, before that: post-now opens Tuesday's quiz and closes Monday's early
    clock.advance(days=1, hours=1)
    [posted] = await service.handle(ADMIN, PostNow())
    assert "Posted" in posted.text
    assert len(poster.updates) == 1 and poster.updates[0][1] == "m1"
    [late] = await service.handle(ctx("ann"), Answer(quiz_id, right))
    assert late.private and late.cards[0].title == "This quiz has closed"
    [board] = await service.handle(ctx("ann"), Leaderboard("all"))
    assert board.cards[0].body.startswith("No points yet")


async def test_an_answer_at_exactly_closes_at_is_closed_before_the_tick(service, poster, clock):
    await service.handle(ADMIN, Setup(time="09:00", timezone="UTC", open_hours=2))
    await service.handle(ADMIN, PostNow())
    _, post, _ = poster.posts[-1]
    quiz_id = codec.decode(post.cards[-1].choices[0].id).quiz_id
    right, _ = await right_and_wrong(service, quiz_id)
    clock.advance(hours=2)  # exactly closes_at; the scheduler has not run the close yet
    [late] = await service.handle(ctx("ann"), Answer(quiz_id, right))
    assert late.cards[0].title == "This quiz has closed"
    [board] = await service.handle(ctx("ann"), Leaderboard("all"))
    assert board.cards[0].body.startswith("No points yet")


async def test_a_pick_one_past_the_last_option_is_refused_not_graded(service, poster):
    quiz_id, right, _, card = await _daily(service, poster)
    n = len(card.choices)
    for bad in (n, -1):
        # the right size of pick, with one position outside 0..n-1
        picks = frozenset(sorted(right)[1:]) | {bad}
        [reply] = await service.handle(ctx("ann"), Answer(quiz_id, picks))
        assert reply.private and reply.text.startswith("Pick exactly"), (bad, reply)
    # nothing was recorded: ann's first real answer is graded and scores
    [ok] = await service.handle(ctx("ann"), Answer(quiz_id, right))
    assert ok.cards[0].tone is Tone.SUCCESS


async def test_options_are_shuffled_per_quiz(service, poster, clock):
    """Displayed order differs from the file's, and the right answer's position moves around."""
    await service.handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    in_file_order = 0
    right_positions = []
    days = 20
    for _ in range(days):
        before = len(poster.posts)
        while len(poster.posts) == before:
            clock.advance(hours=6)
            await service.run_due()
        card = poster.posts[-1][1].cards[-1]
        quiz_id = codec.decode(card.choices[0].id).quiz_id
        question = service.pack.question_by_id[await _question_id(service, quiz_id)]
        shown = [c.text for c in card.choices]
        in_file_order += shown == [text for _, text in question.options]
        by_text = {text: key for key, text in question.options}
        right_positions.append(frozenset(i for i, t in enumerate(shown) if by_text[t] in question.answer))
    assert in_file_order < days / 2
    assert len(set(right_positions)) >= 3
