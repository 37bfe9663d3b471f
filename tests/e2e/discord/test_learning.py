"""Spaced review and the mock exam on Discord: one private message, edited in place per click
(interaction updates), through the real discord.py client against the fake Discord."""

from __future__ import annotations

import re

from ..fakes.discord_fake import (
    CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    EPHEMERAL,
    UPDATE_MESSAGE,
    FakeDiscord,
    buttons,
    message_text,
)
from .conftest import Bot


def button(message: dict, text: str) -> dict:
    found = [b for b in buttons(message) if text in (b.get("label") or "")]
    assert len(found) == 1, (text, [b.get("label") for b in buttons(message)])
    return found[0]


async def test_commands_are_registered(bot: Bot, fake: FakeDiscord):
    names = {c["name"] for synced in fake.synced_commands.values() for c in synced}
    assert {"review", "readiness", "exam"} <= names
    admin = next(c for synced in fake.synced_commands.values() for c in synced if c["name"] == "studybot")
    assert "readiness" in {o["name"] for o in admin["options"]}


async def test_a_review_session_edits_one_private_message(bot: Bot, fake: FakeDiscord):
    max_ = fake.user("max")
    practice = await fake.slash(max_, "quiz")
    message = practice.messages()[0]
    await fake.click(max_, message, button(message, "Alpha")["custom_id"])  # wrong: due in a minute
    bot.clock.advance(minutes=2)

    review = await fake.slash(max_, "review")
    assert review.callback_type == CHANNEL_MESSAGE and review.ephemeral
    message = review.messages()[0]
    assert "Review · 1 due" in message_text(message)
    answer = await fake.click(max_, message, button(message, "Bravo")["custom_id"])
    assert answer.callback_type == UPDATE_MESSAGE and not answer.followups
    assert "Correct" in message_text(message) and "Bravo is right" in message_text(message)  # edited in place
    # a click that reaches the bot late is deferred first, then the clicked message is edited
    nxt = await fake.click(max_, message, button(message, "Next")["custom_id"], age=1.5)
    assert nxt.callback_type == DEFERRED_UPDATE and not nxt.followups
    assert "All caught up" in message_text(message) and "in 10 minutes" in message_text(message)
    new = await fake.click(max_, message, button(message, "New question")["custom_id"])
    assert new.callback_type == UPDATE_MESSAGE and "New question" in message_text(message)
    assert len(buttons(message)) == 4  # the new question's options, nothing else

    readiness = await fake.slash(max_, "readiness")
    assert readiness.ephemeral and "Predicted score:" in readiness.text() and "Study next" in readiness.text()


async def test_a_ten_question_exam_in_one_message_then_its_results(bot: Bot, fake: FakeDiscord):
    max_ = fake.user("max")
    exam = await fake.slash(max_, "exam", {"questions": 10})
    assert exam.callback_type == CHANNEL_MESSAGE and exam.ephemeral
    message = exam.messages()[0]
    for n in range(1, 11):
        assert f"question {n} of 10" in message_text(message), message_text(message)[:200]
        if n == 4:  # leave and come back: /exam shows where the member is
            bot.clock.advance(minutes=3)
            back = await fake.slash(max_, "exam")
            message = back.messages()[0]
            assert "question 4 of 10" in message_text(message) and "Time left: 17 min 00 s" in message_text(message)
        click = await fake.click(max_, message, button(message, "Bravo" if n % 2 else "Alpha")["custom_id"])
        assert click.callback_type == UPDATE_MESSAGE, click.callback
        assert n == 10 or "Bravo is right" not in message_text(message)  # no feedback until the end
    text = message_text(message)
    assert "Mock exam · 500 / 1000 · not a pass yet" in text and "Time used" in text
    await fake.wait_for(lambda: click.followups)  # the misses follow the edited message
    missed = "\n".join(message_text(m) for m in click.followups)
    assert len(re.findall(r"Right answer: [A-D]\. Bravo", missed)) == 5, missed
    assert all(m["flags"] & EPHEMERAL for m in click.followups)
    history = await fake.slash(max_, "exam", {"history": True})
    assert "500 / 1000" in history.text()
    assert not [m for m in fake.channel_messages(fake.channel_ids[0]) if "Mock exam" in message_text(m)]
