"""Enterprise Grid: an org admin installs the app once for the whole org ("Add to Slack" with
``is_enterprise_install``), then slash commands and clicks arrive from several workspaces of the
org. Each is authorized with the org's one bot token, each workspace's channel is its own group
and board, a per-workspace install in another org keeps working beside it, an org-wide
uninstall pauses every group of the org until the org installs again, and removing the app from
one workspace of the org pauses that workspace's groups until it is added back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from adapters.slack.app import NOT_INSTALLED
from bot.config import Settings
from bot.store.models import Group, SlackInstallation

from ..fakes.slack_fake import FakeSlack, Message
from .conftest import RIGHT, Clock, Harness, at_utc, choice_label, command_reply, install

ACME, ACME_ADMIN = "E0ACME", "W0ORGADMIN"  # the org, and the org admin who installs it org-wide
NORTH, SOUTH = "T0NORTH", "T0SOUTH"  # two workspaces of the org
NED, NIA = "W0NED", "W0NIA"  # North's workspace admin and a member
SID, SAM = "W0SID", "W0SAM"  # South's
SOLO, SOLO_ORG = "T0SOLO", "E0OTHER"  # a workspace of another org, installed on its own (not org-wide)
OLA, OTTO = "U0OLA", "U0OTTO"
CH = {NORTH: "C0NORTH", SOUTH: "C0SOUTH", SOLO: "C0SOLO"}
ADMIN_OF = {NORTH: NED, SOUTH: SID, SOLO: OLA}
MEMBER_OF = {NORTH: NIA, SOUTH: SAM, SOLO: OTTO}
ORG_WIDE = {NORTH: True, SOUTH: True, SOLO: False}  # what Slack says in each workspace's requests
MONDAY_0900_BERLIN, TUESDAY_0900_BERLIN = at_utc(4, 8), at_utc(5, 8)


@pytest.fixture
async def grid(fake: FakeSlack, oauth_settings: Settings, clock: Clock) -> Any:
    for team, enterprise in ((NORTH, ACME), (SOUTH, ACME), (SOLO, SOLO_ORG)):
        fake.add_team(team, enterprise)
        fake.add_channel(CH[team], f"{team.lower()}-study", team=team)
    fake.add_user(ACME_ADMIN, "Orla", admin=True, team=NORTH)
    for team, admin in ADMIN_OF.items():
        fake.add_user(admin, f"Admin {team[2:].title()}", admin=True, team=team)
    for team, name in ((NORTH, "Nia"), (SOUTH, "Sam"), (SOLO, "Otto")):
        fake.add_user(MEMBER_OF[team], name, team=team)
    h = Harness(fake, oauth_settings, clock)
    await h.start()
    yield h
    await h.stop()


async def install_org(h: Harness) -> None:
    status, page = await install(h, None, "Acme", ACME_ADMIN, enterprise=ACME, org_wide=True)
    assert status == 200, page


async def install_solo(h: Harness) -> None:
    status, page = await install(h, SOLO, "Solo", OLA, enterprise=SOLO_ORG)
    assert status == 200, page


async def run(h: Harness, team: str, text: str, user: str | None = None) -> str:
    """``/studybot <text>`` in ``team``'s study channel, as Slack sends it there."""
    return await command_reply(h, text, user or ADMIN_OF[team], team, CH[team], org_wide=ORG_WIDE[team])


async def set_up_groups(h: Harness, *teams: str) -> None:
    for team in teams or (NORTH, SOUTH, SOLO):
        assert "09:00" in await run(h, team, f"setup <#{CH[team]}|study> 09:00 Europe/Berlin")


async def post_daily(h: Harness, at: Any) -> dict[str, Any]:
    """The scheduler's tick at ``at``: the chat.postMessage calls it made, by channel."""
    fake = h.fake
    h.clock.set(at)
    sent = len(fake.calls_to("chat.postMessage"))
    await h.service.run_due(at)
    return {c.args["channel"]: c for c in fake.calls_to("chat.postMessage")[sent:]}


def org_tokens(fake: FakeSlack) -> set[str]:
    return set(fake.org_tokens)


