"""The Bolt app: ``/studybot`` subcommands, answer buttons, "choose N" submits and App Home.

Every listener acknowledges first (``ack()`` or Bolt's automatic ack for events) and does the
slow work afterwards, so Slack always gets its HTTP 200 (or Socket Mode ack) well inside 3 s.
Replies go back through the request's ``response_url`` (works for slash commands and button
clicks, in channels the bot is not in, and for ephemeral practice questions), falling back to
chat.postEphemeral and finally a DM when there is no usable response_url (App Home clicks,
expired urls). Errors reach the member as a short private apology; the traceback goes only to
the log.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import aiohttp
import orjson
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import codec
from bot.commands import Answer, Context, Member, ParseError, Place, Report, parse
from bot.replies import Reply, rendered_once, say

from .installations import SqlInstallationStore
from .render import PICK_PREFIX, render, render_home

log = logging.getLogger(__name__)

PLATFORM = "slack"
COMMAND = "/studybot"
#: How members spell commands on Slack; help and usage messages use it.
PREFIX = "/studybot "
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
#: The bot scopes "Add to Slack" asks for (slack/manifest.yaml lists the same, with what each is for).
BOT_SCOPES = ("commands", "chat:write", "users:read", "channels:history", "groups:history")
#: ``groups.paused_reason`` of the groups paused because the app lost access to their workspace.
UNINSTALLED = "uninstalled"
NOT_INSTALLED = "StudyBot is not installed in this workspace any more. A workspace admin can add it again."

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
#: The name shown for a member when Slack gave none and users.info cannot be asked.
UNKNOWN_NAME = "a member"
HOME_APOLOGY = "Sorry, I couldn't load your overview just now. Open this tab again in a moment."

#: An answer button: action_id (and value) is the codec id ``quiz:<quiz_id>:<positions>``.
ANSWER_ACTION = re.compile(rf"^{codec.TEMPLATE}$")
#: A button that runs a command (a review's "Next"): action_id ``cmd:<words>``.
COMMAND_ACTION = re.compile(rf"^{codec.ACTION_TEMPLATE}$")
#: The "⚑ Report" select on a member's feedback: action_id ``report:<quiz_id>``, each option's
#: value ``report:<quiz_id>:<reason>``.
REPORT_ACTION = re.compile(rf"^{codec.REPORT_TEMPLATE}$")
#: The Submit button of a "choose N" question: action_id ``quiz:<quiz_id>``, value ``N``.
SUBMIT_ACTION = re.compile(r"^quiz:(?P<quiz_id>\d{1,18})$")


class Directory:
    """Names and admin flags from ``users.info`` (admin = is_admin or is_owner).

    The admin flag is trusted for ``ttl`` seconds, then asked again (commands). A member's name
    is kept after that (bounded), so answer clicks reuse it without another call and a member
    shows under the same display name everywhere. When users.info fails, the name Slack put in
    the request is used (never the raw user id) and kept; while users.info is rate limited it is
    not asked at all until Retry-After has passed. Failing means "not an admin" (fail closed).

    A click's result never waits long for a name: an answer waits at most ``answer_wait``
    seconds for a new member's users.info (the call then finishes in the background, and its
    name is kept for the member's next click), and while ``max_lookups`` calls are in flight (a
    burst of new members) it does not ask at all and goes on under the name in its request, not
    kept, so the next click or command asks again. Such a burst also ends the wait of the answers
    already waiting for a name: the burst's first clickers would otherwise queue behind it and get
    its last results. Slack allows users.info about 100 times a minute anyway (Tier 4); commands,
    which need the admin flag, always wait for the answer.
    """

    def __init__(
        self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic, size: int = 20_000,
        timeout: float = 3.0, max_lookups: int = 10, answer_wait: float = 0.25,
    ) -> None:
        self.ttl = ttl
        self.max_lookups = max_lookups
        self.answer_wait = answer_wait
        self._asking = 0  # users.info calls in flight
        self._answers_asks: set[asyncio.Future[tuple[str, bool]]] = set()
        self._waiting: set[asyncio.Future[None]] = set()  # answers waiting for a name (a burst ends them)
        self.clock = clock
        self.size = size
        self.timeout = timeout
        self._info: dict[tuple[str, str], tuple[float, str, bool]] = {}  # -> (checked at, name, admin)
        self._quiet_until: dict[str, float] = {}  # team -> no users.info before this (rate limited)

    async def lookup(
        self, client: AsyncWebClient, team: str, user_id: str, fallback_name: str, *, need_admin: bool = True
    ) -> tuple[str, bool]:
        hit = self._info.get((team, user_id))
        now = self.clock()
        if hit is not None:
            if hit[0] + self.ttl > now:
                return hit[1], hit[2]
            if not need_admin:
                return hit[1], False
        fallback = hit[1] if hit else (fallback_name or UNKNOWN_NAME)
        if self._quiet_until.get(team, 0.0) > now:
            self._keep_fallback(team, user_id, fallback)
            return fallback, False
        if not need_admin and self._asking >= self.max_lookups:
            self._end_waits()
            return fallback, False
        self._asking += 1
        ask = asyncio.ensure_future(self._ask(client, team, user_id, fallback, now))
        if need_admin:
            return await ask
        self._answers_asks.add(ask)  # referenced until done, even once the answer stops waiting
        ask.add_done_callback(self._answers_asks.discard)
        burst = asyncio.get_running_loop().create_future()
        self._waiting.add(burst)
        try:
            done, _ = await asyncio.wait({ask, burst}, timeout=self.answer_wait, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiting.discard(burst)
        return ask.result() if ask in done else (fallback, False)

    def _end_waits(self) -> None:
        """A burst of new members: the answers waiting for a name go on under their request's."""
        for burst in self._waiting:
            if not burst.done():
                burst.set_result(None)
        self._waiting.clear()

    async def _ask(self, client: AsyncWebClient, team: str, user_id: str, fallback: str, now: float) -> tuple[str, bool]:
        """One users.info call (counted in ``_asking`` by the caller); remembers what it learns."""
        try:
            resp = await asyncio.wait_for(client.users_info(user=user_id), self.timeout)
        except SlackApiError as e:
            error = str(e.response.get("error") or e.response.status_code)
            if e.response.status_code == 429 or error == "ratelimited":
                wait = _retry_after(e.response.headers)
                self._quiet_until[team] = now + wait
                log.warning("users.info is rate limited in %s: using names from requests for %.0f s", team, wait)
            else:
                log.warning("users.info failed for %s: %s", user_id, error)
            self._keep_fallback(team, user_id, fallback)
            return fallback, False
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            log.warning("users.info failed for %s: %s", user_id, type(e).__name__)
            self._keep_fallback(team, user_id, fallback)
            return fallback, False
        finally:
            self._asking -= 1
        user: dict[str, Any] = resp.get("user") or {}
        profile: dict[str, Any] = user.get("profile") or {}
        name = (
            profile.get("display_name") or profile.get("real_name") or user.get("real_name")
            or user.get("name") or fallback
        )
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        self._remember(team, user_id, str(name), checked=True, admin=admin)
        return str(name), admin

    def _keep_fallback(self, team: str, user_id: str, name: str) -> None:
        if name != UNKNOWN_NAME:  # a real name from a request: reuse it for clicks
            self._remember(team, user_id, name, checked=False)

    def _remember(self, team: str, user_id: str, name: str, *, checked: bool, admin: bool = False) -> None:
        if len(self._info) >= self.size:  # forget the oldest half
            keep = sorted(self._info.items(), key=lambda kv: kv[1][0])[len(self._info) // 2:]
            self._info = dict(keep)
        # an unchecked entry keeps the name only: its admin flag is never fresh
        self._info[(team, user_id)] = (self.clock() if checked else -float("inf"), name, admin and checked)


def _retry_after(headers: Any) -> float:
    try:
        value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
        return max(1.0, float(value[0] if isinstance(value, list) else value))
    except (TypeError, ValueError):
        return 30.0


#: A response_url post that takes longer than this falls back to the Web API.
RESPONSE_URL_TIMEOUT = aiohttp.ClientTimeout(total=10)
_JSON = {"Content-Type": "application/json; charset=utf-8"}


@rendered_once
def response_body(reply: Reply, replace_original: bool) -> bytes:
    """A reply as the JSON body a response_url takes, rendered and encoded once per distinct reply."""
    return orjson.dumps({
        "response_type": "ephemeral" if reply.private else "in_channel",
        "replace_original": replace_original,
        "unfurl_links": False,
        "unfurl_media": False,
        **render(reply).as_kwargs(),
    })


class Replier:
    """Sends a member's replies for one request: response_url first, then Web API fallbacks.

    A response_url post is one plain POST on the shared connection pool (slack_sdk's webhook
    client re-reads the proxy environment and re-walks the blocks on every call)."""

    def __init__(self, client: AsyncWebClient, session: aiohttp.ClientSession, response_url: str | None,
                 channel: str, user_id: str, *, clicked: bool = False) -> None:
        self.client = client
        self.session = session
        self.response_url = response_url or None
        self.channel = channel
        self.user_id = user_id
        #: answering a button in a message: a reply marked ``replace`` takes that message's place
        self.clicked = clicked

    async def send_all(self, replies: Iterable[Reply]) -> None:
        for reply in replies:
            await self.send(reply)

    async def send(self, reply: Reply) -> None:
        if self.response_url is not None:
            body = response_body(reply, reply.replace and self.clicked)
            try:
                async with self.session.post(
                    self.response_url, data=body, headers=_JSON, timeout=RESPONSE_URL_TIMEOUT
                ) as resp:
                    await resp.read()
                    if resp.status == 200:
                        return
                log.warning("response_url answered %s; falling back to the Web API", resp.status)
            except Exception as e:  # an expired or unreachable response_url
                log.warning("response_url failed (%s); falling back to the Web API", type(e).__name__)
        message = render(reply)
        if reply.private:
            if self.channel:
                try:
                    await self.client.chat_postEphemeral(channel=self.channel, user=self.user_id, **message.as_kwargs())
                    return
                except SlackApiError as e:
                    log.info("chat.postEphemeral failed (%s); sending a DM", e.response.get("error"))
            await self.client.chat_postMessage(channel=self.user_id, **message.as_kwargs())
        else:
            await self.client.chat_postMessage(
                channel=self.channel or self.user_id, unfurl_links=False, unfurl_media=False, **message.as_kwargs()
            )


def _team(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    if isinstance(team, str) and team:
        return team
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or body.get("enterprise_id") or "")


def _channel(body: dict[str, Any]) -> str:
    channel = body.get("channel")
    if isinstance(channel, dict) and channel.get("id"):
        return str(channel["id"])
    container = body.get("container") or {}
    return str(body.get("channel_id") or container.get("channel_id") or "")


def _selected_positions(body: dict[str, Any], action_id: str) -> list[int]:
    values = ((body.get("state") or {}).get("values")) or {}
    for block in values.values():
        state = block.get(action_id)
        if state is not None:
            out = []
            for option in state.get("selected_options") or []:
                value = str(option.get("value", ""))
                if value.isdigit():
                    out.append(int(value))
            return out
    return []


class Tracker:
    """Counts listener work in flight: ``idle()`` returns once everything acknowledged is done
    (shutdown drains with it; tests wait on it instead of sleeping)."""

    def __init__(self) -> None:
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self._busy += 1
        self._idle.clear()

    def leave(self) -> None:
        self._busy -= 1
        if self._busy == 0:
            self._idle.set()

    async def idle(self) -> None:
        await self._idle.wait()


def malformed(body: Any) -> str | None:
    """Why a (signed) request body is not something Slack sends, or None when it is well formed."""
    if not isinstance(body, dict):
        return f"the body is a JSON {type(body).__name__}, not an object"
    if body.get("type") == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without actions"
        if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) and a["action_id"] for a in actions):
            return "an action without an action_id"
        user = body.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
            return "block_actions without a user"
    elif "command" in body:
        if not isinstance(body.get("user_id"), str) or not body["user_id"]:
            return "a slash command without a user"
    elif body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return "an event callback without an event"
    return None


