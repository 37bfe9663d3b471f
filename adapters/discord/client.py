"""The discord.py client: slash commands, answer components, and how each interaction is answered.

Every interaction goes through :meth:`StudyBotClient.run_command`:

1. a second delivery of an interaction already being handled is dropped (one WARNING);
2. an interaction that is already past :data:`ACK_BUDGET` seconds of its creation (its
   snowflake timestamp: Discord's 3-second window runs from there, not from when the event
   reached us) is acknowledged (deferred) *before* any work: if Discord refuses ("Unknown
   interaction", it is too late), nothing is done and one WARNING says so. The member saw
   "interaction failed" and can simply try again;
3. otherwise the core's ``service.handle`` starts at once (an answer click comes straight from the
   gateway payload, see :mod:`.clicks`, and becomes a discord.py Interaction only if it needs more
   than its one response); if it has not answered within
   :data:`ACK_BUDGET` seconds of the interaction's creation the interaction is deferred
   ("thinking…"). So a reply ready in time, in a burst too, costs one REST call: the result
   *is* the interaction response; only a slower one costs a defer and an edit;
4. the replies are rendered (``render``) and sent: the first as the interaction response
   (or as the edit of the deferred one), the rest as followups, each public or ephemeral
   as the core says;
5. Discord refusing the acknowledgement after the work was done (the interaction expired
   or another process acknowledged it) is one WARNING line naming what was done. For an
   answer that means it *was* recorded: the member's next click shows it ("You already
   answered: you chose B"), so it is never recorded without the member being able to see it;
6. any other exception is logged with its traceback and the member gets a short private
   apology; the client keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import discord
from discord import app_commands
from discord.enums import AppCommandOptionType, ChannelType
from discord.http import Route

from bot import codec
from bot.commands import (
    Admins,
    Answer,
    Command,
    Context,
    Help,
    Leaderboard,
    ListObjectives,
    Lookup,
    MockExam,
    ParseError,
    Pause,
    PostNow,
    Practice,
    Readiness,
    Report,
    Reports,
    Resume,
    Review,
    Setup,
    Stats,
    Status,
    Today,
    parse,
)
from bot.replies import Reply, say

from .callbacks import CallbackPool
from .clicks import Click, age, make_context, take_answer_clicks
from .options import problem
from .render import (
    CHOICES_MAX,
    ActionButton,
    MenuButton,
    choice_name,
    choice_value,
    render_messages,
)
from .sync import sync_if_changed

if TYPE_CHECKING:
    from bot.service import StudyService

log = logging.getLogger(__name__)

#: Seconds the core may take before the interaction is deferred (Discord allows 3 s in all,
#: including network time both ways, so stay well inside it).
ACK_BUDGET = 1.2
#: Neutral on purpose: the core may have done the work (an answer recorded) before sending failed.
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
UNKNOWN_BUTTON = "That button is not one of mine any more. Try `/today` for the current quiz."
#: Discord's error codes for an interaction that can no longer be answered: it expired
#: (10062 Unknown interaction; 10015/50027 for its webhook token) or was already
#: acknowledged (40060), by an earlier delivery or another process.
UNANSWERABLE = frozenset({10062, 40060, 10015, 50027})
#: Seconds in which Discord takes one IDENTIFY per rate-limit bucket.
IDENTIFY_WINDOW = 5.0
#: Connections kept open to Discord's API (the gateway's websocket, on its own host, is apart).
CONNECTIONS_PER_HOST = 100
#: Interaction ids remembered to drop a second delivery (tokens live 15 minutes).
SEEN_MAX = 10_000

#: Commands whose reply is normally public, so a deferral ("thinking…") is shown publicly too.
#: Anything else defers privately. A wrong guess is corrected when the reply arrives.
_PUBLIC_GUESS: tuple[type, ...] = (Leaderboard, Setup, Pause, Resume)


def context_for(interaction: discord.Interaction) -> Context:
    """The neutral actor and place of an interaction (``is_admin`` = Manage Server)."""
    user = interaction.user
    name = getattr(user, "display_name", None) or user.name
    channel = interaction.channel_id or (interaction.channel.id if interaction.channel else None)
    return make_context(interaction.guild_id, user.id, name, interaction.permissions, channel)


class ChannelId(app_commands.Transformer):
    """A text-channel option delivered as its id (from the interaction's resolved data,
    so it works whether or not the channel is in the client's cache)."""

    @property
    def type(self) -> AppCommandOptionType:
        return AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[ChannelType]:
        return [ChannelType.text, ChannelType.news]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> int:
        return int(value.id)


class Unanswerable(Exception):
    """Discord refused to take an answer to this interaction (see :data:`UNANSWERABLE`)."""

    def __init__(self, error: discord.HTTPException) -> None:
        super().__init__(f"{error.code} {error.text or error.status}")


def unanswerable(error: BaseException) -> bool:
    return isinstance(error, discord.HTTPException) and error.code in UNANSWERABLE


class StudyBotTree(app_commands.CommandTree):
    """Refuses malformed option values with a private message before a command runs."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.type is not discord.InteractionType.application_command:
            return True
        wrong = problem(interaction)
        if wrong is None:
            return True
        log.info("Discord: refused %s: %s", _describe(interaction, None), wrong)
        await reply_privately(interaction, wrong)
        return False


class StudyBotClient(discord.Client):
    """StudyBot on Discord. No privileged intents: only ``guilds`` (channel cache, guild events);
    slash commands and components arrive as interactions regardless of intents."""

    def __init__(self, service: StudyService, *, sync_guild: int | None = None,
                 guild_ready_timeout: float = 2.0, sync_commands: bool = True, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, guild_ready_timeout=guild_ready_timeout,
                         allowed_mentions=discord.AllowedMentions.none(),
                         # a rate limit over 30 s (the least discord.py accepts) raises instead of
                         # sleeping: the scheduler backs that post off; other channels' posts go on
                         max_ratelimit_timeout=30.0,
                         # nothing of ours reads cached messages or members: do not keep them
                         max_messages=None, member_cache_flags=discord.MemberCacheFlags.none(),
                         chunk_guilds_at_startup=False,
                         # a burst of clicks reuses kept-alive connections instead of opening one
                         # per answer (discord.py's default pool has no limit)
                         connector=aiohttp.TCPConnector(limit=0, limit_per_host=CONNECTIONS_PER_HOST),
                         **options)
        self.service = service
        self.sync_guild = sync_guild
        self.sync_commands = sync_commands
        self.tree = StudyBotTree(self)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self.logged_in = asyncio.Event()
        self.in_flight = 0
        self.idle = asyncio.Event()  # set while no interaction is being worked on
        self.idle.set()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._clicks: set[asyncio.Task[None]] = set()  # answer clicks being worked on
        self.callbacks: CallbackPool | None = None  # answer clicks' responses; None: through discord.py
        register_commands(self)
        take_answer_clicks(self, self._on_click)

    # --- lifecycle -------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton, MenuButton)
        if self.http.proxy is None:  # a proxy: every response goes through discord.py, which uses it
            self.callbacks = CallbackPool(Route.BASE, self.http.user_agent, CONNECTIONS_PER_HOST)
        if self.sync_commands:
            guild = discord.Object(id=self.sync_guild) if self.sync_guild else None
            where = f"guild {self.sync_guild}" if guild else "global"
            if guild is not None:
                self.tree.copy_global_to(guild=guild)
            try:
                changed = await sync_if_changed(self, self.tree, guild)
                log.info("Discord: application commands (%s) %s", where,
                         "registered" if changed else "unchanged; not registered again")
            except discord.HTTPException as e:
                # the commands from the previous sync keep working; say so and serve on
                log.warning("Discord: could not register the application commands (%s): %s %s",
                            where, e.status, e.text or "")
        self.logged_in.set()

    async def close(self) -> None:
        # discord.py 2.7 leaves its "ready" timer running on close; when the client stops within
        # guild_ready_timeout of connecting, the timer then fires into a closed client and
        # logs an error. Cancel it first (it handles CancelledError itself).
        ready_task = getattr(self._connection, "_ready_task", None)
        if ready_task is not None:
            ready_task.cancel()
        if self.callbacks is not None:
            self.callbacks.close()
        await super().close()

    async def on_ready(self) -> None:
        log.info("Discord: connected as %s (%s) in %d server(s)", self.user, getattr(self.user, "id", "?"),
                 len(self.guilds))

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("Discord: error in event %s", event_method)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Answer clicks on components no handler claims (an old bot version's buttons, say):
        discord.py drops them silently, which would show the member "interaction failed"."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        ours = any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in (ActionButton, MenuButton))
        if ours and _on_message(interaction, custom_id):
            return  # discord.py routes it to ActionButton / MenuButton
        if ours:
            # discord.py drops a click whose custom id is not on the message it came from
            # (a forged or stale request): refuse it rather than leave the member hanging
            log.info("Discord: component %r is not on message %s; refused", custom_id,
                     getattr(interaction.message, "id", "?"))
        await reply_privately(interaction, UNKNOWN_BUTTON)

    # --- answering interactions --------------------------------------------------------------

    def _on_click(self, click: Click) -> None:
        task = asyncio.get_running_loop().create_task(self.on_answer_click(click))
        self._clicks.add(task)
        task.add_done_callback(self._clicks.discard)

    async def on_answer_click(self, click: Click) -> None:
        """A click on an answer button or a multi-select submit, straight from the gateway."""
        if not click.on_message:
            # a forged or stale request: refuse it rather than leave the member hanging
            log.info("Discord: component %r is not on message %s; refused", click.custom_id,
                     (click.data.get("message") or {}).get("id", "?"))
        if click.command is None or not click.on_message:
            await reply_privately(click.interaction(), UNKNOWN_BUTTON)
            return
        await self.run_command(click, click.command)

    async def run_command(self, interaction: discord.Interaction | Click, command: Command) -> None:
        """Run one core command for an interaction and answer it (see module docstring)."""
        if self._second_delivery(interaction.id):
            log.warning("Discord: %s was delivered twice; answering it once", _describe(interaction, command))
            return
        self.in_flight += 1
        self.idle.clear()
        started = False
        try:
            deferred_private: bool | None = None
            if ack_budget(interaction.id) <= 0:
                # too late to do the work first: acknowledge, and do nothing if Discord refuses
                deferred_private = await self._defer(_full(interaction), command)
            context = interaction.context if isinstance(interaction, Click) else context_for(interaction)
            started = True
            if deferred_private is None:
                replies, deferred_private = await self._handle_in_budget(interaction, command, context)
            else:
                replies = await self.service.handle(context, command)
            await self.deliver(interaction, list(replies), deferred_private)
        except Exception as e:
            if isinstance(e, Unanswerable) or unanswerable(e):
                self._warn_unanswerable(interaction, command, str(Unanswerable(e) if unanswerable(e) else e),
                                        started)
            else:
                log.exception("Discord: handler failed for %s", _describe(interaction, command))
                await self.apologize(_full(interaction))
        finally:
            self.in_flight -= 1
            if self.in_flight == 0:
                self.idle.set()

    async def _handle_in_budget(self, interaction: discord.Interaction | Click, command: Command,
                                context: Context) -> tuple[list[Reply], bool | None]:
        """The core's replies, and how the interaction was deferred meanwhile (None: it was not) if they
        took longer than its :func:`ack_budget`. A timer, not a task per interaction: cheaper in a burst."""
        loop = asyncio.get_running_loop()
        deferral: asyncio.Task[bool] | None = None

        def defer() -> None:
            nonlocal deferral
            deferral = loop.create_task(self._defer(_full(interaction), command))

        timer = loop.call_later(ack_budget(interaction.id), defer)
        try:
            replies = await self.service.handle(context, command)
        except Exception:
            if deferral is not None:
                await deferral  # a refused deferral is what to report; else the apology follows it
            raise
        finally:
            timer.cancel()
        return replies, (await deferral if deferral is not None else None)

    async def drain(self, seconds: float) -> bool:
        """Wait (at most ``seconds``) for the interactions in flight to be answered. The adapter calls
        this once the gateway is no longer read (no new interactions), before it closes the client."""
        try:
            await asyncio.wait_for(self.idle.wait(), seconds)
        except asyncio.TimeoutError:
            log.warning("Discord: %d interaction(s) still running after %.0f s; closing anyway", self.in_flight, seconds)
            return False
        return True

    async def _defer(self, interaction: discord.Interaction, command: Command) -> bool:
        """Acknowledge with "thinking…", public if the reply usually is; returns whether private.
        A click in a private message (a review, an exam) defers as an update of that message,
        which the reply then replaces or follows."""
        private = not isinstance(command, _PUBLIC_GUESS)
        interaction.extras["deferred_private"] = private
        in_place = _in_private_message(interaction)
        interaction.extras["deferred_update"] = in_place
        try:
            if in_place:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=private, thinking=True)
        except discord.HTTPException as e:
            if unanswerable(e):
                raise Unanswerable(e) from None
            raise
        return private

    def _second_delivery(self, interaction_id: int) -> bool:
        if interaction_id in self._seen:
            return True
        self._seen[interaction_id] = None
        if len(self._seen) > SEEN_MAX:
            self._seen.popitem(last=False)
        return False

    @staticmethod
    def _warn_unanswerable(interaction: discord.Interaction | Click, command: Command, why: str,
                           started: bool) -> None:
        if not started:
            done = "nothing was done; the member can try again"
        elif isinstance(command, Answer):
            done = "the answer was recorded and the member's next click shows it"
        else:
            done = "the command ran but its reply was not shown"
        log.warning("Discord: could not answer %s, %.1f s after it was created (%s): %s",
                    _describe(interaction, command), age(interaction.id), why, done)

    async def deliver(self, interaction: discord.Interaction | Click, replies: list[Reply],
                      deferred_private: bool | None = None) -> None:
        """Send the core's replies: the first answers the interaction, the rest follow up.
        A click's one new message is its response, sent without building discord.py's Interaction."""
        if not replies:
            replies = [say("Done.")]
        if isinstance(interaction, Click):
            if deferred_private is None and len(replies) == 1 and not replies[0].replace and \
                    await interaction.respond(replies[0], self.callbacks):
                return
            interaction = interaction.interaction()
        messages = [m for r in replies for m in render_messages(r)]
        first, rest = messages[0], messages[1:]
        in_place = replies[0].replace and interaction.type is discord.InteractionType.component
        if in_place and not interaction.response.is_done():
            await interaction.response.edit_message(**first.edit())  # the clicked message, updated
        elif interaction.extras.get("deferred_update"):
            if in_place:
                await interaction.edit_original_response(**first.edit())
            else:
                await interaction.followup.send(**first.new())
        elif not interaction.response.is_done():
            await interaction.response.send_message(**first.new())
        elif deferred_private is not None and deferred_private == first.ephemeral:
            await interaction.edit_original_response(**first.edit())
        else:
            # deferred with the other visibility: replace the "thinking" message
            await interaction.delete_original_response()
            await interaction.followup.send(**first.new())
        for r in rest:
            await interaction.followup.send(**r.new())

    async def apologize(self, interaction: discord.Interaction) -> None:
        """A short private apology, however far the interaction got."""
        try:
            if not interaction.response.is_done():
                await interaction.response.send_message(APOLOGY, ephemeral=True)
                return
            if interaction.extras.get("deferred_private") is False:
                # a public "thinking…" message would turn into a public apology: remove it first
                with contextlib.suppress(discord.HTTPException):
                    await interaction.delete_original_response()
            await interaction.followup.send(APOLOGY, ephemeral=True)
        except discord.HTTPException as e:
            log.warning("Discord: could not send the apology for interaction %s: %s %s", interaction.id,
                        e.code or e.status, e.text or "")

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            # Discord still offers a command this version does not have (or has changed):
            # an expected state until the commands are registered again, not a bug here
            log.warning("Discord: %s is not a command of this version (%s)", _describe(interaction, None),
                        error.__class__.__name__)
        else:
            log.error("Discord: command %s failed", _describe(interaction, None), exc_info=error)
        await self.apologize(interaction)

    async def on_action_component(self, interaction: discord.Interaction, custom_id: str) -> None:
        """A click on a command button: the words it carries run as if the member typed them."""
        text = codec.decode_action(custom_id)
        command = parse(text, prefix="/") if text is not None else None
        if command is None or isinstance(command, ParseError):
            await reply_privately(interaction, UNKNOWN_BUTTON)
            return
        await self.run_command(interaction, command)


    async def on_menu_component(self, interaction: discord.Interaction, custom_id: str) -> None:
        """A click on a menu button: "⚑ Report" (the core asks why) or one of the reasons."""
        pick = codec.decode_report(custom_id)
        if pick is None:
            await reply_privately(interaction, UNKNOWN_BUTTON)
            return
        await self.run_command(interaction, Report(pick.reason, pick.quiz_id))


def _in_private_message(interaction: discord.Interaction) -> bool:
    message = interaction.message
    return interaction.type is discord.InteractionType.component and message is not None and \
        bool(message.flags.ephemeral)


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """A private message as the interaction's response; a refused one is a WARNING line."""
    try:
        await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as e:
        log.warning("Discord: could not answer interaction %s: %s %s", interaction.id, e.code or e.status,
                    e.text or "")


def _on_message(interaction: discord.Interaction, custom_id: str) -> bool:
    """Whether the clicked message carries a component with this custom id."""
    message = interaction.message
    if message is None:
        return False
    return any(getattr(child, "custom_id", None) == custom_id
               for row in message.components for child in getattr(row, "children", [row]))


class ShardedStudyBotClient(StudyBotClient, discord.AutoShardedClient):
    """StudyBot on some of the bot's shards (``shard_ids`` of ``shard_count``), so one token runs
    across processes: each process receives the gateway events (interactions) of its shards'
    servers only. Posting is REST and needs no shard, so any process posts for any server."""

    def __init__(self, service: StudyService, *, shard_ids: list[int], shard_count: int, **options: Any) -> None:
        super().__init__(service, shard_ids=shard_ids, shard_count=shard_count, **options)
        self._max_concurrency: int | None = None
        self._identified: dict[int, float] = {}  # rate-limit bucket -> when it last identified

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Discord takes ``max_concurrency`` IDENTIFYs per :data:`IDENTIFY_WINDOW` (one per bucket
        ``shard_id % max_concurrency``); discord.py's default waits 5 s before every shard but the
        first whatever the bot's limit. Wait only as long as this shard's bucket needs."""
        if self._max_concurrency is None:
            try:
                self._max_concurrency = max(1, (await self.fetch_session_start_limits()).max_concurrency)
            except discord.HTTPException as e:
                log.warning("Discord: could not read the session start limits (%s); identifying one shard "
                            "per %.0f s", e.status, IDENTIFY_WINDOW)
                self._max_concurrency = 1
        bucket = (shard_id or 0) % self._max_concurrency
        last = self._identified.get(bucket)
        if last is not None:
            await asyncio.sleep(max(0.0, last + IDENTIFY_WINDOW - time.monotonic()))
        self._identified[bucket] = time.monotonic()


def ack_budget(interaction_id: int) -> float:
    """Seconds left to wait for the core before deferring: ACK_BUDGET from the interaction's
    creation. A clock behind Discord's only makes us wait up to ACK_BUDGET, never longer."""
    return min(ACK_BUDGET, max(0.0, ACK_BUDGET - max(0.0, age(interaction_id))))


def _full(interaction: discord.Interaction | Click) -> discord.Interaction:
    return interaction.interaction() if isinstance(interaction, Click) else interaction


def _describe(interaction: discord.Interaction | Click, command: Command | None) -> str:
    if isinstance(interaction, Click):
        return f"{command.__class__.__name__} (interaction {interaction.id}, user {interaction.user_id}, " \
               f"guild {interaction.guild_id})"
    if command is not None:
        what = command.__class__.__name__
    else:
        what = "/" + str((interaction.data or {}).get("name") or getattr(interaction.command, "qualified_name", "?"))
    return f"{what} (interaction {interaction.id}, user {interaction.user.id}, guild {interaction.guild_id})"


# --- slash commands -------------------------------------------------------------------------


def register_commands(client: StudyBotClient) -> None:
    tree, service = client.tree, client.service

    async def objective_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            found = service.suggest_objectives(current or "", limit=CHOICES_MAX)
        except Exception:
            log.exception("Discord: objective autocomplete failed for %r", current)
            return []
        return [app_commands.Choice(name=choice_name(f"{oid} {title}"), value=choice_value(oid))
                for oid, title in list(found)[:CHOICES_MAX]]

    async def timezone_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            found = service.suggest_timezones(current or "", limit=CHOICES_MAX)
        except Exception:
            log.exception("Discord: timezone autocomplete failed for %r", current)
            return []
        return [app_commands.Choice(name=choice_name(tz), value=choice_value(tz)) for tz in list(found)[:CHOICES_MAX]]

    try:
        domains = [app_commands.Choice(name=choice_name(title), value=choice_value(str(did)))
                   for did, title in service.domain_choices()][:CHOICES_MAX]
    except Exception:
        log.exception("Discord: could not read the exam domains; /objectives takes free text")
        domains = []

    @tree.command(name="quiz", description="Get a private practice question")
    @app_commands.guild_only()
    async def quiz(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Practice())

    @tree.command(name="leaderboard", description="Show the study group's leaderboard")
    @app_commands.describe(period="All-time, this week or last week (default: all-time)")
    @app_commands.guild_only()
    async def leaderboard(interaction: discord.Interaction,
                          period: Literal["all", "week", "last-week"] = "all") -> None:
        await client.run_command(interaction, Leaderboard(period))

    @tree.command(name="objective", description="Look up a DP-100 exam objective and its docs")
    @app_commands.describe(query="What you are looking for, e.g. hyperparameter tuning")
    @app_commands.autocomplete(query=objective_names)
    @app_commands.guild_only()
    async def objective(interaction: discord.Interaction, query: app_commands.Range[str, 1, 100]) -> None:
        await client.run_command(interaction, Lookup(query))

    if domains:
        @tree.command(name="objectives", description="List the exam objectives, optionally of one domain")
        @app_commands.describe(domain="The exam domain")
        @app_commands.choices(domain=domains)
        @app_commands.guild_only()
        async def objectives(interaction: discord.Interaction, domain: str | None = None) -> None:
            await client.run_command(interaction, ListObjectives(domain))
    else:
        @tree.command(name="objectives", description="List the exam objectives, optionally of one domain")
        @app_commands.describe(domain="The exam domain number or words of its title")
        @app_commands.guild_only()
        async def objectives(interaction: discord.Interaction, domain: str | None = None) -> None:
            await client.run_command(interaction, ListObjectives(domain))

    @tree.command(name="today", description="Today's objective and quiz")
    @app_commands.guild_only()
    async def today(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Today())

    @tree.command(name="stats", description="Your progress, streak and rank")
    @app_commands.guild_only()
    async def stats(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Stats())

    @tree.command(name="review", description="Your questions due for spaced review, one at a time (private)")
    @app_commands.guild_only()
    async def review(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Review())

    @tree.command(name="readiness", description="Your predicted exam score per domain, and what to study next")
    @app_commands.guild_only()
    async def readiness(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Readiness())

    @tree.command(name="exam", description="A timed private mock exam (2 minutes a question), or your current one")
    @app_commands.describe(questions="How many questions, 10-60 (default 40); leave out to see a running exam",
                           history="List your past mock exams instead")
    @app_commands.guild_only()
    async def exam(interaction: discord.Interaction, questions: app_commands.Range[int, 10, 60] | None = None,
                   history: bool = False) -> None:
        await client.run_command(interaction, MockExam(questions=questions, history=history))

    @tree.command(name="help", description="What StudyBot can do")
    async def help_(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Help())

    admin = app_commands.Group(
        name="studybot", description="Set up and run the daily study post (Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True), guild_only=True,
    )

    @admin.command(name="setup", description="Post the daily objective and quiz in a channel at a local time")
    @app_commands.describe(channel="Where to post", time="Local time of the daily post, HH:MM (24-hour)",
                           timezone="IANA time zone, e.g. Europe/Berlin (default UTC)",
                           hours_open="How long each quiz stays open (default: until the next post)")
    @app_commands.autocomplete(timezone=timezone_names)
    async def setup(interaction: discord.Interaction,
                    channel: app_commands.Transform[int, ChannelId],
                    time: app_commands.Range[str, 3, 5],
                    timezone: app_commands.Range[str, 1, 64] = "UTC",
                    hours_open: app_commands.Range[int, 1, 168] | None = None) -> None:
        await client.run_command(interaction, Setup(time=time, timezone=timezone, channel=str(channel),
                                                    open_hours=hours_open))

    @admin.command(name="pause", description="Pause the daily post")
    async def pause(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Pause())

    @admin.command(name="resume", description="Resume the daily post")
    async def resume(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Resume())

    @admin.command(name="post-now", description="Post today's objective and quiz right now")
    async def post_now(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, PostNow())

    @admin.command(name="readiness", description="The group's weakest objectives and members' readiness (no names)")
    async def group_readiness(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Readiness(group=True))

    @admin.command(name="status", description="Show this group's schedule and state")
    async def status(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Status())

    @admin.command(name="report", description="Questions flagged by the group's answers or reported by members")
    async def report(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, Reports())

    @admin.command(name="admins", description="List, add or remove members who may run these commands")
    @app_commands.describe(add="Let this member run /studybot commands", remove="Take that right away again")
    async def admins(interaction: discord.Interaction, add: discord.User | None = None,
                     remove: discord.User | None = None) -> None:
        await client.run_command(interaction, Admins(
            add=(str(add.id),) if add else (), remove=(str(remove.id),) if remove else ()))

    tree.add_command(admin)
