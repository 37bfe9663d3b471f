"""Question health through the public API: flags from the answer spread and from the
discrimination index, members' reports (once each), `/studybot report` and `content report`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

from bot.commands import Answer, Report, Reports, Setup
from bot.replies import Reply
from bot.store.models import Quiz
from bot.study.health import INVERTED, SPREAD
from tests.helpers import ctx
from tests.test_weeks import post_next

UTC = timezone.utc
ADMIN = ctx("boss", admin=True)


async def positions(service, quiz_id: int) -> tuple[frozenset[int], list[frozenset[int]], Quiz]:  # noqa: ANN001
    """The right pick of a one-answer quiz and every wrong one."""
    async with service.sessions() as session:
        quiz = await session.get(Quiz, quiz_id)
    question = service.pack.question_by_id[quiz.question_id]
    right = [i for i, key in enumerate(quiz.option_order) if key in question.answer]
    assert len(right) == 1, "the scenario needs a one-answer question"
    wrong = [frozenset({i}) for i in range(len(quiz.option_order)) if i not in right]
    return frozenset(right), wrong, quiz


async def one_answer_quiz(service, clock, poster) -> int:  # noqa: ANN001
    """Post daily quizzes until one asks for a single answer; return its id."""
    while True:
        quiz_id, right, _wrong, _reply = await post_next(service, clock, poster, step_hours=6)
        if len(right) == 1:
            return quiz_id


def report_cards(reply: Reply) -> dict[str, str]:
    """`/studybot report` as {question id: its card's body}."""
    return {c.title.split(" · ")[0]: c.body for c in reply.cards[1:]}


async def test_a_wrong_option_chosen_more_than_the_key_flags_the_question_at_20_answers(service, clock, poster):
    clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    await service.handle(ADMIN, Setup(time="09:00", timezone="Europe/Berlin"))
    quiz_id = await one_answer_quiz(service, clock, poster)
    right, wrong, quiz = await positions(service, quiz_id)
    # 8 right, 11 on the same wrong option: 19 answers are not enough to judge
    for i in range(19):
        await service.handle(ctx(f"m{i:02}"), Answer(quiz_id, right if i < 8 else wrong[0]))
    [report] = await service.handle(ADMIN, Reports())
    assert report_cards(report) == {}
    assert "No question is flagged or reported" in report.cards[0].body
    await service.handle(ctx("m19"), Answer(quiz_id, wrong[0]))
    [report] = await service.handle(ADMIN, Reports())
    body = report_cards(report)[quiz.question_id]
    assert f"**Flagged:** {SPREAD}." in body.splitlines()
    assert INVERTED not in body
    key = quiz.option_order[min(wrong[0])]
    text = dict(service.pack.question_by_id[quiz.question_id].options)[key]
    assert f"Most-chosen wrong option: ({key}) “{text}” · 12 (60%)" in body
    assert "20 answers · 40% correct" in body
    assert report.cards[0].body.startswith("**1** flagged, **0** reported")


async def test_a_question_the_bottom_third_gets_right_more_often_is_flagged(service, clock, poster):
    clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    await service.handle(ADMIN, Setup(time="09:00", timezone="America/New_York"))
    strong, middle, weak = ([f"{g}{i}" for i in range(7)] for g in "smw")
    # day 1: strong and middle right, weak wrong; day 2: only strong right (wrong picks spread out)
    for day in range(2):
        quiz_id = await one_answer_quiz(service, clock, poster)
        right, wrong, _ = await positions(service, quiz_id)
        for n, user in enumerate(strong + middle + weak):
            good = user in strong or (day == 0 and user in middle)
            await service.handle(ctx(user), Answer(quiz_id, right if good else wrong[n % len(wrong)]))
    # day 3: 3 of 7 strong right, 4 of 7 middle right, all 7 weak right; the key still leads
    quiz_id = await one_answer_quiz(service, clock, poster)
    right, wrong, quiz = await positions(service, quiz_id)
    for user in strong + middle + weak:
        good = user in weak or user in strong[:3] or user in middle[:4]
        await service.handle(ctx(user), Answer(quiz_id, right if good else wrong[0]))
    [report] = await service.handle(ADMIN, Reports())
    cards = report_cards(report)
    body = cards[quiz.question_id]
    assert f"**Flagged:** {INVERTED}." in body.splitlines()
    assert SPREAD not in body
    assert "21 answers · 67% correct · discrimination -0.57" in body  # 3/7 - 7/7
    assert len(cards) == 1  # days 1 and 2 discriminate the right way (+1.00 and +1.00)


async def test_members_report_a_question_once_each_and_admins_see_why(service, clock, poster):
    clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    await service.handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    quiz_id, right, wrong, _ = await post_next(service, clock, poster)
    async with service.sessions() as session:
        question_id = (await session.get(Quiz, quiz_id)).question_id

    [refused] = await service.handle(ctx("ann"), Report("wrong", quiz_id))  # not answered yet
    assert "once you have answered it" in refused.text
    [feedback] = await service.handle(ctx("ann"), Answer(quiz_id, right))
    menu = feedback.cards[0].menu
    assert menu is not None and [v for v, _ in menu.options] == ["wrong", "unclear", "outdated", "typo"]
    [ask] = await service.handle(ctx("ann"), Report(None, quiz_id))
    assert ask.private and ask.cards[0].menu.open and ask.cards[0].menu.id == menu.id
    [thanks] = await service.handle(ctx("ann"), Report("wrong", quiz_id))
    assert "Reported as “Wrong answer”" in thanks.text
    [again] = await service.handle(ctx("ann"), Report("typo", quiz_id))
    assert "already reported this question (“Wrong answer”)" in again.text

    await service.handle(ctx("ben"), Answer(quiz_id, wrong))
    [typed] = await service.handle_text(ctx("ben"), "/report typo")  # the last question ben answered
    assert "Reported as “Typo”" in typed.text
    await service.handle(ctx("cat"), Answer(quiz_id, right))
    await service.handle(ctx("cat"), Report("wrong", quiz_id))

    [help_] = await service.handle_text(ctx("ann"), "/help")
    assert "`/report wrong|unclear|outdated|typo`" in help_.cards[0].body
    assert "`/studybot report` · questions the group's answers flag" in help_.cards[1].body

    [member] = await service.handle_text(ctx("ann"), "/studybot report")
    assert "Only admins" in member.text
    [report] = await service.handle_text(ADMIN, "/studybot report")
    body = report_cards(report)[question_id]
    assert "Reports: Wrong answer ×2 · Typo ×1" in body.splitlines()
    assert "**Flagged:**" not in body  # 3 answers: too few to judge, but listed for its reports
    assert report.cards[0].body.startswith("**0** flagged, **1** reported")
    assert report.cards[1].footer == service.pack.question_by_id[question_id].source


async def test_content_report_exits_non_zero_when_a_question_is_flagged(service, clock, poster, database_url,
                                                                         content_path):
    def content_report() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "content", "report", "--db", database_url],
            capture_output=True, text=True, timeout=60, env={**os.environ, "STUDYBOT_CONTENT": str(content_path)},
        )

    clock.set(datetime(2026, 6, 1, 6, 0, tzinfo=UTC))
    await service.handle(ADMIN, Setup(time="09:00", timezone="UTC"))
    quiz_id = await one_answer_quiz(service, clock, poster)
    right, wrong, quiz = await positions(service, quiz_id)
    for i in range(20):
        await service.handle(ctx(f"m{i:02}"), Answer(quiz_id, right if i < 15 else wrong[0]))
    await service.handle(ctx("m00"), Report("typo", quiz_id))
    healthy = content_report()
    assert healthy.returncode == 0, healthy.stderr
    source = service.pack.question_by_id[quiz.question_id].source
    assert f"{source}: {quiz.question_id}" in healthy.stdout
    assert "Reports: Typo ×1" in healthy.stdout

    for i in range(20, 32):  # now 15 right, 17 on one wrong option
        await service.handle(ctx(f"m{i:02}"), Answer(quiz_id, wrong[0]))
    flagged = content_report()
    assert flagged.returncode == 1, flagged.stdout + flagged.stderr
    assert f"{source}: {quiz.question_id} · FLAGGED: {SPREAD}" in flagged.stdout
    assert "1 flagged" in flagged.stdout.splitlines()[-1]
