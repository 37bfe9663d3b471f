"""A small fake of Discord's REST API and gateway websocket, for driving the real discord.py.

It listens on 127.0.0.1 (ephemeral port), records every HTTP call, keeps the channel
messages the bot sends (so a component click can carry the message it was made on, as
Discord does) and lets a test push gateway events (``INTERACTION_CREATE``) to the bot.

Point discord.py at it with :meth:`FakeDiscord.redirect` (``discord.http.Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY`` are class attributes; the sharded client reads the
gateway URL from ``GET /gateway/bot``, which the fake serves too); a bot in another process
uses :func:`redirect_discord_py` with the fake's ``api_base`` and ``gateway_url``.

Only what StudyBot's adapter touches is implemented; anything else answers 404 and is
recorded, so an unexpected call shows up in ``fake.calls``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import orjson
from aiohttp import WSMsgType, web

from .faults import Fault, Faults, apply

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"

# Permission bits (https://discord.com/developers/docs/topics/permissions)
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | MANAGE_GUILD

EPHEMERAL = 1 << 6
#: Seconds from an interaction's creation within which Discord takes its first response.
ACK_WINDOW = 3.0
#: How long Discord remembers a message nonce sent with enforce_nonce ("a few minutes").
NONCE_WINDOW = 180.0

# Interaction / callback types
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 1, 2, 3, 4
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT = 4, 5, 6, 7, 8


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts if ts is not None else time.time(), tz=timezone.utc).isoformat()


@dataclass
class Call:
    """One HTTP request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    status: int
    at: float  # time.perf_counter()
    peer: str = ""  # the bot's end of the connection ("host:port"): which connection carried it

    def __repr__(self) -> str:  # keep pytest output readable
        return f"<Call {self.method} {self.path} -> {self.status}>"


@dataclass
class User:
    id: int
    name: str
    admin: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "username": self.name, "global_name": self.name,
            "discriminator": "0", "avatar": None, "bot": False, "public_flags": 0,
        }

    def member_payload(self) -> dict[str, Any]:
        return {
            "user": self.payload(), "nick": None, "roles": [], "joined_at": iso(),
            "deaf": False, "mute": False, "flags": 0, "pending": False, "avatar": None,
            "permissions": str(ADMIN_PERMISSIONS if self.admin else MEMBER_PERMISSIONS),
        }


@dataclass
class Interaction:
    """An interaction the fake sent, and what the bot answered to it."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    sent_at: float = 0.0  # perf_counter when INTERACTION_CREATE went out
    callback: dict[str, Any] | None = None  # the first successful callback body
    callback_at: float | None = None
    final_at: float | None = None  # when the member got the content (callback or original edit)
    original: dict[str, Any] | None = None  # the message the callback created / the deferred one
    followups: list[dict[str, Any]] = field(default_factory=list)
    failed_callbacks: list[dict[str, Any]] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    refused: bool = False  # the test has Discord refuse every answer (too late, answered elsewhere)

    @property
    def callback_type(self) -> int | None:
        return self.callback["type"] if self.callback else None

    @property
    def ephemeral(self) -> bool:
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags", 0) or 0) & EPHEMERAL)

    def messages(self) -> list[dict[str, Any]]:
        """Every message the member saw: the original response (as last edited), then followups."""
        out = []
        if self.original is not None and self.callback_type in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            out.append(self.original)
        out.extend(self.followups)
        return out

    def text(self) -> str:
        """All visible text of the response messages, flattened, for assertions."""
        return "\n".join(message_text(m) for m in self.messages())

    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete results."""
        assert self.callback_type == AUTOCOMPLETE_RESULT, self.callback
        return self.callback["data"]["choices"]


def message_text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for e in message.get("embeds") or []:
        parts += [e.get("title") or "", e.get("description") or ""]
        for f in e.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        if e.get("footer"):
            parts.append(e["footer"].get("text") or "")
    return "\n".join(p for p in parts if p)


_MENTION = re.compile(r"<(#|@!?)(\d+)>")


