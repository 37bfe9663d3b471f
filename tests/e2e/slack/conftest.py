"""Fixtures for the Slack end-to-end tests: a small content pack, the fake Slack, and the real
StudyService + SlackAdapter (Bolt AsyncApp served over HTTP on 127.0.0.1, or in Socket Mode)."""

from __future__ import annotations

import asyncio
import re
import textwrap
import urllib.parse
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack import SlackAdapter
from adapters.slack.app import BOT_SCOPES
from bot.config import Secret, Settings
from bot.service import StudyService
from tests.helpers import Clock, stop_serving

from ..fakes.slack_fake import FakeSlack, Message, SignedClient, buttons, message_text

UTC = timezone.utc
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0STUDY"
ADMIN, OWNER, ANN, BOB, CAT = "U0ADMIN", "U0OWNER", "U0ANN", "U0BOB", "U0CAT"
RIGHT = "Right answer"
STATE_COOKIE = "slack-app-oauth-state"  # Bolt's OAuth state cookie

OBJECTIVES = """\
exam: DP-100
title: "Test pack for the Slack adapter"
domains:
  - id: "1"
    title: "Manage Azure resources for machine learning"
    weight: {min: 25, max: 30}
    sections:
      - id: "1.1"
        title: "Create an Azure Machine Learning workspace"
        objectives:
          - id: "1.1.1"
            title: "Create an Azure Machine Learning workspace"
            url: "https://docs.microsoft.com/en-us/azure/machine-learning/how-to-manage-workspace?tabs=python&view=azureml-api-1"
  - id: "2"
    title: "Run experiments and train models"
    weight: {min: 20, max: 25}
    sections:
      - id: "2.1"
        title: "Create models by using Azure Machine Learning Designer"
        objectives:
          - id: "2.1.1"
            title: "Create a training pipeline by using Azure Machine Learning designer"
            url: "https://docs.microsoft.com/en-us/azure/machine-learning/concept-designer?view=azureml-api-2&tabs=ui"
"""


def _question(qid: str, objective: str, multiple: bool) -> str:
    if multiple:
        return textwrap.dedent(f"""\
          - id: "{qid}"
            objective: "{objective}"
            kind: multiple
            difficulty: 2
            stem: "Which **two** statements are true about <workspaces> & compute? Choose two."
            options:
              a: "{RIGHT}"
              b: "Also right"
              c: "Wrong one"
              d: "Wrong two"
            answer: [a, b]
            explanation: "Both a and b hold; c and d do not."
        """)
    return textwrap.dedent(f"""\
      - id: "{qid}"
        objective: "{objective}"
        kind: code
        difficulty: 1
        stem: "You need to connect to an existing workspace from a notebook. Which **method** fills the blank?"
        code: |
          from azureml.core import Workspace
          ws = Workspace.____()
        options:
          a: "{RIGHT}"
          b: "Wrong one"
          c: "Wrong two"
          d: "Wrong three"
        answer: a
        explanation: "The config file written by the portal holds the subscription, group and workspace name."
    """)


def write_pack(root: Path, *, multiple: bool = False) -> Path:
    (root / "questions").mkdir(parents=True, exist_ok=True)
    (root / "objectives.yaml").write_text(OBJECTIVES, encoding="utf-8")
    body = "".join(
        textwrap.indent(_question(f"{o}-{s}", o, multiple), "  ") for o in ("1.1.1", "2.1.1") for s in "ab"
    )
    (root / "questions" / "test.yaml").write_text(
        "review:\n  - pass: written\n    by: tests\nquestions:\n" + body, encoding="utf-8"
    )
    return root


def choice_label(message: Message | dict[str, Any], text: str) -> str:
    """The button label ("A".."F") of the option whose text starts with ``text``."""
    body = message_text(message.__dict__ if isinstance(message, Message) else message)
    m = re.search(rf"^\*([A-F])\.\* {re.escape(text)}", body, re.M)
    assert m, f"option {text!r} not in {body!r}"
    return m.group(1)


def wrong_label(message: Message | dict[str, Any]) -> str:
    return choice_label(message, "Wrong one")


