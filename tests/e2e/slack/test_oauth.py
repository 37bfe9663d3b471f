""""Add to Slack": two workspaces install through Bolt's OAuth flow against the fake Slack
(``oauth.v2.access``); each is served and posted to with its own bot token, and an uninstall
pauses that workspace's groups until it installs again."""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from typing import Any

import pytest
from sqlalchemy import select

from adapters.slack import SlackAdapter
from bot.config import Settings
from bot.store.models import Group, SlackInstallation

from ..fakes.slack_fake import FakeSlack
from .conftest import (
    RIGHT,
    STATE_COOKIE,
    Clock,
    Harness,
    at_utc,
    choice_label,
    command_reply,
    install,
    oauth_base,
)

ALPHA, BETA = "T0ALPHA", "T0BETA"
AL, AMY = "U0ALADMIN", "U0AMY"  # Alpha's admin and a member
BE, BEN = "U0BEADMIN", "U0BEN"  # Beta's
CH_ALPHA, CH_BETA = "C0ALPHA", "C0BETA"
MONDAY_0900_BERLIN = at_utc(4, 8)


@pytest.fixture
async def multi(fake: FakeSlack, oauth_settings: Settings, clock: Clock) -> Any:
    for user, name, admin, team in ((AL, "Al", True, ALPHA), (AMY, "Amy", False, ALPHA),
                                    (BE, "Bea", True, BETA), (BEN, "Ben", False, BETA)):
        fake.add_user(user, name, admin=admin, team=team)
    fake.add_channel(CH_ALPHA, "alpha-study")
    fake.add_channel(CH_BETA, "beta-study")
    h = Harness(fake, oauth_settings, clock)
    await h.start()
    yield h
    await h.stop()


def token_of(fake: FakeSlack, team: str) -> set[str]:
    return {t for t, tm in fake.team_tokens.items() if tm == team}


async def test_two_workspaces_install_and_each_uses_its_own_token(multi: Harness, caplog) -> None:
    fake, h = multi.fake, multi
    for team, name, admin in ((ALPHA, "Alpha", AL), (BETA, "Beta", BE)):
        status, page = await install(h, team, name, admin)
        assert status == 200, page
    async with h.service.sessions() as session:
        rows = (await session.scalars(select(SlackInstallation))).all()
    assert {r.team_id: r.installer_user_id for r in rows} == {ALPHA: AL, BETA: BE}
    assert len(fake.calls_to("oauth.v2.access")) == 2

    for team, admin, channel in ((ALPHA, AL, CH_ALPHA), (BETA, BE, CH_BETA)):
        done = await command_reply(h, f"setup <#{channel}|study> 09:00 Europe/Berlin", admin, team, channel)
        assert "09:00" in done
    # each workspace's requests were answered with its own token (users.info sees only its members)
    for call in fake.calls_to("users.info"):
        assert fake.team_of(call.token) == fake.users[call.args["user"]].team_id

    # the scheduler posts each group with its workspace's token
    h.clock.set(MONDAY_0900_BERLIN)
    sent = len(fake.calls_to("chat.postMessage"))  # setup's notices came first
    await h.service.run_due(MONDAY_0900_BERLIN)
    posts = {c.args["channel"]: c.token for c in fake.calls_to("chat.postMessage")[sent:] if c.ok}
    assert posts.keys() == {CH_ALPHA, CH_BETA}
    assert posts[CH_ALPHA] in token_of(fake, ALPHA) and posts[CH_BETA] in token_of(fake, BETA)

    # each board holds only its own members
    alpha_post, beta_post = (fake.posts(channel)[-1] for channel in (CH_ALPHA, CH_BETA))
    await h.click_reply(alpha_post, AMY, choice_label(alpha_post, RIGHT), team=ALPHA)
    await h.click_reply(beta_post, BEN, choice_label(beta_post, RIGHT), team=BETA)
    alpha_board = await command_reply(h, "leaderboard", AMY, ALPHA, CH_ALPHA)
    beta_board = await command_reply(h, "leaderboard", BEN, BETA, CH_BETA)
    assert "Amy" in alpha_board and "Ben" not in alpha_board
    assert "Ben" in beta_board and "Amy" not in beta_board
    assert fake.client_secret not in caplog.text and not any(t in caplog.text for t in fake.team_tokens)


