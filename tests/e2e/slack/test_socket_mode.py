"""The same bot in Socket Mode: the real AsyncSocketModeHandler asks the fake for
apps.connections.open, connects to its websocket, and acknowledges every envelope."""

from __future__ import annotations

import pytest

from ..fakes.slack_fake import buttons
from .conftest import ADMIN, ANN, BOB, CHANNEL, RIGHT, Harness, at_utc, choice_label, make_settings


async def test_socket_mode_command_click_and_home(socket_slack: Harness) -> None:
    fake, h = socket_slack.fake, socket_slack
    assert h.adapter.mode == "socket"
    (opened,) = fake.calls_to("apps.connections.open")
    assert opened.token == "xapp-test-token"  # the app-level token, not the bot token

    # a slash command arrives as an envelope and is acknowledged at once
    form = fake.slash_form(f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin", user=ADMIN)
    eid = await fake.send_envelope("slash_commands", form)
    ack = await fake.wait_ack(eid, timeout=3)
    assert ack["envelope_id"] == eid
    await fake.wait_for(lambda: fake.responses, what="the setup reply")
    assert "09:00" in fake.responses[-1].text

    # the scheduler posts; a member clicks through the socket
    post = await h.post_daily(at_utc(4, 8))
    payload = fake.click_payload(post, user=ANN, label=choice_label(post, RIGHT))
    eid = await fake.send_envelope("interactive", payload)
    await fake.wait_ack(eid)
    reply = await fake.wait_for(lambda: fake.private_to(ANN), what="Ann's result")
    assert "Correct" in reply[0]

    # a retried envelope of the same click: acknowledged, counted once
    eid = await fake.send_envelope("interactive", payload, retry_attempt=1)
    await fake.wait_ack(eid)
    await fake.wait_for(lambda: len(fake.private_to(ANN)) == 2, what="the duplicate notice")
    assert "already answered" in fake.private_to(ANN)[1]

    # App Home through the socket; a retried event is acked but not handled again
    eid = await fake.send_envelope("events_api", fake.home_opened_event(ANN))
    await fake.wait_ack(eid)
    await fake.wait_for(lambda: ANN in fake.views, what="the home view")
    eid = await fake.send_envelope("events_api", fake.home_opened_event(ANN), retry_attempt=1)
    await fake.wait_ack(eid)
    await h.settled()
    assert len(fake.calls_to("views.publish")) == 1

    # a malformed subcommand: a private usage message
    eid = await fake.send_envelope("slash_commands", fake.slash_form("leaderboard sideways", user=BOB))
    await fake.wait_ack(eid)
    await fake.wait_for(lambda: fake.private_to(BOB), what="Bob's usage message")
    assert "Usage: `/studybot leaderboard [week|last-week]`" in fake.private_to(BOB)[0]
    assert buttons(post.blocks)


async def test_socket_mode_close_disconnects(socket_slack: Harness) -> None:
    fake = socket_slack.fake
    await fake.wait_for(lambda: fake.socket is not None and not fake.socket.closed, what="the connection")
    socket = fake.socket
    await socket_slack.stop()
    await fake.wait_for(lambda: socket.closed, what="the socket to close")


async def test_mode_selection_and_missing_secret(tmp_path, pack_dir) -> None:
    from dataclasses import replace

    from adapters.slack import SlackAdapter

    with_app_token = make_settings(tmp_path, pack_dir, app_token=True)
    assert SlackAdapter(with_app_token).mode == "socket"
    assert SlackAdapter(with_app_token, http=True).mode == "http"  # studybot run --slack-http
    assert SlackAdapter(make_settings(tmp_path, pack_dir)).mode == "http"  # no app token: HTTP

    no_secret = replace(with_app_token, slack_signing_secret=None)
    adapter = SlackAdapter(no_secret, http=True)
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET") as err:
        await adapter.run(object())
    assert "xapp-" not in str(err.value) and "xoxb-" not in str(err.value)
    assert SlackAdapter(no_secret).problem() is None  # Socket Mode needs no signing secret
