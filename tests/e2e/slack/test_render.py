"""Block Kit rendering stays within Slack's limits whatever the core sends; the fake Web API
(which rejects oversize blocks like Slack does) accepts everything the poster sends."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.poster import SlackPoster
from adapters.slack.render import mrkdwn, render, render_home, split_mrkdwn
from bot import codec
from bot.commands import Place
from bot.replies import Card, Choice, Field, Link, Reply, Tone, say, show

from ..fakes.slack_fake import FakeSlack, buttons, validate_blocks
from .conftest import BOT_TOKEN, CHANNEL


def huge_card(n: int = 0) -> Card:
    return Card(
        title="T" * 500 + str(n),
        body=("A **long** body with <angle> & ampersands. " * 400) + "\n```\n" + "x = 1\n" * 2000 + "```",
        url="https://example.com/a?b=1&c=|2>",
        fields=tuple(Field("n" * 3000, "v" * 5000, inline=i % 3 != 0) for i in range(40)),
        links=tuple(Link(f"Link {i} " + "l" * 200, f"https://example.com/{i}") for i in range(40)),
        code="print('<tag>')\n" * 1000,
        choices=tuple(Choice(codec.encode(7, i), "ABCDEF"[i], "option " * 300) for i in range(6)),
        footer="f" * 9000,
        tone=Tone.QUIZ,
    )


def test_markup_becomes_mrkdwn() -> None:
    assert mrkdwn("**Bold** and `**code**` <b> & c") == "*Bold* and `**code**` &lt;b&gt; &amp; c"
    assert mrkdwn("```\n**not bold** < x\n```") == "```\n**not bold** &lt; x\n```"
    assert mrkdwn("``` unclosed **x**") .endswith("```")


def test_long_content_is_split_and_cut_never_oversize() -> None:
    parts = split_mrkdwn(mrkdwn("line\n```\n" + "code line\n" * 3000 + "```\nafter"))
    assert 1 < len(parts) <= 6
    assert all(len(p) <= 3000 and p.count("```") % 2 == 0 for p in parts)
    assert parts[-1].rstrip().endswith(("…", "```"))

    message = render(show(huge_card(1), huge_card(2), text="intro " * 2000))
    assert validate_blocks(message.blocks) is None
    assert len(message.blocks) == 50 and message.blocks[-1]["type"] == "context"
    assert len(message.text) <= 3000
    # answer buttons are kept even when the block budget runs out
    assert len(buttons(message.blocks)) == 6
    home = render_home(show(*(huge_card(i) for i in range(5))))
    assert home["type"] == "home" and validate_blocks(home["blocks"], 100) is None and len(home["blocks"]) == 100


def test_buttons_links_fields_footer() -> None:
    card = Card(
        title="Daily quiz",
        body="Which **one**?",
        url="https://learn.microsoft.com/x?a=1&b=2",
        links=(Link("Read the docs", "https://learn.microsoft.com/y"),),
        fields=(Field("Section", "S", inline=True), Field("Domain", "D (25-30%)", inline=True), Field("Wide", "W")),
        choices=(Choice("quiz:12:0", "A", "first"), Choice("quiz:12:1", "B", "second")),
        footer="one answer per member",
        tone=Tone.QUIZ,
    )
    blocks = render(show(card)).blocks
    assert validate_blocks(blocks) is None
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "📝 Daily quiz", "emoji": True}}
    assert "<https://learn.microsoft.com/x?a=1&amp;b=2|Daily quiz>" in blocks[1]["text"]["text"]
    assert "<https://learn.microsoft.com/y|Read the docs>" in blocks[1]["text"]["text"]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons(blocks)] == [
        ("quiz:12:0", "quiz:12:0", "A"), ("quiz:12:1", "quiz:12:1", "B"),
    ]
    fields = next(b for b in blocks if "fields" in b)["fields"]
    assert [f["text"] for f in fields] == ["*Section*\nS", "*Domain*\nD (25-30%)"]
    assert blocks[-1]["type"] == "context" and blocks[-1]["elements"][0]["text"] == "one answer per member"
    closed = render(show(Card(title="Results", choices=card.choices, closed=True))).blocks
    assert buttons(closed) == [] and "*A.* first" in closed[1]["text"]["text"]
    # a bare private sentence
    assert render(say("Only admins can do that.")).blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Only admins can do that."}}
    ]
    assert render(Reply()).text  # never an empty message


async def test_poster_posts_and_updates_huge_replies_through_the_web_api() -> None:
    fake = await FakeSlack(bot_token=BOT_TOKEN).start()
    try:
        poster = SlackPoster(AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url))
        place = Place("slack", "T0STUDY", CHANNEL)
        ref = await poster.post(place, show(huge_card(1), huge_card(2)))
        assert (CHANNEL, ref) in fake.messages
        await poster.update(place, ref, show(Card(title="Results", choices=huge_card().choices, closed=True)))
        assert all(c.ok for c in fake.calls), [c.error for c in fake.calls]
        assert buttons(fake.messages[(CHANNEL, ref)].blocks) == []
        # a channel given by name comes back with its id: the ref carries it for chat.update
        ref = await poster.post(Place("slack", "T0STUDY", "#study"), say("hi", private=False))
        await poster.update(Place("slack", "T0STUDY", "#study"), ref, say("edited", private=False))
        assert fake.calls[-1].ok and fake.calls[-1].args["channel"] == "#study"
    finally:
        await fake.stop()


def test_every_question_of_the_real_pack_renders_within_limits() -> None:
    """The daily post, the closed results and the feedback of every DP-100 question fit Slack."""
    from datetime import date

    import pytest

    from bot import cards
    from bot.config import DEFAULT_CONTENT
    from bot.content.pack import ContentError, load_pack
    from bot.store.models import Quiz
    from bot.study.quiz import Outcome, Results, Status

    try:
        pack = load_pack(DEFAULT_CONTENT)
    except ContentError:
        pytest.skip("the content pack is not complete yet")
    for n, question in enumerate(pack.questions, start=1):
        objective = pack.objective_by_id[question.objective_id]
        order = "".join(k for k, _ in question.options)[::-1]
        quiz = Quiz(id=n, kind="daily", question_id=question.id, objective_id=objective.id, option_order=order,
                    seq=0, post_date=date(2024, 3, 4))
        post = render(cards.daily_post(quiz, question, objective))
        assert validate_blocks(post.blocks) is None, question.id
        assert len(buttons(post.blocks)) == (len(question.options) if question.pick == 1 else 1), question.id
        res = Results(quiz, question, {i: 10 * i for i in range(len(question.options))}, 150, 40, "Somebody")
        closed = render(cards.results_post(res, objective))
        assert validate_blocks(closed.blocks) is None and buttons(closed.blocks) == [], question.id
        fb = render(cards.feedback(Outcome(Status.RECORDED, quiz, question, frozenset({0}), True, 12, 2), objective))
        assert validate_blocks(fb.blocks) is None, question.id
    for objective in pack.objectives:  # a lookup: the objective's card with its description, and three more
        found = render(cards.lookup([objective, *pack.objectives[:3]], objective.title))
        assert validate_blocks(found.blocks) is None, objective.id
        assert objective.description in str(found.blocks), objective.id
