"""render(): every Reply becomes a message Discord accepts, whatever the content's size."""

from __future__ import annotations

import discord
import pytest

from adapters.discord.render import (
    AnswerButton,
    AnswerSelect,
    choice_name,
    render,
    render_messages,
    truncate,
)
from bot import codec
from bot.replies import Card, Choice, Field, Link, Reply, Tone, Visibility

from ..fakes.discord_fake import choices_problems, message_problems


def payload(reply: Reply) -> dict:
    return as_dict(render(reply))


def as_dict(r) -> dict:  # noqa: ANN001
    return {
        "content": r.content,
        "embeds": [e.to_dict() for e in r.embeds],
        "components": r.view.to_components() if r.view else [],
    }


def long(word: str, n: int) -> str:
    return (word + " ") * n


async def test_pathological_reply_fits_every_limit():
    choices = tuple(Choice(codec.encode(7, i), "ABCDEF"[i], long("option", 60)) for i in range(6))
    cards = tuple(
        Card(
            title=long("Title", 100),
            body=long("body", 1500) + "```python\nx = 1\n",  # an unclosed fence, too
            url="https://learn.microsoft.com/" + "x" * 100,
            fields=tuple(Field("" if i % 3 == 0 else long("name", 80), "" if i % 4 == 0 else long("value", 400))
                         for i in range(40)),
            links=tuple(Link(f"[doc] {i}", f"https://example.com/{i}") for i in range(60)) + (Link("bad", "ftp://x"),),
            code=long("code()", 900) + "```",
            choices=choices if n == 0 else (),
            footer=long("footer", 600),
            tone=Tone.QUIZ,
        )
        for n in range(12)
    )
    reply = Reply(cards=cards, text=long("text", 700), visibility=Visibility.PRIVATE)
    p = payload(reply)
    assert message_problems(p) == []
    assert len(p["embeds"]) <= 10
    # as interaction replies, nothing is dropped: the cards continue in further messages
    messages = [as_dict(m) for m in render_messages(reply)]
    assert len(messages) > 1 and all(message_problems(m) == [] for m in messages)
    assert sum(len(m["embeds"]) for m in messages) == 12
    assert all(m.ephemeral for m in render_messages(reply))
    first = p["embeds"][0]["description"]
    # options are kept visible, each cut to its share
    assert all(f"**{letter}.** option" in first for letter in "ABCDEF")
    labels = [c["label"] for row in p["components"] for c in row["components"]]
    assert labels == list("ABCDEF")  # long option texts: the button shows the letter only


async def test_small_cards_share_one_interaction_message_in_their_order():
    cards = tuple(Card(title=f"Card {i}", body=f"body {i}", tone=Tone.INFO) for i in range(3))
    reply = Reply(cards=cards, text="hello")
    (only,) = render_messages(reply)
    assert as_dict(only) == payload(reply)
    assert [e["title"] for e in as_dict(only)["embeds"]] == ["Card 0", "Card 1", "Card 2"]


async def test_short_options_show_on_the_buttons_and_closed_cards_disable_them():
    card = Card(title="Quiz", choices=tuple(Choice(codec.encode(3, i), "ABCD"[i], t)
                                            for i, t in enumerate(["Yes", "No", "Maybe", "x" * 200])))
    p = payload(Reply(cards=(card,)))
    labels = [c["label"] for row in p["components"] for c in row["components"]]
    assert labels == ["A", "B", "C", "D"]  # one long option: letters only, for a consistent row
    short = Card(title="Quiz", closed=True,
                 choices=tuple(Choice(codec.encode(3, i), "AB"[i], t) for i, t in enumerate(["Yes", "No"])))
    p = payload(Reply(cards=(short,)))
    comps = [c for row in p["components"] for c in row["components"]]
    assert [c["label"] for c in comps] == ["A · Yes", "B · No"]
    assert all(c["disabled"] for c in comps)
    assert [c["custom_id"] for c in comps] == ["quiz:3:0", "quiz:3:1"]


async def test_choose_two_is_a_select_with_the_codec_prefix():
    card = Card(title="Pick two", pick=2,
                choices=tuple(Choice(codec.encode(42, i), "ABCD"[i], f"Option {i}") for i in range(4)))
    r = render(Reply(cards=(card,)))
    (item,) = r.view.children
    assert isinstance(item, AnswerSelect)
    comp = r.view.to_components()[0]["components"][0]
    assert comp["custom_id"] == codec.quiz_prefix(42)
    assert comp["min_values"] == comp["max_values"] == 2
    assert [o["value"] for o in comp["options"]] == ["0", "1", "2", "3"]


async def test_answer_buttons_are_dynamic_items_that_decode_to_their_pick():
    card = Card(title="Quiz", choices=(Choice(codec.encode(9, 0), "A", "Yes"), Choice(codec.encode(9, 3), "B", "No")))
    items = render(Reply(cards=(card,))).view.children
    assert all(isinstance(item, AnswerButton) for item in items)
    # each button is matched by its own template after a restart, and names its quiz and pick
    assert [item.template.fullmatch(item.custom_id) is not None for item in items] == [True, True]
    assert [(p.quiz_id, p.positions) for p in map(codec.decode, (i.custom_id for i in items))] == \
        [(9, frozenset({0})), (9, frozenset({3}))]


async def test_text_only_and_empty_replies():
    assert payload(Reply(text="**hi** `code`"))["content"] == "**hi** `code`"
    p = payload(Reply())
    assert p["content"] and message_problems(p) == []  # never an empty message


@pytest.mark.parametrize("text,limit", [("a" * 10, 5), ("```\n" + "x" * 50 + "\n```", 20), ("ab```cd", 4)])
def test_truncate_marks_the_cut_and_closes_code(text: str, limit: int):
    out = truncate(text, limit)
    assert len(out) <= limit and "…" in out
    assert out.count("```") % 2 == 0


def test_choice_names_fit_autocomplete():
    long_name = choice_name("x" * 300)
    assert choices_problems([{"name": long_name, "value": "v"}]) == [] and long_name.endswith("…")
    assert choice_name("  two\n lines ") == "two lines"
    assert choices_problems([{"name": choice_name(""), "value": "v"}]) == []  # never empty


async def test_a_long_button_label_is_cut_to_what_discord_takes():
    button = AnswerButton(codec.encode(1, 0), "word " * 40)
    (row,) = discord.ui.View().add_item(button).to_components()
    assert message_problems({"components": [row]}) == [] and row["components"][0]["label"].endswith("…")
