"""Bad input through the public API: a clear message every time, no crash, nothing stored."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.commands import _ALIASES, USAGE, Admins, ParseError, Setup, Status, parse
from bot.replies import ECHO_LIMIT, Reply
from bot.store.models import Answer, Group, Member, Quiz
from tests.helpers import ctx

ADMIN = ctx("boss", admin=True)
JUNK = "Ω" + "".join(chr(0x41 + (i * 7) % 58) for i in range(3999))  # 4,000 characters of junk


def _visible(replies: list[Reply]) -> str:
    parts = []
    for r in replies:
        parts.append(r.text)
        for c in r.cards:
            parts += [c.title, c.body, c.footer or "", *(f.value for f in c.fields)]
    return "\n".join(parts)


async def _stored(service) -> tuple:
    """Everything bad input could change: row counts, and each group's settings."""
    async with service.sessions() as s:
        counts = [await s.scalar(select(func.count()).select_from(t)) for t in (Group, Member, Quiz, Answer)]
        groups = (await s.execute(select(Group.channel, Group.post_time, Group.timezone, Group.open_hours,
                                         Group.paused, Group.admins).order_by(Group.id))).all()
    return tuple(counts), [tuple(str(v) for v in g) for g in groups]


BAD_SETUP = [
    ("/setup 09:00 UTC ²", "Usage: `/setup"),
    ("/setup 09:00 ²", "“²” is not a time zone I know"),
    ("/setup 09:00 Europe/" + "x" * 300, "is not a time zone I know"),
    ("/setup #\ufffd\ufffd 09:00 UTC", "“\ufffd\ufffd” is not a channel I can post in"),
    ("/setup #" + "c" * 65 + " 09:00 UTC", "is not a channel I can post in"),
    ("/setup 24:00", "“24:00” is not a time"),
    ("/setup 09:00 UTC 0", "1 to 168 hours"),
    ("/setup 09:00 UTC 99999", "Usage: `/setup"),
]


async def test_bad_setup_gets_a_clear_message_and_stores_nothing(service):
    before = await _stored(service)
    for text, message in BAD_SETUP:
        [reply] = await service.handle_text(ADMIN, text)
        assert reply.private and message in reply.text, (text, reply.text)
        assert len(reply.text) < 250, text
    assert await _stored(service) == before


async def test_a_member_who_may_not_set_up_hears_that_first(service):
    for text, _ in BAD_SETUP[1:-1]:  # the parser refuses the first and last, before anyone is asked
        [reply] = await service.handle_text(ctx("ann"), text)
        assert reply.text == "Only admins can set up StudyBot.", text


async def test_admin_ids_are_bounded_in_size_and_number(service):
    await service.handle(ADMIN, Setup(time="09:00"))
    [huge] = await service.handle_text(ADMIN, "/studybot admins add @" + "x" * 300_000)
    assert "is not a member" in huge.text and len(huge.text) < 200
    [many] = await service.handle(ADMIN, Admins(add=tuple(f"m{i}" for i in range(26))))
    assert "at most 25 extra admins" in many.text
    [ok] = await service.handle_text(ADMIN, "/studybot admins add @ann bob")
    assert ok.text.startswith("Extra admins: ")
    [status] = await service.handle(ADMIN, Status())
    assert len(_visible([status])) < 1000


async def test_junk_is_not_echoed_back_whole(service):
    await service.handle(ADMIN, Setup(time="09:00"))
    for text in (f"/objective {JUNK}", f"/{JUNK}", f"/objectives {JUNK}", f"/setup 09:00 {JUNK}",
                 f"/setup #{JUNK} 09:00", f"/leaderboard {JUNK}", f"/studybot admins add {JUNK}"):
        replies = await service.handle_text(ADMIN, text)
        shown = _visible(replies)
        assert replies and shown.strip(), text[:20]
        assert JUNK[:ECHO_LIMIT] not in shown and len(shown) < 1500, (text[:20], shown)


# --- fuzzing the parser and the service --------------------------------------------------------

_WORDS = [*USAGE, *_ALIASES, "studybot", "as", "assistant"]
_ARGS = st.one_of(
    st.text(max_size=24),
    st.sampled_from([
        "09:00", "9:5", "25:61", "٠٩:٠٠", "Europe/Berlin", "Europe/Berln", "²", "0", "168", "169", "-1", "99999",
        "#study", "#", "<#C0STUDY|study>", "<@U0ANN|ann>", "@ann", "@", "week", "last-week", "add", "remove",
        "'", '"', "\\", "```", "**", "\x00", "\ufffd", "\ue000#C1|x\ue001", "x" * 70, "Europe/" + "x" * 300,
    ]),
)


#: every combination of these setup parts is tried: the inputs that reach the store
_SETUP_PARTS = (
    ["", "#study", "#" + "c" * 65, "#\ufffd", "<#C0STUDY|study>"],
    ["09:00", "24:00", "٠٩:٠٠"],
    ["", "Europe/Berlin", "Europe/Berln", "Europe/" + "x" * 300, "²"],
    ["", "1", "0", "²", "99999"],
)


async def test_every_setup_combination_gets_a_reply_and_a_refused_one_stores_nothing(service):
    for parts in itertools.product(*_SETUP_PARTS):
        text = " ".join(["/setup", *(p for p in parts if p)])
        before = await _stored(service)
        replies = await service.handle_text(ADMIN, text)
        assert len(replies) == 1 and replies[0].text.strip(), text
        if replies[0].private:  # refused: setup is public when it works
            assert await _stored(service) == before, text
        else:
            assert replies[0].text.startswith("StudyBot will post"), text


_ADMINS = st.builds(
    lambda verb, ids: " ".join(["/studybot admins", verb, *ids]),
    st.sampled_from(["add", "remove", "list", ""]),
    st.lists(st.one_of(st.sampled_from(["@ann", "<@U0ANN|ann>", "@", "x" * 70, "@\x00"]), st.text(max_size=12)),
             max_size=4),
)
_LINES = st.one_of(
    _ADMINS,
    st.builds(lambda slash, word, args: ("/" if slash else "") + " ".join([word, *args]),
              st.booleans(), st.sampled_from(_WORDS), st.lists(_ARGS, max_size=5)),
    st.text(max_size=300),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=_LINES, admin=st.booleans())
async def test_every_input_gets_a_reply_and_bad_input_stores_nothing(service, text, admin):
    if not await service.has_group(ADMIN.place):
        await service.handle(ADMIN, Setup(time="09:00"))
    who = ADMIN if admin else ctx("ann")
    command = parse(text)
    before = await _stored(service)
    replies = await service.handle_text(who, text)
    assert replies and all(r.text.strip() or r.cards for r in replies), (text, replies)
    shown = _visible(replies)
    for word in text.split():
        if len(word) > ECHO_LIMIT:
            assert word not in shown, (text, shown)
    refused = isinstance(command, ParseError) or (
        isinstance(command, Setup) and replies[0].private
    ) or (isinstance(command, Admins) and not replies[0].text.startswith("Extra admins:"))
    if refused:
        assert await _stored(service) == before, (text, replies)
