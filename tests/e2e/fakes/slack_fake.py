"""A small fake of Slack for driving the real slack-bolt app end to end.

``FakeSlack`` listens on 127.0.0.1 (ephemeral port) and plays three parts of Slack:

* the **Web API** (``base_url`` = ``http://127.0.0.1:<port>/api/``): ``auth.test``, ``users.info``,
  ``chat.postMessage`` (with message metadata; into ``channels`` the bot is a member of, else
  ``not_in_channel`` / ``channel_not_found`` / ``is_archived``), ``chat.postEphemeral``,
  ``chat.update``, ``conversations.history``, ``views.publish``, ``apps.connections.open`` and
  ``oauth.v2.access`` (codes from :meth:`FakeSlack.install_code` become per-workspace bot tokens,
  or one org-wide token for an Enterprise Grid org that reaches every workspace of the org:
  :meth:`FakeSlack.add_team`; :meth:`FakeSlack.revoke` ends them). Every call is recorded in ``calls``; message payloads are checked
  against Slack's Block Kit limits (an oversize message answers ``invalid_blocks``, like Slack);
  tokens are checked (``invalid_auth``). Unknown methods answer ``unknown_method`` and are recorded.
* **response_url**s (``POST /response/<user>/<n>``): what Bolt's ``respond()`` posts, recorded in
  ``responses``.
* a **Socket Mode** websocket (``apps.connections.open`` hands out ``ws://127.0.0.1:<port>/link``):
  says ``hello``, lets a test push envelopes (:meth:`send_envelope`) and records the acks.

It also builds what Slack sends to an app: signed HTTP requests (:class:`SignedClient`) with
slash-command forms, ``block_actions`` payloads made from the buttons the bot actually posted
(:meth:`FakeSlack.click_payload`), ``app_home_opened`` events and ``url_verification``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable

import aiohttp
from aiohttp import WSMsgType, web

from .faults import Fault, Faults, apply

TEAM_ID = "T0STUDY"
TEAM_DOMAIN = "studygroup"
BOT_USER_ID = "U0STUDYBOT"
BOT_ID = "B0STUDYBOT"
APP_ID = "A0STUDYBOT"

# Block Kit limits the fake enforces (https://api.slack.com/reference/block-kit)
MAX_MESSAGE_BLOCKS = 50
MAX_HOME_BLOCKS = 100


@dataclass
class Call:
    """One Web API call the app made."""

    method: str  # "chat.postMessage"
    args: dict[str, Any]
    token: str
    ok: bool
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class ResponseCall:
    """One post to a response_url."""

    user: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def ephemeral(self) -> bool:
        return self.body.get("response_type", "ephemeral") != "in_channel"

    @property
    def text(self) -> str:
        return message_text(self.body)


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    updates: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class Grant:
    """What an admin approved on Slack's consent screen (see :meth:`FakeSlack.install_code`)."""

    team: str | None
    name: str
    installer: str
    enterprise: str | None
    org_wide: bool


@dataclass
class Channel:
    id: str
    name: str
    member: bool = True  # the bot is in it (else chat.postMessage answers not_in_channel)
    archived: bool = False
    team: str | None = None  # the workspace it is in (None: any token may reach it)


def message_text(msg: dict[str, Any]) -> str:
    """Everything a person would read in a message or view: fallback text, block texts, fields,
    context, button labels and checkbox options (one string, for assertions)."""
    out = [str(msg.get("text") or "")]
    blocks = msg.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for b in blocks:
        t = b.get("text")
        if isinstance(t, dict):
            out.append(t.get("text", ""))
        for f in b.get("fields") or []:
            out.append(f.get("text", ""))
        for e in b.get("elements") or []:
            if isinstance(e.get("text"), dict):
                out.append(e["text"].get("text", ""))
            elif isinstance(e.get("text"), str):
                out.append(e["text"])
            for o in e.get("options") or []:
                out.append(o.get("text", {}).get("text", ""))
    return "\n".join(x for x in out if x)


_MENTION = re.compile(r"<([#@])([A-Z0-9]+)(?:\|([^>]*))?>")