class RefuseMalformed(AsyncMiddleware):
    """A signed request that is not what Slack sends: 400 over HTTP (one WARNING line, no
    traceback); over Socket Mode it is acknowledged and dropped, so Slack does not resend it.

    A plain AsyncMiddleware, not a ``@app.middleware`` function: Bolt builds a function
    middleware's arguments from the payload (``actions[0]``), which is what fails here."""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        problem = malformed(req.body)
        if problem is None:
            return await next()
        log.warning("Refused a malformed Slack request: %s", problem)
        if req.mode == "socket_mode":
            return BoltResponse(status=200, body="")
        return BoltResponse(status=400, body=problem)


class SkipEventRetries(AsyncMiddleware):
    """A retried Events API delivery (X-Slack-Retry-Num >= 1) was already handled: ack it.
    Interactive payloads are never skipped: the core's one-answer rule makes them safe.

    A plain AsyncMiddleware: Bolt builds a function middleware's arguments by inspection on
    every request."""

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        retry = (req.headers.get("x-slack-retry-num") or [""])[0]
        if req.body.get("type") == "event_callback" and retry not in ("", "0"):
            return BoltResponse(status=200, body="")
        return await next()


class AnswerClicks(AsyncMiddleware):
    """Answer clicks, a burst's whole load, are acknowledged by this last global middleware rather
    than by listeners: for each listener it tries and runs, Bolt builds some 30 listener arguments
    (``say``, ``respond``, ``complete``, ...), a third of a click's dispatch. ``take`` schedules the
    answer and says whether the action was one; every other request goes on to the listeners."""

    def __init__(self, take: Callable[[dict[str, Any], dict[str, Any], AsyncWebClient], bool]) -> None:
        self.take = take

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        body = req.body
        # RefuseMalformed came first: a block_actions body has actions, each with an action_id
        if body.get("type") == "block_actions" and self.take(body, body["actions"][0], req.context.client):
            return BoltResponse(status=200, body="")
        return await next()