async def test_one_org_wide_install_serves_each_workspace_of_the_org_with_its_own_groups(grid: Harness) -> None:
    fake, h = grid.fake, grid
    await install_org(h)
    await install_solo(h)
    async with h.service.sessions() as session:
        rows = {(r.enterprise_id, r.team_id, r.is_enterprise_install) for r in await session.scalars(
            select(SlackInstallation))}
    assert rows == {(ACME, None, True), (SOLO_ORG, SOLO, False)}  # one row for the whole org

    await set_up_groups(h)
    # the org's workspaces were answered with the org's token (users.info told their admins apart)
    asked = {c.args["user"]: c.token for c in fake.calls_to("users.info")}
    assert asked[NED] in org_tokens(fake) and asked[SID] in org_tokens(fake)
    assert fake.team_of(asked[OLA]) == SOLO
    async with h.service.sessions() as session:
        groups = {g.channel: g.workspace for g in await session.scalars(select(Group))}
    assert groups == {CH[NORTH]: NORTH, CH[SOUTH]: SOUTH, CH[SOLO]: SOLO}  # per channel, keyed by workspace

    # the scheduler posts in each workspace of the org with the org's token, Solo with its own
    posts = await post_daily(h, MONDAY_0900_BERLIN)
    assert posts.keys() == set(CH.values()) and all(c.ok for c in posts.values()), posts
    assert posts[CH[NORTH]].token in org_tokens(fake) and posts[CH[SOUTH]].token in org_tokens(fake)
    assert fake.team_of(posts[CH[SOLO]].token) == SOLO

    # members click in their own workspace (org-wide: Slack sends no team, only the user's)
    for team in (NORTH, SOUTH, SOLO):
        post: Message = fake.posts(CH[team])[-1]
        reply = await h.click_reply(post, MEMBER_OF[team], choice_label(post, RIGHT), team=team,
                                    org_wide=ORG_WIDE[team])
        assert "Correct" in reply and NOT_INSTALLED not in reply
    assert {c.args["user"]: c.token for c in fake.calls_to("users.info")}[SAM] in org_tokens(fake)

    boards = {team: await run(h, team, "leaderboard", MEMBER_OF[team]) for team in (NORTH, SOUTH, SOLO)}
    assert "Nia" in boards[NORTH] and not {"Sam", "Otto"} & set(boards[NORTH].split())
    assert "Sam" in boards[SOUTH] and "Nia" not in boards[SOUTH]
    assert "Otto" in boards[SOLO] and "Nia" not in boards[SOLO]


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
async def test_an_org_wide_uninstall_pauses_every_group_of_the_org_until_it_installs_again(
    grid: Harness, kind: str
) -> None:
    fake, h = grid.fake, grid
    await install_org(h)
    await install_solo(h)
    await set_up_groups(h)

    # the org admin removes the app from the org: Slack revokes the org's token and says so once,
    # in the name of the org-wide installation (through one of the org's workspaces)
    fake.revoke(ACME)
    status, _, _ = await h.client.event(fake.lost_access_event(kind, team=SOUTH, enterprise=ACME, org_wide=True))
    assert status == 200
    await h.settled()
    async with h.service.sessions() as session:
        paused = {g.workspace: (g.paused, g.paused_reason) for g in await session.scalars(select(Group))}
        installed = set(await session.scalars(select(SlackInstallation.enterprise_id)))
    assert paused == {NORTH: (True, "uninstalled"), SOUTH: (True, "uninstalled"), SOLO: (False, None)}
    assert installed == {SOLO_ORG}

    # the next morning only Solo gets its post; a member of the org is told the app is gone
    assert list(await post_daily(h, MONDAY_0900_BERLIN)) == [CH[SOLO]]
    assert NOT_INSTALLED in await run(h, NORTH, "leaderboard", NIA)

    # the org installs again: both of its groups resume and post with the new org token
    await install_org(h)
    posts = await post_daily(h, TUESDAY_0900_BERLIN)
    assert posts.keys() == set(CH.values()) and all(c.ok for c in posts.values()), posts
    assert posts[CH[NORTH]].token in org_tokens(fake) and posts[CH[SOUTH]].token in org_tokens(fake)


async def test_a_workspace_uninstall_inside_another_org_leaves_the_org_wide_install_alone(grid: Harness) -> None:
    fake, h = grid.fake, grid
    await install_org(h)
    await install_solo(h)
    await set_up_groups(h)

    fake.revoke(SOLO)
    status, _, _ = await h.client.event(fake.lost_access_event("app_uninstalled", team=SOLO, enterprise=SOLO_ORG))
    assert status == 200
    await h.settled()
    async with h.service.sessions() as session:
        paused = {g.workspace: g.paused for g in await session.scalars(select(Group))}
        installed = set(await session.scalars(select(SlackInstallation.enterprise_id)))
    assert paused == {NORTH: False, SOUTH: False, SOLO: True} and installed == {ACME}
    assert (await post_daily(h, MONDAY_0900_BERLIN)).keys() == {CH[NORTH], CH[SOUTH]}


async def test_removing_the_org_app_from_one_workspace_pauses_only_its_groups_until_it_is_added_back(
    grid: Harness,
) -> None:
    fake, h = grid.fake, grid
    await install_org(h)
    await set_up_groups(h, NORTH, SOUTH)

    # the org admin removes the app from South only: South's groups pause, North's keep posting
    fake.enterprise_of.pop(SOUTH)
    status, _, _ = await h.client.event(fake.team_access_event("team_access_revoked", ACME, [SOUTH]))
    assert status == 200
    await h.settled()
    async with h.service.sessions() as session:
        paused = {g.workspace: (g.paused, g.paused_reason) for g in await session.scalars(select(Group))}
    assert paused == {NORTH: (False, None), SOUTH: (True, "uninstalled")}
    assert list(await post_daily(h, MONDAY_0900_BERLIN)) == [CH[NORTH]]

    # added back: South resumes at its usual time, with the org's token
    fake.add_team(SOUTH, ACME)
    status, _, _ = await h.client.event(fake.team_access_event("team_access_granted", ACME, [SOUTH]))
    assert status == 200
    await h.settled()
    posts = await post_daily(h, TUESDAY_0900_BERLIN)
    assert posts.keys() == {CH[NORTH], CH[SOUTH]} and all(c.ok for c in posts.values()), posts
    assert posts[CH[SOUTH]].token in org_tokens(fake)

