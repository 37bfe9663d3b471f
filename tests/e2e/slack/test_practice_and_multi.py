"""Practice questions (ephemeral, clickable) and "choose two" questions (checkboxes + Submit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import codec

from ..fakes.slack_fake import buttons, message_text
from .conftest import ANN, BOB, CHANNEL, RIGHT, Harness, at_utc, choice_label, write_pack


async def test_practice_question_is_private_and_clickable(slack: Harness) -> None:
    fake = slack.fake
    text = await slack.command_reply("quiz", ANN)
    practice = fake.responses[-1]
    assert practice.ephemeral and "Practice question" in text
    assert len(buttons(practice.body["blocks"])) == 4

    reply = await slack.click_reply(practice.body, ANN, choice_label(practice.body, RIGHT))
    assert "Correct" in reply and "Practice" in reply
    # someone else's practice question is not theirs to answer
    other = await slack.click_reply(practice.body, BOB, choice_label(practice.body, RIGHT))
    assert "belongs to someone else" in other


class TestChooseTwo:
    @pytest.fixture
    def pack_dir(self, tmp_path: Path) -> Path:
        return write_pack(tmp_path / "pack-multiple", multiple=True)

    async def test_daily_choose_two_with_checkboxes_and_submit(self, slack: Harness) -> None:
        fake = slack.fake
        await slack.setup_group()
        post = await slack.post_daily(at_utc(4, 8))
        (actions,) = [b for b in post.blocks if b["type"] == "actions"]
        checkboxes, submit = actions["elements"]
        assert checkboxes["type"] == "checkboxes" and [o["value"] for o in checkboxes["options"]] == ["0", "1", "2", "3"]
        quiz_id = codec.decode(f"{submit['action_id']}:0").quiz_id
        assert submit["action_id"] == codec.quiz_prefix(quiz_id) and submit["value"] == "2"
        text = message_text(post.__dict__)
        assert "&lt;workspaces&gt; &amp; compute" in text and "*two*" in text

        right = [str("ABCD".index(choice_label(post, t))) for t in (RIGHT, "Also right")]
        wrong_one = str("ABCD".index(choice_label(post, "Wrong one")))

        # nothing ticked, or one box only: told to tick two, nothing recorded
        none = await slack.click_reply(post, ANN, submit["text"]["text"])
        assert "Tick exactly 2 answers" in none and "nothing is ticked" in none
        one = await slack.click_reply(post, ANN, submit["text"]["text"], ticked=right[:1])
        assert "you ticked 1" in one
        # ticking a box is acknowledged without a reply
        status, _, _ = await slack.client.interaction(
            {**fake.click_payload(post, user=ANN, label=submit["text"]["text"]),
             "actions": [{"action_id": checkboxes["action_id"], "block_id": "b0", "type": "checkboxes",
                          "selected_options": checkboxes["options"][:1], "action_ts": "1.0"}]}
        )
        assert status == 200

        good = await slack.click_reply(post, ANN, submit["text"]["text"], ticked=right)
        assert "Correct" in good
        bad = await slack.click_reply(post, BOB, submit["text"]["text"], ticked=[right[0], wrong_one])
        assert "Not quite" in bad
        again = await slack.click_reply(post, ANN, submit["text"]["text"], ticked=right)
        assert "already answered" in again
        assert len(fake.private_to(ANN)) == 4  # the tick itself sent nothing

        await slack.post_daily(at_utc(5, 8))
        closed = fake.messages[(CHANNEL, post.ts)]
        assert not any(b["type"] == "actions" for b in closed.blocks)
        assert "*Answered*\n2" in message_text(closed.__dict__)