def seen_text(mrkdwn: str, users: dict[str, User], channels: dict[str, str]) -> str:
    """Slack mrkdwn as a member reads it: ``<#C…>`` as ``#name``, ``<@U…>`` as ``@Name``
    (Slack's placeholders for ids it cannot resolve) and ``&lt;``, ``&gt;``, ``&amp;`` unescaped."""
    def one(m: re.Match[str]) -> str:
        if m[1] == "#":
            return "#" + (channels.get(m[2]) or m[3] or "private-channel")
        user = users.get(m[2])
        return "@" + (user.name if user else "unknown-user")

    text = _MENTION.sub(one, mrkdwn)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", []) if e.get("type") == "button"]


def selects(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])
            if e.get("type") == "static_select"]


def _text_ok(obj: Any, limit: int) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("text"), str) and 0 < len(obj["text"]) <= limit


def validate_blocks(blocks: Any, max_blocks: int = MAX_MESSAGE_BLOCKS) -> str | None:
    """What Slack would say about these blocks: None when fine, else an error string."""
    if blocks is None:
        return None
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not isinstance(blocks, list):
        return "invalid_blocks_format"
    if len(blocks) > max_blocks:
        return f"invalid_blocks: more than {max_blocks} blocks"
    action_ids: set[str] = set()
    for i, b in enumerate(blocks):
        kind = b.get("type")
        where = f"invalid_blocks: block {i} ({kind})"
        if kind == "header":
            if not _text_ok(b.get("text"), 150) or b["text"].get("type") != "plain_text":
                return where + " header text"
        elif kind == "section":
            if "text" not in b and "fields" not in b:
                return where + " needs text or fields"
            if "text" in b and not _text_ok(b["text"], 3000):
                return where + " text length"
            fields = b.get("fields") or []
            if len(fields) > 10 or any(not _text_ok(f, 2000) for f in fields):
                return where + " fields"
        elif kind == "context":
            els = b.get("elements") or []
            if not 0 < len(els) <= 10 or any(not _text_ok(e, 3000) for e in els if "text" in e):
                return where + " elements"
        elif kind == "actions":
            els = b.get("elements") or []
            if not 0 < len(els) <= 25:
                return where + " elements"
            for e in els:
                aid = e.get("action_id", "")
                if not aid or len(aid) > 255 or aid in action_ids:
                    return where + f" action_id {aid!r}"
                action_ids.add(aid)
                if e.get("type") == "button":
                    if not _text_ok(e.get("text"), 75) or len(e.get("value", "")) > 2000:
                        return where + " button"
                elif e.get("type") == "checkboxes":
                    opts = e.get("options") or []
                    if not 0 < len(opts) <= 10:
                        return where + " checkbox options"
                    for o in opts:
                        if not _text_ok(o.get("text"), 75) or not 0 < len(o.get("value", "")) <= 150:
                            return where + " checkbox option"
                elif e.get("type") == "static_select":
                    opts = e.get("options") or []
                    if not _text_ok(e.get("placeholder"), 150) or e["placeholder"].get("type") != "plain_text":
                        return where + " select placeholder"
                    if not 0 < len(opts) <= 100:
                        return where + " select options"
                    for o in opts:
                        if not _text_ok(o.get("text"), 75) or o["text"].get("type") != "plain_text" \
                                or not 0 < len(o.get("value", "")) <= 150:
                            return where + " select option"
                else:
                    return where + f" unsupported element {e.get('type')}"
        elif kind == "divider":
            pass
        else:
            return where + " unknown block type"
    return None


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class User:
    id: str
    name: str
    is_admin: bool = False
    is_owner: bool = False
    team_id: str = TEAM_ID

    def as_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name.lower().replace(" ", "."),
            "real_name": self.name,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_bot": False,
            "profile": {"display_name": self.name, "real_name": self.name},
        }