async def test_uninstall_pauses_the_workspace_and_installing_again_resumes(multi: Harness) -> None:
    fake, h = multi.fake, multi
    for team, name, admin, channel in ((ALPHA, "Alpha", AL, CH_ALPHA), (BETA, "Beta", BE, CH_BETA)):
        await install(h, team, name, admin)
        await command_reply(h, f"setup <#{channel}|study> 09:00 Europe/Berlin", admin, team, channel)

    # Alpha uninstalls: Slack revokes the token and sends app_uninstalled
    fake.revoke(ALPHA)
    event = {**fake.home_opened_event(AL, team=ALPHA), "event": {"type": "app_uninstalled", "event_ts": "1.0"}}
    status, _, _ = await h.client.event(event)
    assert status == 200
    await h.settled()
    async with h.service.sessions() as session:
        groups = {g.workspace: (g.paused, g.paused_reason) for g in await session.scalars(select(Group))}
        installed = set(await session.scalars(select(SlackInstallation.team_id)))
    assert groups == {ALPHA: (True, "uninstalled"), BETA: (False, None)} and installed == {BETA}

    # the next morning only Beta gets its post
    h.clock.set(MONDAY_0900_BERLIN)
    sent = len(fake.calls_to("chat.postMessage"))
    await h.service.run_due(MONDAY_0900_BERLIN)
    assert [c.args["channel"] for c in fake.calls_to("chat.postMessage")[sent:]] == [CH_BETA]
    # a member of Alpha who still has the command is told the app is gone
    assert "not installed" in await command_reply(h, "leaderboard", AMY, ALPHA, CH_ALPHA)

    # Alpha installs again: its group resumes and posts with the new token
    status, _ = await install(h, ALPHA, "Alpha", AL)
    assert status == 200
    tuesday = at_utc(5, 8)
    h.clock.set(tuesday)
    sent = len(fake.calls_to("chat.postMessage"))
    await h.service.run_due(tuesday)
    alpha_posts = [c for c in fake.calls_to("chat.postMessage")[sent:] if c.args["channel"] == CH_ALPHA]
    assert len(alpha_posts) == 1 and alpha_posts[0].ok and alpha_posts[0].token in token_of(fake, ALPHA)


async def test_a_state_slack_did_not_get_from_us_is_refused(multi: Harness, caplog) -> None:
    fake, h = multi.fake, multi
    code = fake.install_code(ALPHA, "Alpha", AL)
    forged = "abc.0123456789abcdef0123456789abcdef"
    with caplog.at_level(logging.WARNING):
        async with h.session.get(
            oauth_base(h) + "/slack/oauth_redirect?" + urllib.parse.urlencode({"code": code, "state": forged}),
            headers={"Cookie": f"{STATE_COOKIE}={forged}"},
        ) as resp:
            assert resp.status == 401
    assert fake.calls_to("oauth.v2.access") == []
    async with h.service.sessions() as session:
        assert (await session.scalars(select(SlackInstallation))).all() == []
    assert "did not sign" in caplog.text


async def test_a_redirect_sent_twice_at_once_installs_once(multi: Harness) -> None:
    """The browser sends Slack's redirect twice at the same moment (a double submit, a retry):
    its state is consumed once, so the code is exchanged once and the other request is refused."""
    fake, h = multi.fake, multi
    async with h.session.get(oauth_base(h) + "/slack/install", allow_redirects=False) as resp:
        state = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)["state"][0]
        cookie = resp.cookies[STATE_COOKIE].value
    back = oauth_base(h) + "/slack/oauth_redirect?" + urllib.parse.urlencode(
        {"code": fake.install_code(ALPHA, "Alpha", AL), "state": state})

    async def redirect() -> int:
        async with h.session.get(back, headers={"Cookie": f"{STATE_COOKIE}={cookie}"}) as resp:
            return resp.status

    assert sorted(await asyncio.gather(redirect(), redirect())) == [200, 401]
    assert len(fake.calls_to("oauth.v2.access")) == 1


async def test_token_mode_resumes_groups_an_uninstall_paused(slack: Harness) -> None:
    """Single-workspace mode: app_uninstalled pauses; restarting with a working token resumes."""
    fake = slack.fake
    await slack.setup_group()
    event = {**fake.home_opened_event("U0ADMIN"), "event": {"type": "app_uninstalled", "event_ts": "1.0"}}
    await slack.client.event(event)
    await slack.settled()
    async with slack.service.sessions() as session:
        assert (await session.scalar(select(Group.paused_reason))) == "uninstalled"
    await slack.restart()  # the operator reinstalled and restarted with the (new) token
    async with slack.service.sessions() as session:
        group = await session.scalar(select(Group))
    assert not group.paused and group.paused_reason is None and group.next_post_at is not None


def test_oauth_settings_come_from_the_environment() -> None:
    env = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_STATE_SECRET": "t",
           "SLACK_SIGNING_SECRET": "x", "DATABASE_URL": "sqlite:///x.db"}
    settings = Settings.from_env(env)
    assert settings.slack_oauth and settings.wants_slack and SlackAdapter(settings).mode == "http"
    half = Settings.from_env({k: v for k, v in env.items() if k != "SLACK_STATE_SECRET"})
    problem = SlackAdapter(half).problem()
    assert problem is not None and "SLACK_STATE_SECRET" in problem
