"""Replies rendered once per distinct reply, as both adapters render a burst's feedback."""

from __future__ import annotations

from bot.replies import Card, Field, Reply, rendered_once, show


def test_a_reply_is_rendered_once_however_often_it_is_sent():
    calls: list[Reply] = []

    @rendered_once
    def body(reply: Reply, private: bool) -> str:
        calls.append(reply)
        return f"{reply.cards[0].title}:{private}"

    right, wrong = show(Card(title="Correct"), private=True), show(Card(title="Wrong"), private=True)
    assert [body(r, True) for r in (right, wrong) * 50] == ["Correct:True", "Wrong:True"] * 50
    assert calls == [right, wrong]
    assert body(show(Card(title="Correct"), private=True), False) == "Correct:False"  # another argument: rendered
    assert len(calls) == 3


def test_a_reply_that_cannot_be_a_key_is_still_rendered():
    @rendered_once
    def body(reply: Reply) -> str:
        return ", ".join(f.value for f in reply.cards[0].fields)

    # built with a list where a tuple belongs: unhashable, so rendered each time rather than failing
    listed = Reply(cards=(Card(title="Board", fields=[Field("1", "ann"), Field("2", "bob")]),))  # type: ignore[arg-type]
    assert body(listed) == body(listed) == "ann, bob"