class SlackBot:
    """Builds the AsyncApp around one StudyService. ``bot.app`` is the Bolt app.

    ``client`` is the app's Web API client (no token of its own: each request gets its
    workspace's token from ``authorize``)."""

    def __init__(
        self,
        service: Any,
        *,
        client: AsyncWebClient,
        signing_secret: str | None,
        authorize: AsyncAuthorize,
        installations: SqlInstallationStore | None = None,
        oauth_settings: AsyncOAuthSettings | None = None,
        admin_ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.client = client
        if client.session is None:
            raise ValueError("the Slack client needs a shared aiohttp session (adapters.slack.client.make_client)")
        self.session = client.session
        self.installations = installations
        self.directory = Directory(ttl=admin_ttl, clock=clock)
        self.tracker = Tracker()
        self._tasks: set[asyncio.Task[None]] = set()  # work running after its ack (kept referenced)
        self.app = AsyncApp(
            name="studybot",
            client=client,
            signing_secret=signing_secret or "",
            authorize=authorize,
            oauth_settings=oauth_settings,
            installation_store_bot_only=True if oauth_settings is not None else None,
            user_facing_authorize_error_message=NOT_INSTALLED,
            # every HTTP request is verified by the front door (webapp.events_handler, 401 before
            # Bolt sees it) and Socket Mode needs none: Bolt would compute the same HMAC again
            request_verification_enabled=False,
            # listeners acknowledge and hand their work to a task of ours (_later), so Bolt answers
            # Slack as soon as ack() returns instead of polling every 10 ms for it
            process_before_response=True,
        )
        self._register()

    # --- who and where -----------------------------------------------------------------

    async def _member(self, client: AsyncWebClient, team: str, user_id: str, fallback_name: str) -> Member:
        name, admin = await self.directory.lookup(client, team, user_id, fallback_name)
        return Member(PLATFORM, team, user_id, name, admin)

    async def _answerer(self, client: AsyncWebClient, body: dict[str, Any]) -> Member:
        """Who clicked an answer. Admin rights don't matter here, so a known member's name is
        reused without calling users.info again; a new member is looked up once."""
        user = body.get("user") or {}
        team = _team(body)
        user_id = str(user.get("id", ""))
        fallback = str(user.get("name") or user.get("username") or "")
        name, admin = await self.directory.lookup(client, team, user_id, fallback, need_admin=False)
        return Member(PLATFORM, team, user_id, name, admin)

    # --- the guard -------------------------------------------------------------------------

    async def _guarded(self, what: str, replier: Replier, work: Callable[[], Awaitable[list[Reply]]]) -> None:
        try:
            replies = await work()
            await replier.send_all(replies)
        except Exception:
            log.exception("Slack %s failed", what)
            try:
                await replier.send(say(APOLOGY))
            except Exception:
                log.exception("Could not send the apology for a failed %s", what)

    # --- listeners ----------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app

        app.use(RefuseMalformed())
        app.use(SkipEventRetries())

        app.use(AnswerClicks(self._take_answer))  # last: after Bolt's own middleware has authorized

        @app.action(COMMAND_ACTION)
        async def on_command_button(ack, body, action, client):
            await ack()
            replier = self._replier_for_action(body, client)
            text = codec.decode_action(str(action.get("action_id", ""))) or ""

            async def work() -> list[Reply]:
                command = parse(text, prefix=PREFIX)
                if isinstance(command, ParseError):
                    return [say("That button is not one of mine any more.")]
                member = await self._answerer(client, body)
                ctx = Context(member=member, place=Place(PLATFORM, member.workspace, _channel(body)), prefix=PREFIX)
                return list(await self.service.handle(ctx, command))

            self._later(self._guarded("button", replier, work))

        @app.action(REPORT_ACTION)
        async def on_report(ack, body, action, client):
            await ack()
            self._later(self._report(body, client, action))

        @app.action(re.compile(".*"))
        async def on_other_action(ack):
            """Ticking a checkbox of a "choose N" question, or a button this version does not
            know (an old message, a newer layout): acknowledged so Slack shows no error."""
            await ack()

        @app.command(COMMAND)
        async def on_command(ack, body, client):
            await ack()
            team, user_id, channel = _team(body), str(body.get("user_id", "")), _channel(body)
            replier = Replier(client, self.session, body.get("response_url"), channel, user_id)

            async def work() -> list[Reply]:
                command = parse(str(body.get("text") or ""), prefix=PREFIX)
                if isinstance(command, ParseError):
                    return [say(command.message)]
                member = await self._member(client, team, user_id, str(body.get("user_name") or ""))
                ctx = Context(member=member, place=Place(PLATFORM, team, channel), prefix=PREFIX)
                return list(await self.service.handle(ctx, command))

            self._later(self._guarded("command", replier, work))

        @app.event("app_home_opened")
        async def on_home_opened(event, body, client):
            if event.get("tab", "home") != "home" or not event.get("user"):
                return
            self._later(self._publish_home(client, str(body.get("team_id") or ""), str(event["user"])))

        @app.event("app_uninstalled")
        async def on_uninstalled(body, context):
            self._later(self._lost_access(body, context, "uninstalled"))

        @app.event("tokens_revoked")
        async def on_tokens_revoked(event, body, context):
            if (event.get("tokens") or {}).get("bot"):  # user tokens only: StudyBot holds none
                self._later(self._lost_access(body, context, "bot token revoked"))

        @app.event("team_access_revoked")
        async def on_team_access_revoked(event, context):
            self._later(self._team_access(event, context, granted=False))

        @app.event("team_access_granted")
        async def on_team_access_granted(event, context):
            self._later(self._team_access(event, context, granted=True))

        @app.error
        async def on_error(error, body):
            log.error("Unhandled Slack error: %s", type(error).__name__, exc_info=error)

    def _take_answer(self, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> bool:
        """Acknowledge an answer button or a "choose N" Submit: the answer is recorded afterwards.
        False when the action is neither (it goes on to the listeners)."""
        action_id = str(action["action_id"])
        if ANSWER_ACTION.match(action_id):
            self._later(self._answer(body, client, codec.decode(action_id)))
            return True
        submit = SUBMIT_ACTION.match(action_id)
        if submit is None:
            return False
        quiz_id = int(submit.group("quiz_id"))
        value = str(action.get("value") or "")
        need = int(value) if value.isdigit() else 0
        positions = _selected_positions(body, PICK_PREFIX + codec.quiz_prefix(quiz_id))
        if not positions or (need and len(positions) != need):
            ticked = f"you ticked {len(positions)}" if positions else "nothing is ticked yet"
            wanted = f"exactly {need} answers" if need else "your answers"
            reply = say(f"Tick {wanted} first, then press Submit ({ticked}).")
            self._later(self._guarded("submit", self._replier_for_action(body, client), _const([reply])))
        else:
            self._later(self._answer(body, client, codec.Pick(quiz_id, frozenset(positions))))
        return True

    def _later(self, work: Awaitable[None]) -> None:
        """Run acknowledged work after the acknowledgement, counted by the tracker from now."""
        async def run() -> None:
            try:
                await work
            finally:
                self.tracker.leave()

        self.tracker.enter()

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _lost_access(self, body: dict[str, Any], context: AsyncBoltContext, why: str) -> None:
        """The app can no longer reach this workspace, or with an org-wide install (Bolt reads it
        from the event's authorization) any workspace of the org: forget the installation and
        pause the groups of every workspace it served (installing the app again resumes them)."""
        org_wide = bool(context.is_enterprise_install) and self.installations is not None
        team = str(context.team_id or body.get("team_id") or "")
        if not (org_wide or team):
            return
        if self.installations is not None:
            teams = await self.installations.remove(
                enterprise_id=context.enterprise_id, team_id=None if org_wide else team, org_wide=org_wide)
        else:
            teams = [team]
        paused = 0
        for workspace in teams:
            paused += await self.service.pause_workspace(PLATFORM, workspace, UNINSTALLED)
        where = f"org {context.enterprise_id}" if org_wide else f"workspace {team}"
        log.warning("Slack %s: %s; paused %d study group(s) in %d workspace(s) until the app is installed again",
                    where, why, paused, len(teams))

    async def _team_access(self, event: dict[str, Any], context: AsyncBoltContext, *, granted: bool) -> None:
        """An org admin added the org-wide install to workspaces of the org, or removed it from
        them: their groups resume, or pause."""
        teams = [str(team) for team in event.get("team_ids") or [] if team]
        changed = 0
        for team in teams:
            if granted:
                changed += await self.service.resume_workspace(PLATFORM, team, UNINSTALLED)
            else:
                changed += await self.service.pause_workspace(PLATFORM, team, UNINSTALLED)
        log.warning("Slack org %s %s %d workspace(s): %s %d study group(s)", context.enterprise_id,
                    "added" if granted else "removed from", len(teams), "resumed" if granted else "paused", changed)

    def _replier_for_action(self, body: dict[str, Any], client: AsyncWebClient) -> Replier:
        user_id = str((body.get("user") or {}).get("id", ""))
        return Replier(client, self.session, body.get("response_url"), _channel(body), user_id, clicked=True)

    async def _publish_home(self, client: AsyncWebClient, team: str, user_id: str) -> None:
        try:
            member = await self._member(client, team, user_id, "")
            view = render_home(await self.service.home(member))
        except Exception:
            log.exception("Building the App Home for %s failed", user_id)
            view = render_home(say(HOME_APOLOGY))
        try:
            await client.views_publish(user_id=user_id, view=view)
        except SlackApiError as e:
            log.warning("views.publish failed: %s", e.response.get("error"))

    async def _answer(self, body: dict[str, Any], client: AsyncWebClient, pick: codec.Pick | None) -> None:
        replier = self._replier_for_action(body, client)

        async def work() -> list[Reply]:
            if pick is None:
                return [say("That button is not one of mine any more.")]
            member = await self._answerer(client, body)
            ctx = Context(member=member, place=Place(PLATFORM, member.workspace, _channel(body)), prefix=PREFIX)
            return list(await self.service.handle(ctx, Answer(pick.quiz_id, pick.positions)))

        await self._guarded("answer", replier, work)
        if (body.get("view") or {}).get("type") == "home":  # answered on the Home tab: show it answered
            await self._publish_home(client, _team(body), replier.user_id)


    async def _report(self, body: dict[str, Any], client: AsyncWebClient, action: dict[str, Any]) -> None:
        """A reason picked from the "⚑ Report" select (its value names the quiz and the reason)."""
        replier = self._replier_for_action(body, client)
        chosen = str((action.get("selected_option") or {}).get("value") or action.get("action_id") or "")
        pick = codec.decode_report(chosen)

        async def work() -> list[Reply]:
            if pick is None:
                return [say("That menu is not one of mine any more.")]
            member = await self._answerer(client, body)
            ctx = Context(member=member, place=Place(PLATFORM, member.workspace, _channel(body)), prefix=PREFIX)
            return list(await self.service.handle(ctx, Report(pick.reason, pick.quiz_id)))

        await self._guarded("report", replier, work)


def _const(replies: list[Reply]) -> Callable[[], Awaitable[list[Reply]]]:
    async def work() -> list[Reply]:
        return replies

    return work