def seen_text(message: dict[str, Any], names: Callable[[str, int], str | None]) -> str:
    """What a member reads: like :func:`message_text`, with mentions resolved where Discord
    renders them (content, embed descriptions and field values) to ``#name`` / ``@name`` by
    ``names(kind, id)``; an id Discord cannot resolve shows as ``#unknown`` / ``@unknown-user``."""
    def resolve(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            kind = "#" if m[1] == "#" else "@"
            return kind + (names(kind, int(m[2])) or ("unknown" if kind == "#" else "unknown-user"))
        return _MENTION.sub(one, text or "")

    parts = [resolve(message.get("content") or "")]
    for e in message.get("embeds") or []:
        parts += [e.get("title") or "", resolve(e.get("description") or "")]
        for f in e.get("fields") or []:
            parts += [f.get("name") or "", resolve(f.get("value") or "")]
        if e.get("footer"):
            parts.append(e["footer"].get("text") or "")
    return "\n".join(p for p in parts if p)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every component (button/select) of a message, flattened."""
    out = []
    for row in message.get("components") or []:
        out.extend(row.get("components") or [])
    return out


_BODY_KEY = web.RequestKey("json", object)


def _json(data: Any, *, status: int = 200) -> web.Response:
    """JSON exactly as Discord sends it: discord.py only parses ``Content-Type: application/json``."""
    return web.Response(body=orjson.dumps(data), status=status,
                        headers={"Content-Type": "application/json"})


# --- Discord's limits, enforced like the real API does (400 Invalid Form Body) ----------------

def message_problems(body: dict[str, Any] | None) -> list[str]:
    """What Discord would reject in a message create/edit body (empty list: it is valid)."""
    body = body or {}
    out: list[str] = []
    content = body.get("content") or ""
    if len(content) > 2000:
        out.append(f"content: {len(content)} > 2000")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        out.append(f"embeds: {len(embeds)} > 10")
    total = 0
    for i, e in enumerate(embeds):
        for key, limit in (("title", 256), ("description", 4096)):
            n = len(e.get(key) or "")
            total += n
            if n > limit:
                out.append(f"embeds.{i}.{key}: {n} > {limit}")
        fields = e.get("fields") or []
        if len(fields) > 25:
            out.append(f"embeds.{i}.fields: {len(fields)} > 25")
        for j, f in enumerate(fields):
            name, value = f.get("name") or "", f.get("value") or ""
            total += len(name) + len(value)
            if not name.strip() or len(name) > 256:
                out.append(f"embeds.{i}.fields.{j}.name: length {len(name)} not in 1..256")
            if not value.strip() or len(value) > 1024:
                out.append(f"embeds.{i}.fields.{j}.value: length {len(value)} not in 1..1024")
        footer = (e.get("footer") or {}).get("text") or ""
        total += len(footer)
        if len(footer) > 2048:
            out.append(f"embeds.{i}.footer.text: {len(footer)} > 2048")
        url = e.get("url")
        if url is not None and not re.match(r"^https?://", url):
            out.append(f"embeds.{i}.url: not a URL")
    if total > 6000:
        out.append(f"embeds: {total} characters in total > 6000")
    rows = body.get("components") or []
    if len(rows) > 5:
        out.append(f"components: {len(rows)} rows > 5")
    custom_ids: set[str] = set()
    for i, row in enumerate(rows):
        items = row.get("components") or []
        if row.get("type") != 1 or not 1 <= len(items) <= 5:
            out.append(f"components.{i}: an action row holds 1..5 components")
        if any(c.get("type") != 2 for c in items) and len(items) != 1:
            out.append(f"components.{i}: a select must be alone in its row")
        for j, c in enumerate(items):
            cid = c.get("custom_id") or ""
            if not 1 <= len(cid) <= 100:
                out.append(f"components.{i}.{j}.custom_id: length {len(cid)} not in 1..100")
            if cid in custom_ids:
                out.append(f"components.{i}.{j}.custom_id: duplicate {cid!r}")
            custom_ids.add(cid)
            if c.get("type") == 2 and len(c.get("label") or "") > 80:
                out.append(f"components.{i}.{j}.label: {len(c['label'])} > 80")
            if c.get("type") == 3:
                opts = c.get("options") or []
                if not 1 <= len(opts) <= 25:
                    out.append(f"components.{i}.{j}.options: {len(opts)} not in 1..25")
                for k, o in enumerate(opts):
                    if not 1 <= len(o.get("label") or "") <= 100 or not 1 <= len(o.get("value") or "") <= 100:
                        out.append(f"components.{i}.{j}.options.{k}: label/value length not in 1..100")
                lo, hi = c.get("min_values", 1), c.get("max_values", 1)
                if not (0 <= lo <= hi <= max(1, len(opts))):
                    out.append(f"components.{i}.{j}: min_values/max_values {lo}/{hi} invalid")
    return out


def choices_problems(choices: list[dict[str, Any]]) -> list[str]:
    out = []
    if len(choices) > 25:
        out.append(f"choices: {len(choices)} > 25")
    for i, c in enumerate(choices):
        if not 1 <= len(c.get("name") or "") <= 100:
            out.append(f"choices.{i}.name: length {len(c.get('name') or '')} not in 1..100")
        if len(str(c.get("value", ""))) > 100:
            out.append(f"choices.{i}.value: longer than 100")
    return out


def command_problems(cmd: dict[str, Any], path: str = "") -> list[str]:
    out = []
    name = cmd.get("name") or ""
    where = f"{path}{name}"
    if not re.match(r"^[-_\w]{1,32}$", name) or name != name.lower():
        out.append(f"{where}: invalid name")
    desc = cmd.get("description") or ""
    if not 1 <= len(desc) <= 100:
        out.append(f"{where}: description length {len(desc)} not in 1..100")
    options = cmd.get("options") or []
    if len(options) > 25:
        out.append(f"{where}: more than 25 options")
    required_seen_optional = False
    for o in options:
        if o.get("type") in (1, 2):
            out += command_problems(o, where + " ")
            continue
        if o.get("required"):
            if required_seen_optional:
                out.append(f"{where}: required option {o.get('name')} after an optional one")
        else:
            required_seen_optional = True
        out += [f"{where} {o.get('name')}: " + p for p in choices_problems(o.get("choices") or [])]
        if o.get("choices") and o.get("autocomplete"):
            out.append(f"{where} {o.get('name')}: choices and autocomplete together")
        out += [f"{where} {o.get('name')}: " + p for p in command_problems(
            {"name": o.get("name"), "description": o.get("description")})]
    return out


@contextlib.contextmanager
def redirect_discord_py(api_base: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py's REST routes and gateway at a fake's URLs (its ``api_base`` and
    ``gateway_url``) for the duration; usable in another process than the fake's."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    old_base, old_gw = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url + "/")
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gw


def _invalid(problems: list[str]) -> web.Response:
    return _json({"code": 50035, "message": "Invalid Form Body", "errors": problems}, status=400)


class FakeDiscord:
    """The fake. ``async with FakeDiscord() as fake: ...`` or ``await fake.start()``/``stop()``."""

    def __init__(self, *, app_id: int | None = None, token: str = "fake-bot-token",
                 guild_id: int | None = None, channel_ids: tuple[int, ...] | None = None,
                 heartbeat_interval_ms: int = 41250, max_concurrency: int = 1) -> None:
        self._seq_ids = itertools.count(1)
        self.app_id = app_id or self.snowflake()
        self.bot_user_id = self.app_id
        self.token = token
        self.guild_id = guild_id or self.snowflake()
        self.channel_ids = channel_ids or (self.snowflake(), self.snowflake())
        self.users: dict[int, User] = {}  # every user made with user(), by id
        #: every server the bot is in: id -> its text channels (the first is the fake's own)
        self.guilds: dict[int, tuple[int, ...]] = {self.guild_id: self.channel_ids}
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.max_concurrency = max_concurrency  # IDENTIFYs allowed per 5 s (session_start_limit)
        self._shard_of: dict[web.WebSocketResponse, tuple[int, int]] = {}  # socket -> [shard id, count]
        self._sessions: dict[str, tuple[int, int]] = {}  # session id -> its shard, for RESUME
        #: (event, guild id, shard id) for every dispatched event: who was sent what
        self.dispatched: list[tuple[str, int | None, int]] = []
        self.calls: list[Call] = []
        self.messages: dict[int, dict[str, Any]] = {}  # channel messages by id
        self.nonces: dict[str, tuple[int, float]] = {}  # message nonce -> (message id, monotonic time)
        self.nonce_window = NONCE_WINDOW  # 0: a repeat comes after Discord forgot the nonce
        self.interactions: dict[int, Interaction] = {}
        self._by_token: dict[str, Interaction] = {}
        self.synced_commands: dict[str | None, list[dict[str, Any]]] = {}  # guild id (None = global)
        self.identify_payloads: list[dict[str, Any]] = []
        self.identify_times: list[float] = []  # perf_counter of each IDENTIFY
        self.heartbeats = 0
        self.resumes = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = 0
        self._changed = asyncio.Condition()
        self.faults = Faults()  # armed faults: see tests/e2e/fakes/faults.py
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._ready = asyncio.Event()

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def redirect(self) -> contextlib.AbstractContextManager[None]:
        """Point discord.py's REST routes and gateway at this fake for the duration."""
        return redirect_discord_py(self.api_base, self.gateway_url)

    # --- ids, users, waiting ------------------------------------------------------------

    def snowflake(self, age: float = 0.0) -> int:
        """A new id whose timestamp is ``age`` seconds ago (Discord's ids carry their creation time)."""
        ms = int((time.time() - age) * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._seq_ids) & 0x3FFFFF)

    @staticmethod
    def age_of(snowflake: int) -> float:
        """Seconds since the id was created."""
        return time.time() - ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000

    def user(self, name: str, *, admin: bool = False) -> User:
        user = User(self.snowflake(), name, admin)
        self.users[user.id] = user
        return user

    def seen(self, interaction: Interaction) -> str:
        """The text a member reads in an interaction's response, mentions resolved."""
        def names(kind: str, ident: int) -> str | None:
            if kind == "#":
                return self.channel_payload(ident)["name"] if self.guild_of(ident) is not None else None
            return self.users[ident].name if ident in self.users else None
        return "\n".join(seen_text(m, names) for m in interaction.messages())

    def add_guild(self, *, shard: int = 0, shard_count: int = 1) -> int:
        """Another server the bot is in (with two text channels), on ``shard`` of ``shard_count``:
        Discord puts a guild on shard ``(guild_id >> 22) % shard_count``."""
        fresh = self.snowflake()
        ms = (fresh >> 22) + (shard - shard_of(fresh, shard_count)) % shard_count  # the next such millisecond
        guild_id = (ms << 22) | (fresh & 0x3FFFFF)
        self.guilds[guild_id] = (self.snowflake(), self.snowflake())
        return guild_id

    def guild_of(self, channel_id: int) -> int | None:
        return next((g for g, channels in self.guilds.items() if channel_id in channels), None)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked after every recorded change)."""
        async def waiter() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result
        return await asyncio.wait_for(waiter(), timeout)

    async def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until a bot has identified and been sent READY and GUILD_CREATE."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    def calls_to(self, method: str, path_start: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(path_start)]

    def channel_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        return [m for m in self.messages.values()
                if channel_id is None or m["channel_id"] == str(channel_id)]

    async def close_idle_connections(self, timeout: float = 5.0) -> None:
        """Once every HTTP connection has answered its last request, close them all, as a server ends
        kept-alive connections left idle (the gateway's websockets stay open)."""
        assert self._runner is not None and self._runner.server is not None
        server = self._runner.server
        gateway = {ws._req.transport for ws in self._sockets if ws._req is not None}

        def http() -> list[Any]:
            return [h for h in server.connections if h.transport not in gateway]

        async def settle() -> None:  # aiohttp's handler has a waiter while it waits for a next request
            while any(h._waiter is None for h in http()):
                await asyncio.sleep(0.01)

        await asyncio.wait_for(settle(), timeout)
        for handler in http():
            handler.force_close()

    def fail_next(self, method: str, path_contains: str, *, status: int = 400,
                  body: dict[str, Any] | None = None, times: int = 1) -> None:
        """Answer the next ``times`` matching requests with an error (e.g. 400 Invalid Form Body)."""
        body = body or {"code": 50035, "message": "Invalid Form Body", "errors": {}}
        self.faults.add(method, path_contains, Fault("error", status, body, times=times))

    # --- HTTP ---------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if request.path.startswith("/gateway"):
            return await handler(request)
        path = request.path[len(API_PREFIX):] if request.path.startswith(API_PREFIX) else request.path
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = orjson.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
        request[_BODY_KEY] = body
        status = 0

        async def serve() -> web.StreamResponse:
            nonlocal status
            response = await handler(request)
            status = response.status
            return response

        def error(fault: Fault) -> web.StreamResponse:
            nonlocal status
            status = fault.status
            err = fault.body if fault.body is not None else {"message": f"{fault.status}: fault", "code": 0}
            response = _json(err, status=fault.status)
            headers = dict(fault.headers)
            if headers.pop("Transfer-Encoding", None) == "chunked":  # as a proxy may send it
                response.enable_chunked_encoding()
            response.headers.update(headers)
            return response

        try:
            return await apply(self.faults.take(request.method, path), request, serve, error)
        finally:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            self.calls.append(Call(request.method, path, dict(request.query), body, status, time.perf_counter(),
                                   f"{peer[0]}:{peer[1]}" if peer else ""))
            await self._notify()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        body = request[_BODY_KEY]
        parts = path.strip("/").split("/")
        if request.headers.get("Authorization") not in (f"Bot {self.token}", None) and not parts[0] in (
            "interactions", "webhooks"
        ):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)

        if path == "/users/@me" and method == "GET":
            if request.headers.get("Authorization") != f"Bot {self.token}":
                return _json({"message": "401: Unauthorized", "code": 0}, status=401)
            return _json(self._bot_user())
        if path == "/oauth2/applications/@me" and method == "GET":
            return _json(self._app_info())
        if path in ("/gateway/bot", "/gateway") and method == "GET":
            return _json({
                "url": self.gateway_url, "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                        "max_concurrency": self.max_concurrency},
            })
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            guild = parts[3] if len(parts) == 5 and parts[2] == "guilds" else None
            problems = [p for c in body or [] for p in command_problems(c)]
            if problems:
                return _invalid(problems)
            synced = [self._command(c, guild) for c in body or []]
            self.synced_commands[guild] = synced
            return _json(synced)
        if parts[0] == "applications" and parts[-1] == "commands" and method == "GET":
            guild = parts[3] if len(parts) == 5 and parts[2] == "guilds" else None
            return _json(self.synced_commands.get(guild, []))
        if parts[0] == "interactions" and len(parts) == 4 and parts[3] == "callback" and method == "POST":
            return await self._callback(int(parts[1]), parts[2], body,
                                        with_response=request.query.get("with_response", "").lower() in ("1", "true"))
        if parts[0] == "webhooks" and len(parts) >= 3:
            return await self._webhook(method, parts, body)
        if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages":
            return self._channel_messages(method, parts, body, request.query)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": str(self.bot_user_id), "username": "StudyBot", "global_name": None, "discriminator": "0",
            "avatar": None, "bot": True, "verified": True, "mfa_enabled": False, "flags": 0,
            "public_flags": 0, "email": None,
        }

    def _app_info(self) -> dict[str, Any]:
        owner = {"id": str(self.snowflake()), "username": "owner", "discriminator": "0", "avatar": None}
        return {
            "id": str(self.app_id), "name": "StudyBot", "icon": None, "description": "DP-100 study group bot",
            "rpc_origins": [], "bot_public": True, "bot_require_code_grant": False, "owner": owner,
            "summary": "", "verify_key": "0" * 64, "team": None, "flags": 0, "tags": [],
            "interactions_endpoint_url": None, "redirect_uris": [], "bot": self._bot_user(),
        }

    def _command(self, c: dict[str, Any], guild: str | None) -> dict[str, Any]:
        """A registered command as Discord stores and returns it: its ids, defaults filled in,
        ``required: false`` and empty option lists left out."""
        out = {k: v for k, v in c.items() if k != "options"}
        if c.get("options"):
            out["options"] = [self._option(o) for o in c["options"]]
        out.update(id=str(self.snowflake()), application_id=str(self.app_id), version=str(self.snowflake()))
        out.setdefault("type", 1)
        out.setdefault("description", "")
        out.setdefault("default_member_permissions", None)
        out["dm_permission"] = out.get("contexts") is None or 1 in out["contexts"]
        out["integration_types"] = out.get("integration_types") or [0]
        out.setdefault("nsfw", False)
        if guild:
            out["guild_id"] = guild
        return out

    def _option(self, o: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in o.items() if not (k == "required" and v is False) and k != "options"}
        if o.get("options"):
            out["options"] = [self._option(sub) for sub in o["options"]]
        return out

    def _message(self, channel_id: str, body: dict[str, Any], *, author_bot: bool = True,
                 message_id: int | None = None, flags: int = 0, interaction: Interaction | None = None) -> dict[str, Any]:
        body = body or {}
        msg = {
            "id": str(message_id or self.snowflake()), "channel_id": str(channel_id),
            "guild_id": str(self.guild_of(int(channel_id)) or self.guild_id),
            "author": self._bot_user(), "content": body.get("content") or "", "timestamp": iso(),
            "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": body.get("embeds") or [], "pinned": False,
            "type": 0 if interaction is None else (20 if interaction.type == APPLICATION_COMMAND else 19),
            "flags": int(body.get("flags") or 0) | flags, "components": body.get("components") or [],
            "webhook_id": str(self.app_id) if interaction else None,
        }
        if interaction is not None:
            msg["application_id"] = str(self.app_id)
        return msg

    async def _callback(self, interaction_id: int, token: str, body: dict[str, Any], *,
                        with_response: bool) -> web.Response:
        """An interaction response; as Discord, 204 without a body unless ``with_response`` asks for it."""
        inter = self.interactions.get(interaction_id)
        if inter is None or inter.token != token:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        if inter.callback is not None:
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, status=400)
        if self.age_of(interaction_id) > ACK_WINDOW:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        ctype = body.get("type")
        data = body.get("data") or {}
        problems = choices_problems(data.get("choices") or []) if ctype == AUTOCOMPLETE_RESULT else \
            message_problems(data) if ctype in (CHANNEL_MESSAGE, UPDATE_MESSAGE) else []
        if problems:
            inter.failed_callbacks.append(body)
            return _invalid(problems)
        now = time.perf_counter()
        inter.callback, inter.callback_at = body, now
        response: dict[str, Any] = {"interaction": {
            "id": str(inter.id), "type": inter.type,
            "response_message_loading": ctype == DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(int(data.get("flags", 0) or 0) & EPHEMERAL),
        }}
        channel_id = inter.payload["channel_id"]
        if ctype in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            inter.original = self._message(channel_id, data, interaction=inter,
                                           flags=(1 << 7) if ctype == DEFERRED_CHANNEL_MESSAGE else 0)
            response["interaction"]["response_message_id"] = inter.original["id"]
            response["resource"] = {"type": ctype, "message": inter.original}
            if not inter.original["flags"] & EPHEMERAL:
                self.messages[int(inter.original["id"])] = inter.original
        elif ctype == UPDATE_MESSAGE and "message" in inter.payload:
            msg = self.find_message(inter.payload["message"]["id"])
            if msg is not None:
                msg.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
                msg["edited_timestamp"] = iso()
        if ctype in (CHANNEL_MESSAGE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT):
            # a deferred update is done when the clicked message is edited or a followup arrives
            inter.final_at = now
            inter.done.set()
        return _json(response) if with_response else web.Response(status=204)

    def find_message(self, message_id: str | int) -> dict[str, Any] | None:
        """A channel message, or an ephemeral one (an interaction's response or followup), by id."""
        msg = self.messages.get(int(message_id))
        if msg is not None:
            return msg
        for inter in self.interactions.values():
            for m in ([inter.original] if inter.original else []) + inter.followups:
                if m["id"] == str(message_id):
                    return m
        return None

    async def _webhook(self, method: str, parts: list[str], body: dict[str, Any]) -> web.Response:
        # /webhooks/{app_id}/{token}[/messages/{id|@original}]
        token = parts[2]
        inter = self._by_token.get(token)
        if inter is None or parts[1] != str(self.app_id):
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        if inter.callback is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        channel_id = inter.payload["channel_id"]
        if method in ("POST", "PATCH") and (problems := message_problems(body)):
            return _invalid(problems)
        if len(parts) == 3 and method == "POST":
            flags = int((body or {}).get("flags") or 0)
            if inter.callback_type == DEFERRED_CHANNEL_MESSAGE and inter.original is not None and \
                    inter.original["flags"] & (1 << 7):
                # the first followup after a "thinking" defer replaces the loading message
                inter.original.update(content=(body or {}).get("content") or "",
                                      embeds=(body or {}).get("embeds") or [],
                                      components=(body or {}).get("components") or [])
                inter.original["flags"] &= ~(1 << 7)
                inter.final_at = time.perf_counter()
                inter.done.set()
                return _json(inter.original)
            msg = self._message(channel_id, body, interaction=inter, flags=flags & EPHEMERAL)
            inter.followups.append(msg)
            if not flags & EPHEMERAL:
                self.messages[int(msg["id"])] = msg
            if inter.final_at is None:
                inter.final_at = time.perf_counter()
            inter.done.set()
            return _json(msg)
        if len(parts) == 5 and parts[3] == "messages":
            ref = parts[4]
            target = inter.original if ref == "@original" else next(
                (m for m in inter.followups if m["id"] == ref), None)
            if target is None and ref == "@original" and inter.callback_type == DEFERRED_UPDATE:
                target = self.find_message(inter.payload["message"]["id"])  # a component's own message
            if target is None:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            if method == "GET":
                return _json(target)
            if method == "PATCH":
                for k in ("content", "embeds", "components"):
                    if k in (body or {}):
                        target[k] = body[k]
                target["flags"] &= ~(1 << 7)
                target["edited_timestamp"] = iso()
                if ref == "@original":
                    inter.final_at = time.perf_counter()
                    inter.done.set()
                return _json(target)
            if method == "DELETE":
                if ref == "@original":
                    inter.original = None
                else:
                    inter.followups.remove(target)
                return web.Response(status=204)
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _channel_messages(self, method: str, parts: list[str], body: dict[str, Any],
                          query: Any = None) -> web.Response:
        query = query or {}
        channel_id = parts[1]
        if self.guild_of(int(channel_id)) is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        if method in ("POST", "PATCH") and (problems := message_problems(body)):
            return _invalid(problems)
        if len(parts) == 3 and method == "POST":
            nonce = (body or {}).get("nonce")
            if nonce is not None and (body or {}).get("enforce_nonce"):
                # Discord: the same author's nonce within a few minutes returns that message
                seen = self.nonces.get(str(nonce))
                if seen is not None and time.monotonic() - seen[1] < self.nonce_window and seen[0] in self.messages:
                    return _json(self.messages[seen[0]])
            msg = self._message(channel_id, body)
            self.messages[int(msg["id"])] = msg
            if nonce is not None:
                self.nonces[str(nonce)] = (int(msg["id"]), time.monotonic())
                return _json({**msg, "nonce": nonce})  # the nonce comes back on create only
            return _json(msg)
        if len(parts) == 3 and method == "GET":  # history: newest first, ?limit=&before=
            limit = min(100, int(query.get("limit", 50)))
            before = int(query.get("before", 1 << 63))
            newest = sorted((m for m in self.channel_messages(int(channel_id)) if int(m["id"]) < before),
                            key=lambda m: int(m["id"]), reverse=True)
            return _json(newest[:limit])
        if len(parts) == 4:
            msg = self.messages.get(int(parts[3]))
            if msg is None or msg["channel_id"] != channel_id:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            if method == "GET":
                return _json(msg)
            if method == "PATCH":
                for k in ("content", "embeds", "components"):
                    if k in (body or {}):
                        msg[k] = body[k]
                msg["edited_timestamp"] = iso()
                return _json(msg)
        return _json({"message": "405: Method Not Allowed", "code": 0}, status=405)

    # --- gateway ------------------------------------------------------------------------

    def _guild_payload(self, guild_id: int) -> dict[str, Any]:
        everyone = {"id": str(guild_id), "name": "@everyone", "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
        return {
            "id": str(guild_id), "name": "DP-100 Study Group", "icon": None, "owner_id": "1",
            "unavailable": False, "member_count": 4, "large": False, "roles": [everyone], "emojis": [],
            "stickers": [], "features": [], "channels": [self.channel_payload(c) for c in self.guilds[guild_id]],
            "members": [], "threads": [], "presences": [], "voice_states": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "joined_at": iso(),
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0, "preferred_locale": "en-US",
            "system_channel_flags": 0, "afk_timeout": 300,
        }

    def channel_payload(self, channel_id: int) -> dict[str, Any]:
        guild_id = self.guild_of(channel_id) or self.guild_id
        channels = self.guilds.get(guild_id, ())
        index = channels.index(channel_id) if channel_id in channels else 0
        return {"id": str(channel_id), "type": 0, "guild_id": str(guild_id),
                "name": ["study", "general", "random"][index % 3], "position": index,
                "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None,
                "rate_limit_per_user": 0, "last_message_id": None, "flags": 0}

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        try:
            await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                op = data.get("op")
                if op == 1:
                    self.heartbeats += 1
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    self.identify_payloads.append(data["d"])
                    self.identify_times.append(time.perf_counter())
                    shard = tuple(data["d"].get("shard") or (0, 1))
                    if len(shard) != 2 or not 0 <= shard[0] < shard[1]:
                        await ws.close(code=4010, message=b"Invalid shard")
                        break
                    self._shard_of[ws] = (int(shard[0]), int(shard[1]))
                    session = f"session-{self.snowflake()}"
                    self._sessions[session] = self._shard_of[ws]
                    mine = [g for g in self.guilds if shard_of(g, shard[1]) == shard[0]]
                    await self._send(ws, "READY", {
                        "v": 10, "user": self._bot_user(), "guilds": [{"id": str(g), "unavailable": True} for g in mine],
                        "session_id": session, "resume_gateway_url": self.gateway_url,
                        "application": {"id": str(self.app_id), "flags": 0}, "shard": list(shard),
                        "private_channels": [], "relationships": [],
                    })
                    for g in mine:
                        await self._send(ws, "GUILD_CREATE", self._guild_payload(g))
                    self._ready.set()
                    await self._notify()
                elif op == 6:  # RESUME the session
                    if data["d"].get("token") != self.token or data["d"].get("session_id") not in self._sessions:
                        await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
                        continue
                    self._shard_of[ws] = self._sessions[data["d"]["session_id"]]
                    self.resumes += 1
                    await self._send(ws, "RESUMED", {})
                    self._ready.set()
                    await self._notify()
        finally:
            self._shard_of.pop(ws, None)
            if ws in self._sockets:
                self._sockets.remove(ws)
            if not self._sockets:
                self._ready.clear()
            await self._notify()
        return ws

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._seq += 1
        await ws.send_str(orjson.dumps({"op": 0, "t": event, "s": self._seq, "d": data}).decode())

    async def request_reconnect(self) -> None:
        """Ask the connected bot to reconnect (opcode 7 RECONNECT), as Discord does routinely."""
        if not self._sockets:
            raise RuntimeError("no bot is connected to the fake gateway")
        await self._sockets[-1].send_json({"op": 7, "d": None, "s": None, "t": None})

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH event to the connected bot: an event of a guild goes to the
        connection of that guild's shard, as Discord routes it (the latest connection when no
        shard holds it, e.g. a server the fake does not know)."""
        if not self._sockets:
            raise RuntimeError("no bot is connected to the fake gateway")
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        ws = self._sockets[-1]
        if guild_id is not None:
            ws = next((w for w in reversed(self._sockets) if w in self._shard_of
                       and shard_of(guild_id, self._shard_of[w][1]) == self._shard_of[w][0]), ws)
        self.dispatched.append((event, guild_id, self._shard_of.get(ws, (0, 1))[0]))
        await self._send(ws, event, data)

    def shards_connected(self) -> set[tuple[int, int]]:
        """The [shard id, shard count] of every open gateway connection."""
        return set(self._shard_of.values())

    # --- interactions ----------------------------------------------------------------------

    def _interaction_payload(self, itype: int, user: User, data: dict[str, Any], channel_id: int | None,
                             message: dict[str, Any] | None = None, guild_id: int | None = None,
                             age: float = 0.0) -> Interaction:
        """``guild_id`` (with a ``channel_id`` of that server) plays an interaction from another
        server than the fake's own: as Discord sends it, the guild and channel are the click's.
        ``age``: the interaction was created that many seconds ago (a late delivery)."""
        channel_id = channel_id or self.channel_ids[0]
        guild_id = guild_id or self.guild_of(channel_id) or self.guild_id
        iid = self.snowflake(age)
        token = f"itoken-{iid}"
        channel = {**self.channel_payload(channel_id), "guild_id": str(guild_id)}
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(self.app_id), "type": itype, "data": data,
            "guild_id": str(guild_id), "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
            "channel_id": str(channel_id), "channel": channel,
            "member": user.member_payload(), "token": token, "version": 1,
            "app_permissions": str(MEMBER_PERMISSIONS), "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0, "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        inter = Interaction(iid, token, itype, payload)
        self.interactions[iid] = inter
        self._by_token[token] = inter
        return inter

    def _command_id(self, name: str) -> str:
        for synced in self.synced_commands.values():
            for c in synced:
                if c["name"] == name:
                    return c["id"]
        return str(self.snowflake())

    def slash_payload(self, user: User, name: str, options: list[dict[str, Any]] | None = None, *,
                      channel_id: int | None = None, resolved: dict[str, Any] | None = None,
                      autocomplete: bool = False, age: float = 0.0) -> Interaction:
        """A slash command interaction created ``age`` seconds ago (a late delivery)."""
        guild_id = self.guild_of(channel_id or self.channel_ids[0]) or self.guild_id
        data: dict[str, Any] = {"id": self._command_id(name), "name": name, "type": 1,
                                "options": options or [], "guild_id": str(guild_id)}
        if resolved:
            data["resolved"] = resolved
        return self._interaction_payload(AUTOCOMPLETE if autocomplete else APPLICATION_COMMAND,
                                         user, data, channel_id, age=age)

    async def send_interaction(self, inter: Interaction) -> Interaction:
        """Deliver INTERACTION_CREATE (again, for a duplicate delivery)."""
        inter.sent_at = inter.sent_at or time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", inter.payload)
        return inter

    async def slash(self, user: User, name: str, options: dict[str, Any] | None = None, *,
                    sub: str | None = None, channel_id: int | None = None,
                    wait: bool = True, timeout: float = 5.0) -> Interaction:
        """Invoke ``/name [sub] option:value...``. Channel-typed values: pass ``("channel", id)``."""
        opts, resolved = self._options(options or {})
        if sub is not None:
            opts = [{"name": sub, "type": 1, "options": opts}]
        inter = self.slash_payload(user, name, opts, channel_id=channel_id, resolved=resolved)
        await self.send_interaction(inter)
        if wait:
            await self.wait_done(inter, timeout)
        return inter

    async def autocomplete(self, user: User, name: str, focused: str, value: str, *,
                           others: dict[str, Any] | None = None, sub: str | None = None,
                           timeout: float = 5.0) -> Interaction:
        opts, _ = self._options(others or {})
        opts.append({"name": focused, "type": 3, "value": value, "focused": True})
        if sub is not None:
            opts = [{"name": sub, "type": 1, "options": opts}]
        inter = self.slash_payload(user, name, opts, autocomplete=True)
        await self.send_interaction(inter)
        await self.wait_done(inter, timeout)
        return inter

    def _options(self, options: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        opts, resolved = [], None
        for key, value in options.items():
            if isinstance(value, tuple) and value[0] == "channel":
                cid = int(value[1])
                resolved = resolved or {}
                resolved.setdefault("channels", {})[str(cid)] = {**self.channel_payload(cid), "permissions": str(MEMBER_PERMISSIONS)}
                opts.append({"name": key, "type": 7, "value": str(cid)})
            elif isinstance(value, User):
                resolved = resolved or {}
                resolved.setdefault("users", {})[str(value.id)] = value.payload()
                member = value.member_payload()
                member.pop("user")
                resolved.setdefault("members", {})[str(value.id)] = member
                opts.append({"name": key, "type": 6, "value": str(value.id)})
            elif isinstance(value, bool):
                opts.append({"name": key, "type": 5, "value": value})
            elif isinstance(value, int):
                opts.append({"name": key, "type": 4, "value": value})
            else:
                opts.append({"name": key, "type": 3, "value": value})
        return opts, resolved

    def click_payload(self, user: User, message: dict[str, Any], custom_id: str,
                      values: list[str] | None = None, guild_id: int | None = None, *,
                      age: float = 0.0) -> Interaction:
        component = next((c for c in buttons(message) if c.get("custom_id") == custom_id), None)
        ctype = component["type"] if component else 2
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": ctype}
        if values is not None:
            data["values"] = values
        return self._interaction_payload(MESSAGE_COMPONENT, user, data, int(message["channel_id"]),
                                         message=message, guild_id=guild_id, age=age)

    async def click(self, user: User, message: dict[str, Any], custom_id: str, *,
                    values: list[str] | None = None, wait: bool = True, timeout: float = 5.0,
                    guild_id: int | None = None, age: float = 0.0) -> Interaction:
        """Click a button (or submit a select with ``values``) on ``message`` as ``user``;
        ``guild_id`` for a message in another server (its ``channel_id`` is that server's)."""
        inter = self.click_payload(user, message, custom_id, values, guild_id, age=age)
        await self.send_interaction(inter)
        if wait:
            await self.wait_done(inter, timeout)
        return inter

    async def wait_done(self, inter: Interaction, timeout: float = 5.0) -> Interaction:
        """Wait until the member has seen content for this interaction (not just a defer)."""
        await asyncio.wait_for(inter.done.wait(), timeout)
        return inter
