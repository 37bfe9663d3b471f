"""Reporting a question on Discord, end to end: the real discord.py client against the fake.

A member answers the daily quiz, presses "⚑ Report" on the private feedback, picks a reason
from the buttons that follow; an admin reads `/studybot report`."""

from __future__ import annotations

from bot import codec
from bot.store.models import Quiz

from ..fakes.discord_fake import CHANNEL_MESSAGE, FakeDiscord, buttons
from .conftest import Bot
from .test_discord_e2e import POST_AT, button, daily_posts, set_up_group


def labelled(message: dict, label: str) -> str:
    found = [b["custom_id"] for b in buttons(message) if b.get("label") == label]
    assert len(found) == 1, (label, [b.get("label") for b in buttons(message)])
    return found[0]


async def test_report_button_on_the_feedback_then_a_reason_and_the_admins_report(bot: Bot, fake: FakeDiscord):
    admin = fake.user("ada", admin=True)
    await set_up_group(fake, admin)
    await bot.run_due(POST_AT)
    post = daily_posts(fake)[0]
    alice, bob = fake.user("alice"), fake.user("bob")

    answered = await fake.click(alice, post, button(post, "Bravo")["custom_id"])
    assert answered.ephemeral and "Correct!" in answered.text()
    [feedback] = answered.messages()
    report = labelled(feedback, "⚑ Report")
    quiz_id = codec.decode(button(post, "Bravo")["custom_id"]).quiz_id
    assert report == codec.report_id(quiz_id)

    await bot.restart()  # the buttons are routed by their ids, not by a view kept in memory
    ask = await fake.click(alice, feedback, report)
    assert ask.callback_type == CHANNEL_MESSAGE and ask.ephemeral
    [reasons] = ask.messages()
    assert [b["label"] for b in buttons(reasons)] == ["Wrong answer", "Unclear", "Outdated", "Typo"]
    filed = await fake.click(alice, reasons, labelled(reasons, "Typo"))
    assert filed.ephemeral and "Reported as “Typo”" in filed.text()
    again = await fake.click(alice, reasons, labelled(reasons, "Wrong answer"))
    assert again.ephemeral and "already reported this question (“Typo”)" in again.text()

    # bob has not answered: the same reason button (a forged or copied click) files nothing
    stranger = await fake.click(bob, reasons, labelled(reasons, "Wrong answer"))
    assert stranger.ephemeral and "once you have answered it" in stranger.text()

    listed = await fake.slash(admin, "studybot", sub="report")
    assert listed.ephemeral
    text = listed.text()
    assert "Question report" in text and "**0** flagged, **1** reported" in text
    assert "Reports: Typo ×1" in text and "Wrong answer" not in text
    async with bot.service.sessions() as session:
        question_id = (await session.get(Quiz, quiz_id)).question_id
    assert f"{question_id} · " in text  # the card names the reported question