class Ticks:
    """A monotonic clock the test moves by hand (the adapter's caches and backoffs read it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Harness:
    """One running bot: StudyService on a SQLite file + SlackAdapter + a signed HTTP client."""

    def __init__(self, fake: FakeSlack, settings: Settings, clock: Clock, *, http: bool = True) -> None:
        self.fake = fake
        self.settings = settings
        self.clock = clock
        self.http = http
        self.service: StudyService | None = None
        self.adapter: SlackAdapter | None = None
        self.task: asyncio.Task[None] | None = None
        self.session: aiohttp.ClientSession | None = None
        self.client: SignedClient | None = None
        self.ticks = Ticks()
        self.baseline = 0  # what the fake recorded before the bot was ready (the startup auth.test)

    async def start(self) -> Harness:
        self.service = await StudyService.open(self.settings, clock=self.clock)
        self.adapter = SlackAdapter(
            self.settings, http=self.http, base_url=self.fake.base_url, port=0, host="127.0.0.1", clock=self.ticks
        )
        self.task = asyncio.create_task(self.adapter.run(self.service))
        ready = asyncio.create_task(self.adapter.ready.wait())
        done, _ = await asyncio.wait({ready, self.task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            ready.cancel()
            self.task.result()  # raise what went wrong
        assert ready in done, "the Slack adapter did not get ready"
        if self.session is None:
            self.session = aiohttp.ClientSession()
        self.client = SignedClient(self.adapter.url, SIGNING_SECRET, self.session)
        self.baseline = self.fake.recorded
        return self

    @property
    def activity(self) -> int:
        """Web API calls and response_url posts made since the bot got ready."""
        return self.fake.recorded - self.baseline

    async def settled(self) -> None:
        """Wait until every acknowledged request's work is done (the bot's own in-flight count)."""
        assert self.adapter is not None and self.adapter.bot is not None
        await asyncio.wait_for(self.adapter.bot.tracker.idle(), 10)

    async def stop(self, *, close_session: bool = True) -> None:
        await stop_serving(self.task, self.service)
        self.task = self.service = None
        if close_session and self.session is not None:
            await self.session.close()
            self.session = None

    async def restart(self) -> None:
        await self.stop(close_session=False)
        await self.start()

    # --- what members do -------------------------------------------------------------------

    async def command(self, text: str, user: str, *, channel: str = CHANNEL, **kw: Any) -> tuple[int, str, float]:
        assert self.client is not None
        return await self.client.form(self.fake.slash_form(text, user=user, channel=channel), **kw)

    async def command_reply(self, text: str, user: str, **kw: Any) -> str:
        """Run a command (over HTTP, or as a Socket Mode envelope) and return the text of the
        (first) response it produced."""
        before = len(self.fake.responses)
        if self.http:
            status, _, _ = await self.command(text, user, **kw)
            assert status == 200
        else:
            await self.fake.wait_ack(await self.fake.send_envelope("slash_commands", self.fake.slash_form(text, user=user)))
        await self.fake.wait_for(lambda: len(self.fake.responses) > before, what=f"a reply to {text!r}")
        return self.fake.responses[before].text

    async def click(self, message: Message | dict[str, Any], user: str, label: str, **kw: Any) -> tuple[int, str, float]:
        assert self.client is not None
        retry = kw.pop("retry", None)
        payload = self.fake.click_payload(message, user=user, label=label, **kw)
        return await self.client.interaction(payload, retry=retry)

    async def click_reply(self, message: Message | dict[str, Any], user: str, label: str, **kw: Any) -> str:
        before = len(self.fake.private_to(user))
        status, _, _ = await self.click(message, user, label, **kw)
        assert status == 200
        await self.fake.wait_for(lambda: len(self.fake.private_to(user)) > before, what=f"{user}'s reply")
        return self.fake.private_to(user)[before]

    async def setup_group(self, text: str = f"setup <#{CHANNEL}|study> 09:00 Europe/Berlin") -> str:
        return await self.command_reply(text, ADMIN)

    async def post_daily(self, at: datetime) -> Message:
        """Run the scheduler tick at ``at`` and return the daily post it made."""
        assert self.service is not None
        before = len(self.fake.posts(CHANNEL))
        self.clock.set(at)
        await self.service.run_due(at)
        posts = await self.fake.wait_for(
            lambda: self.fake.posts(CHANNEL)[before:] or None, what="the daily post"
        )
        (post,) = posts
        assert buttons(post.blocks) or any(b["type"] == "actions" for b in post.blocks), post.blocks
        return post


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "pack")


@pytest.fixture
async def fake() -> Any:
    f = FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN)
    await f.start()
    f.add_user(ADMIN, "Ada Admin", admin=True)
    f.add_user(OWNER, "Olga Owner", owner=True)
    f.add_user(ANN, "Ann")
    f.add_user(BOB, "Bob")
    f.add_user(CAT, "Cat")
    yield f
    await f.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 3, 4, 7, 0, tzinfo=UTC))  # a Monday, 08:00 in Berlin


def make_settings(tmp_path: Path, pack_dir: Path, *, app_token: bool = False) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'studybot.db'}",
        content_path=pack_dir,
        slack_bot_token=Secret(BOT_TOKEN),
        slack_signing_secret=Secret(SIGNING_SECRET),
        slack_app_token=Secret(APP_TOKEN) if app_token else None,
        port=0,
    )


@pytest.fixture
async def socket_slack(fake: FakeSlack, tmp_path: Path, pack_dir: Path, clock: Clock) -> Any:
    h = Harness(fake, make_settings(tmp_path, pack_dir, app_token=True), clock, http=False)
    await h.start()
    yield h
    await h.stop()


@pytest.fixture
def settings(tmp_path: Path, pack_dir: Path) -> Settings:
    return make_settings(tmp_path, pack_dir)


@pytest.fixture
async def slack(fake: FakeSlack, settings: Settings, clock: Clock) -> Any:
    h = Harness(fake, settings, clock)
    await h.start()
    yield h
    await h.stop()


@pytest.fixture
def oauth_settings(tmp_path: Path, pack_dir: Path, fake: FakeSlack) -> Settings:
    return replace(
        make_settings(tmp_path, pack_dir), slack_bot_token=None, slack_client_id=fake.client_id,
        slack_client_secret=Secret(fake.client_secret), slack_state_secret=Secret("state-secret-for-tests"),
    )


# --- "Add to Slack" ------------------------------------------------------------------------


def oauth_base(h: Harness) -> str:
    return h.adapter.url.rsplit("/slack/", 1)[0]


async def install(h: Harness, team: str | None, name: str, installer: str, **grant: Any) -> tuple[int, str]:
    """An admin of ``team`` clicks "Add to Slack", approves, and Slack redirects back with a code
    (``grant``: an Enterprise Grid org and whether the install is org-wide, see ``install_code``)."""
    async with h.session.get(oauth_base(h) + "/slack/install", allow_redirects=False) as resp:
        assert resp.status == 302, await resp.text()
        to_slack = urllib.parse.urlparse(resp.headers["Location"])
        cookie = resp.cookies[STATE_COOKIE].value
    query = urllib.parse.parse_qs(to_slack.query)
    assert to_slack.netloc == "slack.com" and query["client_id"] == [h.fake.client_id]
    assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
    code = h.fake.install_code(team, name, installer, **grant)
    back = urllib.parse.urlencode({"code": code, "state": query["state"][0]})
    async with h.session.get(oauth_base(h) + "/slack/oauth_redirect?" + back,
                             headers={"Cookie": f"{STATE_COOKIE}={cookie}"}) as resp:
        return resp.status, await resp.text()


async def command_reply(h: Harness, text: str, user: str, team: str, channel: str, *, org_wide: bool = False) -> str:
    fake = h.fake
    before = len(fake.responses)
    status, _, _ = await h.client.form(fake.slash_form(text, user=user, channel=channel, team=team, org_wide=org_wide))
    assert status == 200
    await fake.wait_for(lambda: len(fake.responses) > before, what=f"a reply to {text!r}")
    return fake.responses[before].text


def at_utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC)


def next_day(dt: datetime) -> datetime:
    return dt + timedelta(days=1)
