"""Study in a terminal: type the bot's commands, answer with letters, play several members.

``/as alice`` switches the member you play, so one person can try a group of several;
the first member, ``you``, is the group's admin. Lines may come from a pipe too, which
makes the chat scriptable: ``printf '/post-now\\na\\n/leaderboard\\n' | studybot chat``.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from typing import TextIO

from adapters.terminal.render import Style, render
from bot import codec
from bot.commands import Answer, Context, Member, Place, PostNow, Setup, Today
from bot.config import Settings
from bot.replies import Reply
from bot.service import StudyService

PLATFORM = "terminal"
WORKSPACE = "local"
CHANNEL = "study-group"
_AS = re.compile(r"/as(?:\s+(.*))?", re.S)
_LETTERS = re.compile(r"^(?:/?answer\s+)?([a-fA-F]{1,6}|[1-6]{1,6})$")

WELCOME = """\
StudyBot · DP-100 study group in your terminal
Type /help for the commands, a letter to answer the latest question, /as NAME to play
another member, /quit to leave. Your answers are kept in {db}.
"""


class TerminalAdapter:
    platform = PLATFORM

    def __init__(self, settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.settings = settings
        self.stdin = stdin or sys.stdin
        if hasattr(self.stdin, "reconfigure"):  # a line that is not UTF-8 must not end the chat
            self.stdin.reconfigure(errors="replace")
        self.stdout = stdout or sys.stdout
        self.style = Style(color=self.stdout.isatty())
        self.place = Place(PLATFORM, WORKSPACE, CHANNEL)
        self.member = Member(PLATFORM, WORKSPACE, "you", "you", is_admin=True)
        self.last_quiz: tuple[int, int] | None = None  # (quiz id, how many picks)
        self._messages = 0

    # --- Poster: the channel is this terminal --------------------------------------------------

    async def post(self, place: Place, reply: Reply, *, key: str | None = None) -> str:
        self._messages += 1
        self._show(reply, where=f"#{place.channel} · message {self._messages}")
        return str(self._messages)

    async def find(self, place: Place, key: str) -> str | None:
        return None  # a terminal post cannot get lost on the way

    async def update(self, place: Place, message_ref: str, reply: Reply) -> None:
        self._show(reply, where=f"#{place.channel} · message {message_ref} was updated")

    async def check(self, place: Place, notice: Reply) -> None:
        """Any channel name works in the terminal; setup's own reply says the rest."""

    # --- the chat ----------------------------------------------------------------------------------

    async def run(self, service: StudyService) -> None:
        service.attach(PLATFORM, self)
        self._print(WELCOME.format(db=self.settings.database_url.split(":///")[-1]))
        await self._first_visit(service)
        lines = self._read_lines()
        while True:
            self._prompt()
            line = await lines.get()
            if isinstance(line, Exception):  # stdin broke: the chat stops with that error
                raise line
            if not line:
                return
            line = line.strip()
            if line in ("/quit", "/exit", "quit", "exit"):
                return
            if line:
                # a line read is in hand: when the chat is stopped (SIGTERM, Ctrl-C) it still finishes
                work = asyncio.ensure_future(self.handle(service, line))
                try:
                    await asyncio.shield(work)
                except asyncio.CancelledError:
                    await work
                    raise

    def _read_lines(self) -> asyncio.Queue[str | Exception]:
        """Lines from stdin ("" at its end, or the error reading it), read by a daemon thread:
        a process stopping while the chat waits for input must not wait for a line that may never come."""
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | Exception] = asyncio.Queue()

        def read() -> None:
            while True:
                try:
                    line: str | Exception = self.stdin.readline()
                except Exception as e:  # noqa: BLE001 - handed to the chat, which stops with it
                    line = e
                try:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                except RuntimeError:  # the chat has stopped and its loop is closed
                    return
                if not isinstance(line, str) or not line:
                    return

        threading.Thread(target=read, name="terminal-stdin", daemon=True).start()
        return lines

    async def _first_visit(self, service: StudyService) -> None:
        """Set up the local group on first run and post today's quiz, so there is something to do;
        later, show today's objective (and its quiz, if you haven't answered it yet)."""
        ctx = self._ctx()
        if not await service.has_group(self.place):
            await service.handle(ctx, Setup(time="09:00", timezone="UTC"))
            self._print("Your local study group gets a new objective and quiz every day at 09:00 UTC "
                        "(`/studybot setup HH:MM Area/City` changes that). Here is today's:\n")
            await service.handle(ctx, PostNow())
        else:
            for reply in await service.handle(ctx, Today()):
                self._show(reply)

    async def handle(self, service: StudyService, line: str) -> None:
        if switch := _AS.fullmatch(line):
            name = (switch.group(1) or "").strip()
            if not re.fullmatch(r"[\w.-]{1,32}", name):
                self._print("Usage: /as NAME (letters, digits, . _ -), e.g. /as alice")
                return
            self.member = Member(PLATFORM, WORKSPACE, name.lower(), name, is_admin=name.lower() == "you")
            self._print(f"You are now {name}{' (admin)' if self.member.is_admin else ''}.")
            return
        if m := _LETTERS.match(line):
            if self.last_quiz is None:
                self._print("There is no question to answer yet: try /quiz or /today.")
                return
            quiz_id, _pick = self.last_quiz
            raw = m.group(1).lower()
            positions = {ord(c) - ord("a") if c.isalpha() else int(c) - 1 for c in raw}
            replies = await service.handle(self._ctx(), Answer(quiz_id, frozenset(positions)))
        else:
            replies = await service.handle_text(self._ctx(), line)
        for reply in replies:
            self._show(reply)

    def _ctx(self) -> Context:
        return Context(self.member, self.place, prefix="/")

    def _show(self, reply: Reply, where: str = "") -> None:
        for card in reply.cards:
            if card.choices and not card.closed:
                pick = codec.decode(card.choices[0].id)
                if pick is not None:
                    self.last_quiz = (pick.quiz_id, card.pick)
        self._print(render(reply, self.style, where) + "\n")

    def _prompt(self) -> None:
        if self.stdin.isatty():
            self.stdout.write(self.style.bold(f"{self.member.name}> "))
            self.stdout.flush()

    def _print(self, text: str) -> None:
        self.stdout.write(text + ("\n" if not text.endswith("\n") else ""))
        self.stdout.flush()