class FakeSlack:
    def __init__(self, *, bot_token: str = "xoxb-test-token", app_token: str = "xapp-test-token") -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.users: dict[str, User] = {}
        self.channel_names: dict[str, str] = {"C0STUDY": "study"}  # what <#id> shows
        self.calls: list[Call] = []
        self.responses: list[ResponseCall] = []
        self.messages: dict[tuple[str, str], Message] = {}
        self.channels: dict[str, Channel] = {"C0STUDY": Channel("C0STUDY", "study")}
        self.views: dict[str, dict[str, Any]] = {}
        self.fail: dict[str, str] = {}  # method -> error to answer (once per entry)
        self.faults = Faults()  # HTTP-level faults by API method: see tests/e2e/fakes/faults.py
        self.response_urls_expired = False  # answer 404 expired_url to every response_url post
        # "Add to Slack": oauth.v2.access trades a code for a workspace's own bot token
        self.client_id, self.client_secret = "1234.5678", "oauth-client-secret"
        self.team_tokens: dict[str, str] = {}  # bot token -> team id
        # Enterprise Grid: an org-wide install's token reaches every workspace of its org
        self.org_tokens: dict[str, str] = {}  # bot token -> enterprise id
        self.enterprise_of: dict[str, str] = {}  # team id -> enterprise id (add_team)
        self._codes: dict[str, Grant] = {}
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._ts = itertools.count(1)
        self._response_ids = itertools.count(1)
        self._envelopes = itertools.count(1)
        self._triggers = itertools.count(1)
        # Socket Mode
        self.socket: web.WebSocketResponse | None = None
        self.socket_connected = asyncio.Event()
        self.acks: dict[str, dict[str, Any]] = {}
        self._ack_waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.socket_messages: list[dict[str, Any]] = []

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{user}/{n}", self._response_url)
        app.router.add_get("/link", self._socket)
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self.socket is not None and not self.socket.closed:
            await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def add_user(self, user_id: str, name: str, *, admin: bool = False, owner: bool = False, team: str = TEAM_ID) -> User:
        self.users[user_id] = user = User(user_id, name, admin, owner, team)
        return user

    def seen(self, mrkdwn: str) -> str:
        """What a member reads of a message's text: see :func:`seen_text`."""
        return seen_text(mrkdwn, self.users, self.channel_names)

    def add_channel(
        self, channel_id: str, name: str, *, member: bool = True, archived: bool = False, team: str | None = None
    ) -> Channel:
        self.channels[channel_id] = channel = Channel(channel_id, name, member, archived, team)
        return channel

    def add_team(self, team: str, enterprise: str) -> None:
        """A workspace inside an Enterprise Grid org."""
        self.enterprise_of[team] = enterprise

    def _channel_error(self, channel: str, token: str) -> str | None:
        """What Slack answers for posting in ``channel`` (an id or a #name) with ``token``; None: it
        may post. Direct messages (user ids) are always open; a channel of a workspace the token
        does not reach is not found."""
        if channel in self.users or channel.startswith(("U", "D", "W")):
            return None
        found = self.channels.get(channel) or next(
            (c for c in self.channels.values() if c.name == channel.lstrip("#")), None)
        if found is None or (found.team is not None and found.team not in self.reach(token)):
            return "channel_not_found"
        if found.archived:
            return "is_archived"
        return None if found.member else "not_in_channel"

    def install_code(
        self, team: str | None, team_name: str, installer: str, *, enterprise: str | None = None,
        org_wide: bool = False,
    ) -> str:
        """The one-time code Slack hands the app's redirect after an admin approves: of ``team``
        (a workspace, inside ``enterprise`` when given), or with ``org_wide`` of the whole org
        ``enterprise`` (``team_name`` is then the org's name and ``team`` is ignored)."""
        code = f"code-{enterprise if org_wide else team}-{next(self._triggers)}"
        self._codes[code] = Grant(None if org_wide else team, team_name, installer, enterprise, org_wide)
        return code

    def revoke(self, owner: str) -> None:
        """The workspace (a team id) or the org (an enterprise id) uninstalled the app: its bot
        tokens stop working."""
        self.team_tokens = {t: tm for t, tm in self.team_tokens.items() if tm != owner}
        self.org_tokens = {t: e for t, e in self.org_tokens.items() if e != owner}

    def team_of(self, token: str) -> str | None:
        return TEAM_ID if token == self.bot_token else self.team_tokens.get(token)

    def reach(self, token: str) -> set[str]:
        """The workspaces a bot token acts in: its own, or every workspace of its org."""
        if token in self.org_tokens:
            return {t for t, e in self.enterprise_of.items() if e == self.org_tokens[token]}
        team = self.team_of(token)
        return set() if team is None else {team}

    def response_url(self, user: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{user}/{next(self._response_ids)}"

    # --- queries -------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self, channel: str | None = None) -> list[Message]:
        return [m for m in self.messages.values() if channel is None or m.channel == channel]

    def private_to(self, user: str) -> list[str]:
        """Texts only ``user`` saw: ephemeral response_url posts, chat.postEphemeral, DMs."""
        out = [r.text for r in self.responses if r.user == user and r.ephemeral]
        out += [message_text(c.args) for c in self.calls_to("chat.postEphemeral") if c.ok and c.args.get("user") == user]
        out += [message_text(c.args) for c in self.calls_to("chat.postMessage") if c.ok and c.args.get("channel") == user]
        return out

    def public_responses(self) -> list[ResponseCall]:
        return [r for r in self.responses if not r.ephemeral]

    @property
    def recorded(self) -> int:
        """How many things the app did at all (Web API calls + response_url posts)."""
        return len(self.calls) + len(self.responses)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.01)

    # --- what Slack sends to the app ------------------------------------------------------------

    def slash_form(
        self, text: str, *, user: str, channel: str = "C0STUDY", team: str = TEAM_ID, org_wide: bool = False
    ) -> dict[str, str]:
        """A slash command's form. Inside an Enterprise Grid org (:meth:`add_team`) it names the org;
        ``org_wide``: the app is installed for the whole org (``is_enterprise_install`` true)."""
        u = self.users.get(user)
        enterprise = self.enterprise_of.get(team)
        return {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": TEAM_DOMAIN,
            **({"enterprise_id": enterprise, "enterprise_name": f"{enterprise} Org"} if enterprise else {}),
            "channel_id": channel,
            "channel_name": "study",
            "user_id": user,
            "user_name": u.as_api()["name"] if u else user.lower(),
            "command": "/studybot",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "true" if org_wide else "false",
            "response_url": self.response_url(user),
            "trigger_id": f"{next(self._triggers)}.trigger",
        }

    def _user_block(self, user: str, team: str) -> dict[str, Any]:
        u = self.users.get(user)
        name = u.as_api()["name"] if u else user.lower()
        return {"id": user, "username": name, "name": name, "team_id": team}

    def click_payload(
        self,
        message: Message | dict[str, Any],
        *,
        user: str,
        label: str | None = None,
        action_id: str | None = None,
        ticked: list[str] | None = None,
        choose: str | None = None,
        team: str = TEAM_ID,
        org_wide: bool = False,
    ) -> dict[str, Any]:
        """A block_actions payload for a click on a button the bot really sent.

        ``message`` is a channel message (``Message``), an ephemeral one (the body posted
        to a response_url) or an App Home view (``views[user]``). Pick the button by its visible ``label`` or its ``action_id``.
        ``ticked`` = checkbox option values that are ticked (for "choose N" questions).
        ``choose`` picks the option with that visible text from a static select instead.
        ``org_wide``: as Slack sends it to an org-wide install (``team`` null; the clicker's
        workspace is ``user.team_id``)."""
        view = isinstance(message, dict) and message.get("type") == "home"
        if isinstance(message, Message):
            blocks, channel, ts, ephemeral = message.blocks, message.channel, message.ts, False
            shown = {"type": "message", "ts": ts, "text": message.text, "blocks": blocks, "user": BOT_USER_ID}
        elif view:  # a button on the App Home tab: no channel, no response_url
            blocks, channel, ts, ephemeral, shown = message.get("blocks") or [], "", "", False, None
        else:
            blocks, channel, ts, ephemeral = message.get("blocks") or [], "C0STUDY", f"{time.time():.6f}", True
            shown = None
        candidates = buttons(blocks)
        chosen_option = None
        if choose is not None:
            found = [(s, o) for s in selects(blocks) for o in s["options"] if o["text"]["text"] == choose]
            assert found, f"no select option {choose!r} in {[s['placeholder']['text'] for s in selects(blocks)]}"
            (button, chosen_option), candidates = found[0], []
        for b in candidates:
            if (label is not None and b["text"]["text"] == label) or (action_id is not None and b["action_id"] == action_id):
                button = b
                break
        else:
            if chosen_option is None:
                raise AssertionError(f"no button {label or action_id!r} in {[b['text']['text'] for b in candidates]}")
        block_id = next(
            (blk.get("block_id", f"b{i}") for i, blk in enumerate(blocks) if button in blk.get("elements", [])), "b0"
        )
        state: dict[str, Any] = {"values": {}}
        for i, blk in enumerate(blocks):
            for e in blk.get("elements", []) if blk.get("type") == "actions" else []:
                if e.get("type") == "checkboxes":
                    chosen = [o for o in e["options"] if o["value"] in (ticked or [])]
                    state["values"].setdefault(blk.get("block_id", f"b{i}"), {})[e["action_id"]] = {
                        "type": "checkboxes",
                        "selected_options": chosen,
                    }
        enterprise = self.enterprise_of.get(team)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_block(user, team),
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": f"{next(self._triggers)}.trigger",
            "team": None if org_wide else {
                "id": team, "domain": TEAM_DOMAIN, **({"enterprise_id": enterprise} if enterprise else {})},
            "enterprise": {"id": enterprise, "name": f"{enterprise} Org"} if enterprise else None,
            "is_enterprise_install": org_wide,
            "channel": {"id": channel, "name": "study"},
            "state": state,
            "response_url": self.response_url(user),
            "actions": [
                {
                    "action_id": button["action_id"],
                    "block_id": block_id,
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                } if chosen_option is None else {
                    "action_id": button["action_id"],
                    "block_id": block_id,
                    "type": "static_select",
                    "selected_option": chosen_option,
                    "placeholder": button["placeholder"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if shown is not None:
            payload["message"] = shown
        if view:
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {"id": "V0HOME", "team_id": team, "type": "home", "blocks": blocks}
            for key in ("channel", "response_url"):
                del payload[key]
        return payload

    def home_opened_event(self, user: str, *, team: str = TEAM_ID, tab: str = "home") -> dict[str, Any]:
        return {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": APP_ID,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0" + user,
                "tab": tab,
                "event_ts": f"{time.time():.6f}",
            },
            "type": "event_callback",
            "event_id": f"Ev{next(self._envelopes):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": BOT_USER_ID, "is_bot": True}],
        }

    def lost_access_event(
        self, kind: str, *, team: str | None, enterprise: str | None = None, org_wide: bool = False
    ) -> dict[str, Any]:
        """``app_uninstalled`` or ``tokens_revoked`` (of the bot token) as Slack sends it. For an
        org-wide install, the authorization it applies to names the org and no workspace; the
        outer ``team_id`` is then one of the org's workspaces (``team``)."""
        event: dict[str, Any] = {"type": kind, "event_ts": f"{time.time():.6f}"}
        bot_user = f"U0BOT{enterprise if org_wide else team}"
        if kind == "tokens_revoked":
            event["tokens"] = {"oauth": [], "bot": [bot_user]}
        return {
            "token": "legacy-verification-token",
            "team_id": team,
            **({"enterprise_id": enterprise} if enterprise else {}),
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{next(self._envelopes):08d}",
            "event_time": int(time.time()),
            "is_ext_shared_channel": False,
            "authorizations": [{"enterprise_id": enterprise, "team_id": None if org_wide else team,
                                "user_id": bot_user, "is_bot": True, "is_enterprise_install": org_wide}],
        }

    def team_access_event(self, kind: str, enterprise: str, teams: list[str]) -> dict[str, Any]:
        """``team_access_granted`` / ``team_access_revoked``: an org admin added the org-wide app to
        workspaces of the org, or removed it from them (an org-level event: no workspace of its own)."""
        return {
            "token": "legacy-verification-token",
            "team_id": None,
            "enterprise_id": enterprise,
            "api_app_id": APP_ID,
            "event": {"type": kind, "team_ids": teams, "event_ts": f"{time.time():.6f}"},
            "type": "event_callback",
            "event_id": f"Ev{next(self._envelopes):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": enterprise, "team_id": None, "user_id": f"U0BOT{enterprise}",
                                "is_bot": True, "is_enterprise_install": True}],
        }

    # --- Web API -----------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else str(args.pop("token", ""))
        if auth.startswith("Basic "):  # oauth.v2.access: the app's client id and secret
            client_id, _, client_secret = base64.b64decode(auth[len("Basic "):]).decode().partition(":")
            args.update(client_id=client_id, client_secret=client_secret)
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        call = Call(method, args, token, False, None)

        async def serve() -> web.StreamResponse:
            body = self._handle(method, args, token)
            call.ok, call.error = bool(body.get("ok")), body.get("error")
            return web.json_response(body)

        def error(fault: Fault) -> web.StreamResponse:
            body = fault.body if fault.body is not None else {
                "ok": False, "error": "ratelimited" if fault.status == 429 else "internal_error"}
            call.error = body.get("error") if isinstance(body, dict) else str(body)
            return web.json_response(body, status=fault.status, headers=fault.headers)

        try:
            return await apply(self.faults.take(request.method, method), request, serve, error)
        finally:
            self.calls.append(call)

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if (args.get("client_id"), args.get("client_secret")) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        grant = self._codes.pop(str(args.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        owner = grant.enterprise if grant.org_wide else grant.team
        assert owner is not None
        token = f"xoxb-{owner}-{next(self._triggers)}"
        if grant.org_wide:  # one token for the whole org; no workspace of its own
            self.org_tokens[token] = owner
        else:
            self.team_tokens[token] = owner
        return {
            "ok": True, "app_id": APP_ID, "authed_user": {"id": grant.installer},
            "scope": str(args.get("scope") or ""), "token_type": "bot", "access_token": token,
            "bot_user_id": f"U0BOT{owner}",
            "team": None if grant.org_wide else {"id": grant.team, "name": grant.name},
            "enterprise": None if grant.enterprise is None else {
                "id": grant.enterprise, "name": grant.name if grant.org_wide else f"{grant.enterprise} Org"},
            "is_enterprise_install": grant.org_wide,
        }

    def _handle(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        if method == "oauth.v2.access":
            return self._oauth_access(args)
        team = self.team_of(token)
        org = self.org_tokens.get(token)
        if (token != self.app_token) if method == "apps.connections.open" else team is None and org is None:
            return {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        if method in self.fail:
            return {"ok": False, "error": self.fail.pop(method)}
        if method == "auth.test":
            owner = org or team
            bot_user, bot = (BOT_USER_ID, BOT_ID) if owner == TEAM_ID else (f"U0BOT{owner}", f"B0{owner}")
            return {
                "ok": True, "url": f"https://{TEAM_DOMAIN}.slack.com/", "team": "Study Group", "user": "studybot",
                "team_id": org or team, "user_id": bot_user, "bot_id": bot, "is_enterprise_install": org is not None,
                **({"enterprise_id": org or self.enterprise_of.get(str(team))} if org or team in self.enterprise_of
                   else {}),
            }
        if method == "users.info":
            user = self.users.get(str(args.get("user", "")))
            if user is None or user.team_id not in self.reach(token):  # a token sees its workspaces' members
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user.as_api()}
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            if not args.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if not args.get("text") and not args.get("blocks"):
                return {"ok": False, "error": "no_text"}
            if (err := validate_blocks(args.get("blocks"))) is not None:
                return {"ok": False, "error": err}
            channel = str(args["channel"])
            if method == "chat.postEphemeral":
                if not args.get("user"):
                    return {"ok": False, "error": "user_not_found"}
                return {"ok": True, "message_ts": self._next_ts()}
            if method == "chat.postMessage":
                if (err := self._channel_error(channel, token)) is not None:
                    return {"ok": False, "error": err}
                ts = self._next_ts()
                metadata = args.get("metadata")
                if isinstance(metadata, str):
                    metadata = json.loads(metadata)
                msg = Message(channel, ts, str(args.get("text") or ""), list(args.get("blocks") or []), metadata=metadata)
                self.messages[(channel, ts)] = msg
                return {"ok": True, "channel": channel, "ts": ts, "message": {"text": msg.text, "blocks": msg.blocks}}
            msg = self.messages.get((channel, str(args.get("ts", ""))))
            if msg is None:
                return {"ok": False, "error": "message_not_found"}
            msg.updates.append({"text": msg.text, "blocks": msg.blocks})
            msg.text, msg.blocks = str(args.get("text") or ""), list(args.get("blocks") or [])
            return {"ok": True, "channel": channel, "ts": msg.ts, "text": msg.text}
        if method == "conversations.history":
            channel = str(args.get("channel", ""))
            if (err := self._channel_error(channel, token)) is not None:
                return {"ok": False, "error": err}
            with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
            newest = sorted((m for m in self.messages.values() if m.channel == channel),
                            key=lambda m: float(m.ts), reverse=True)[: int(args.get("limit") or 100)]
            return {"ok": True, "has_more": False, "messages": [
                {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": m.ts, "text": m.text,
                 **({"metadata": m.metadata} if with_metadata and m.metadata else {})} for m in newest]}
        if method == "views.publish":
            view = args.get("view") or {}
            if view.get("type") != "home":
                return {"ok": False, "error": "invalid_arguments"}
            if (err := validate_blocks(view.get("blocks"), MAX_HOME_BLOCKS)) is not None:
                return {"ok": False, "error": err}
            self.views[str(args.get("user_id"))] = view
            return {"ok": True, "view": {"id": "V0HOME", **view}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket=fake"}
        return {"ok": False, "error": "unknown_method"}

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.response_urls_expired:
            return web.Response(status=404, text="expired_url")
        if validate_blocks(body.get("blocks")) is not None:
            return web.Response(status=400, text="invalid_blocks")
        self.responses.append(ResponseCall(request.match_info["user"], body))
        return web.Response(text="ok")

    # --- Socket Mode ----------------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.socket = ws
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}, "connection_info": {"app_id": APP_ID}}
        )
        self.socket_connected.set()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    data = json.loads(msg.data)
                    self.socket_messages.append(data)
                    eid = data.get("envelope_id")
                    if eid:
                        self.acks[eid] = data
                        waiter = self._ack_waiters.pop(eid, None)
                        if waiter is not None and not waiter.done():
                            waiter.set_result(data)
        finally:
            if self.socket is ws:
                self.socket_connected.clear()
        return ws

    async def send_envelope(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Push one Socket Mode envelope (``slash_commands``, ``interactive``, ``events_api``)."""
        await asyncio.wait_for(self.socket_connected.wait(), 5)
        assert self.socket is not None
        eid = f"env-{next(self._envelopes)}"
        self._ack_waiters[eid] = asyncio.get_running_loop().create_future()
        await self.socket.send_json(
            {
                "envelope_id": eid,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return eid

    async def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        if envelope_id in self.acks:
            return self.acks[envelope_id]
        return await asyncio.wait_for(self._ack_waiters[envelope_id], timeout)


class SignedClient:
    """Sends what Slack sends to an HTTP app: signed form posts and JSON events."""

    def __init__(self, url: str, signing_secret: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.secret = signing_secret
        self.session = session

    async def post(
        self,
        body: bytes,
        content_type: str,
        *,
        retry: int | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        signature: str | None = None,
    ) -> tuple[int, str, float]:
        """Returns (status, body text, seconds to the HTTP acknowledgement)."""
        headers = {"Content-Type": content_type, **sign(secret or self.secret, body, timestamp)}
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        start = time.perf_counter()
        async with self.session.post(self.url, data=body, headers=headers) as resp:
            text = await resp.text()
            return resp.status, text, time.perf_counter() - start

    async def form(self, form: dict[str, str], **kw: Any) -> tuple[int, str, float]:
        return await self.post(urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)

    async def interaction(self, payload: dict[str, Any], **kw: Any) -> tuple[int, str, float]:
        return await self.form({"payload": json.dumps(payload)}, **kw)

    async def event(self, body: dict[str, Any], **kw: Any) -> tuple[int, str, float]:
        return await self.post(json.dumps(body).encode(), "application/json", **kw)
