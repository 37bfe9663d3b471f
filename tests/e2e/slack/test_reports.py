"""Reporting a question on Slack, end to end through the real Bolt app over HTTP: the
"⚑ Report" select on a member's private feedback, and `/studybot report` for admins."""

from __future__ import annotations

from ..fakes.slack_fake import selects
from .conftest import ADMIN, ANN, BOB, CAT, RIGHT, Harness, at_utc, choice_label

MONDAY_0900_BERLIN = at_utc(4, 8)


async def test_report_select_on_the_feedback_and_the_admins_report(slack: Harness) -> None:
    fake = slack.fake
    await slack.setup_group()
    post = await slack.post_daily(MONDAY_0900_BERLIN)
    right = choice_label(post, RIGHT)

    answered = await slack.click_reply(post, ANN, right)
    assert "Correct" in answered
    feedback = next(r.body for r in reversed(fake.responses) if r.user == ANN)
    [menu] = selects(feedback["blocks"])
    assert menu["placeholder"]["text"] == "⚑ Report"
    assert [o["text"]["text"] for o in menu["options"]] == ["Wrong answer", "Unclear", "Outdated", "Typo"]

    filed = await slack.click_reply(feedback, ANN, None, choose="Typo")
    assert "Reported as “Typo”" in filed
    again = await slack.click_reply(feedback, ANN, None, choose="Wrong answer")
    assert "already reported this question (“Typo”)" in again
    # Bob has not answered: the same menu (forwarded, or a forged payload) files nothing for him
    stranger = await slack.click_reply(feedback, BOB, None, choose="Wrong answer")
    assert "once you have answered it" in stranger

    # typed: reports the last question Cat answered
    await slack.click_reply(post, CAT, right)
    assert "Reported as “Unclear”" in await slack.command_reply("report unclear", CAT)

    assert "Only admins" in await slack.command_reply("report", ANN)
    listed = await slack.command_reply("report", ADMIN)
    assert "Question report" in listed and "*0* flagged, *1* reported" in listed
    assert "Reports: Typo ×1 · Unclear ×1" in listed
