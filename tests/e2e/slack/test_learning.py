"""Spaced review and the mock exam on Slack, through slack-bolt against the fake Slack.

Both run in the ephemeral flow: every click's response_url replaces the member's private
message (``replace_original``), so a review or an exam goes on in one message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..discord.pack import build_pack
from ..fakes.slack_fake import buttons, message_text
from .conftest import ANN, Harness, choice_label


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    return build_pack(tmp_path / "pack")  # the real objectives, one question each (Bravo is right)


async def test_a_review_session_replaces_one_private_message(slack: Harness) -> None:
    fake = slack.fake
    await slack.command_reply("quiz", ANN)
    practice = fake.responses[-1]
    await slack.click_reply(practice.body, ANN, choice_label(practice.body, "Alpha"))  # wrong: due in a minute
    slack.clock.advance(minutes=2)

    assert "Review · 1 due" in await slack.command_reply("review", ANN)
    review = fake.responses[-1]
    assert review.ephemeral and review.body["replace_original"] is False  # a command: a new message
    reply = await slack.click_reply(review.body, ANN, choice_label(review.body, "Bravo"))
    answered = fake.responses[-1]
    assert answered.body["replace_original"] is True and "Correct" in reply and "Bravo is right" in reply
    reply = await slack.click_reply(answered.body, ANN, "Next")
    assert fake.responses[-1].body["replace_original"] is True
    assert "All caught up" in reply and "in 10 minutes" in reply
    reply = await slack.click_reply(fake.responses[-1].body, ANN, "New question")
    assert fake.responses[-1].body["replace_original"] is True and "New question" in reply
    assert len(buttons(fake.responses[-1].body["blocks"])) == 4

    readiness = await slack.command_reply("readiness", ANN)
    assert "Predicted score:" in readiness and "Study next" in readiness


async def test_a_ten_question_exam_in_one_message_then_its_results(slack: Harness) -> None:
    fake = slack.fake
    assert "question 1 of 10" in await slack.command_reply("exam 10", ANN)
    message = fake.responses[-1].body
    for n in range(1, 11):
        if n == 6:  # leave and come back: `/studybot exam` shows where the member is
            slack.clock.advance(minutes=4)
            text = await slack.command_reply("exam", ANN)
            assert "question 6 of 10" in text and "Time left: 16 min 00 s" in text
            message = fake.responses[-1].body
        before = len(fake.responses)
        reply = await slack.click_reply(message, ANN, choice_label(message, "Bravo" if n <= 7 else "Alpha"))
        message = fake.responses[before].body
        assert message["replace_original"] is True
        if n < 10:
            assert f"question {n + 1} of 10" in reply and "Bravo is right" not in reply  # no feedback yet
    assert "Mock exam · 700 / 1000 · pass" in reply and "Time used" in reply
    await fake.wait_for(lambda: "Right answer" in fake.responses[-1].text, what="the missed questions")
    missed = fake.responses[-1]
    assert missed.ephemeral and missed.body["replace_original"] is False
    assert set(re.findall(r"Missed (\d+) ·", missed.text)) == {"1", "2", "3"}
    assert "Right answer: " in missed.text and "Bravo is right" in missed.text
    history = await slack.command_reply("exam history", ANN)
    assert "700 / 1000" in history
    assert not [p for p in fake.posts() if "Mock exam" in p.text]


async def test_the_home_tab_shows_readiness(slack: Harness) -> None:
    fake = slack.fake
    await slack.client.event(fake.home_opened_event(ANN))
    await fake.wait_for(lambda: ANN in fake.views, what="Ann's home view")
    assert "Predicted score: not enough answers yet" in message_text(fake.views[ANN])
    await slack.command_reply("quiz", ANN)
    practice = fake.responses[-1]
    await slack.click_reply(practice.body, ANN, choice_label(practice.body, "Bravo"))
    del fake.views[ANN]
    await slack.client.event(fake.home_opened_event(ANN))
    await fake.wait_for(lambda: ANN in fake.views, what="Ann's home view again")
    home = message_text(fake.views[ANN])
    assert "Exam readiness" in home and "From 1 question answered" in home and "Study next" in home
