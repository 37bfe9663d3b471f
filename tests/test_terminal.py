"""The terminal chat and the CLI, run as a newcomer would: a real process, commands piped in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TOKENS = ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL")


def studybot(*args: str, stdin: str = "", db: Path | None = None, env: dict[str, str] | None = None):
    environment = {k: v for k, v in os.environ.items() if k not in TOKENS}
    if db is not None:
        environment["STUDYBOT_DB"] = str(db)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
        env=environment, timeout=120,
    )


def _letters(out: str) -> tuple[str, str, str]:
    """Two different answers and a third, sized for the quiz on screen ("choose 2" or one letter)."""
    if "(type 2 letters" in out:
        return "ab", "cd", "/answer ac"
    return "a", "b", "/answer c"


def test_run_without_tokens_is_the_terminal_chat_and_it_can_be_scripted(tmp_path):
    db = tmp_path / "chat.db"
    first = studybot("run", stdin="", db=db)  # the first visit sets up the group and posts today's quiz
    assert first.returncode == 0, first.stderr
    assert "StudyBot · DP-100 study group in your terminal" in first.stdout
    assert "Daily quiz ·" in first.stdout and "(type" in first.stdout
    one, two, three = _letters(first.stdout)
    script = "\n".join([
        one, two, "/as alice", three, "/leaderboard", "/leaderboard week",
        "/objective bandit policy", "/objectives 4", "/stats", "/quiz", "2", "12", "/post-now",
        "/as you", "/studybot status", "/frobnicate", "/leaderboard forever", "/as", "",
    ])
    result = studybot("run", stdin=script, db=db)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "haven't answered today's quiz yet: here it is" in out  # a restart shows the open quiz again
    # the second daily answer changes nothing and says what counted
    assert f"You chose {', '.join(one.upper())}. Only your first answer counts" in out
    assert "You are now alice." in out
    assert "Leaderboard · all time" in out and "Leaderboard · week of" in out
    assert "Define early termination options" in out  # the lookup
    assert "https://docs.microsoft.com/en-us/azure/machine-learning/how-to-tune-hyperparameters#early-termination" in out
    assert "Describe principles of differential privacy" in out  # /objectives 4
    assert "Progress · alice" in out
    # a bar per exam domain: alice answered in one or two domains, and has not started the others
    assert re.search(r"[█░]{10} \d+% \(\d+/\d+\)", out) and "░░░░░░░░░░  —" in out
    # "2" answers a one-pick practice question; a "choose two" one refuses it and takes "12"
    assert "Practice question" in out and out.count("Practice: counts toward /stats.") == 1
    assert "Only admins" in out  # alice may not post-now
    assert "StudyBot status" in out and "Channel: #study-group" in out  # "you" is the local admin
    assert "I don't know the command `frobnicate`" in out
    assert "Usage: `/leaderboard [week|last-week]`" in out
    assert "Usage: /as NAME" in out
    assert db.is_file()
    # answers survive the process: a second session sees the first one's answer
    again = studybot("chat", stdin="/today\n", db=db)
    assert "You answered today's quiz" in again.stdout


def _commands(parser, path=()):
    """Every (path, one-line help, sub-parser) below ``parser``, however deep."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), helps.get(name), sub
                yield from _commands(sub, (*path, name))


def test_help_explains_every_subcommand():
    """Each command is listed with a line of help by its parent, and its own --help says what it does."""
    from bot.cli import build_parser

    commands = list(_commands(build_parser()))
    assert {" ".join(p) for p, _, _ in commands} >= {"run", "chat", "content check", "db upgrade", "discord invite-url"}
    for path, summary, sub in commands:
        assert summary, f"`studybot {' '.join(path)}` has no help line"
        parent = studybot(*path[:-1], "--help")
        assert parent.returncode == 0, path
        words = " ".join(parent.stdout.split())
        assert f" {path[-1]} {' '.join(summary.split())}" in words, (path, parent.stdout)
        if not sub._subparsers:  # a command that runs: it describes itself and every option
            own = studybot(*path, "--help")
            assert own.returncode == 0 and sub.description, path
            assert " ".join(sub.description.split()) in " ".join(own.stdout.split()), path
            for action in sub._actions:
                assert action.help, (path, action.dest)


def test_db_upgrade_creates_then_reports_current(tmp_path):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.store.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    db = tmp_path / "s.db"
    from bot.store.db import _head

    head = _head()  # the newest revision, whichever helper added it
    first = studybot("db", "upgrade", db=db)
    assert first.returncode == 0 and f"new -> {head}" in first.stdout
    second = studybot("db", "upgrade", db=db)
    assert f"is current ({head})" in second.stdout


def test_the_bot_refuses_to_start_on_a_broken_pack(tmp_path, content_path):
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(content_path, pack)
    (pack / "questions" / "bad.yaml").write_text("questions:\n  - id: x\n", encoding="utf-8")
    aliases = pack / "aliases.yaml"
    key_line = len(aliases.read_text(encoding="utf-8").splitlines()) + 1
    with aliases.open("a", encoding="utf-8") as f:
        f.write('[a, b]: ["a list is no key"]\n')
    list_key = f"aliases.yaml:{key_line}: not valid YAML: a key must be text or a number, not a list"
    result = studybot("run", stdin="", db=tmp_path / "s.db", env={"STUDYBOT_CONTENT": str(pack)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "StudyBot cannot start" in result.stderr and "bad.yaml:2: question x has no `objective`" in result.stderr
    assert list_key in result.stderr
    check = studybot("content", "check", str(pack))
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert "bad.yaml:2" in check.stdout and list_key in check.stdout


@pytest.mark.parametrize("module", ["bot.service", "bot.cli", "bot.schedule.clock", "bot.study.quiz", "bot.content.check"])
def test_the_core_imports_no_platform_library(module):
    code = (
        f"import sys, {module}; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('discord', 'slack_bolt', 'slack_sdk', 'adapters')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readmes_test_command_exactly():
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8").splitlines()
    fence = readme.index("```sh")
    install_and_run, install_and_test = readme[fence + 1], readme[fence + 2]
    assert install_and_run.endswith("studybot run") and "pip install -e ." in install_and_run
    assert install_and_test.endswith("pytest") and '".[test]"' in install_and_test
    assert install_and_test in (root / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_a_half_configured_slack_says_so_and_falls_back_to_the_terminal(tmp_path):
    result = studybot("run", stdin="", db=tmp_path / "s.db", env={"SLACK_BOT_TOKEN": "xoxb-not-a-real-token"})
    assert result.returncode == 0
    assert "neither SLACK_APP_TOKEN" in result.stderr and "xoxb-not-a-real-token" not in result.stderr
    assert "StudyBot · DP-100 study group in your terminal" in result.stdout


def test_report_the_last_question_from_the_terminal_and_read_the_report(tmp_path):
    db = tmp_path / "chat.db"
    first = studybot("chat", stdin="/report typo\n", db=db)
    assert "once you have answered it" in first.stdout  # nothing answered yet
    one, _two, _three = _letters(first.stdout)
    result = studybot("chat", stdin=f"{one}\n/report typo\n/report typo\n/report\n", db=db)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "⚑ Report: type /report wrong|unclear|outdated|typo" in out  # on the answer's feedback
    assert "Reported as “Typo”" in out and "already reported this question (“Typo”)" in out
    assert "Question report" in out and "Reports: Typo ×1" in out


def test_bad_lines_get_a_message_and_the_rest_of_the_pipe_is_read(tmp_path):
    """Each of these once ended the chat silently (rc 0), leaving the lines after it unread."""
    lines = [
        "/setup 09:00 UTC ²".encode(),
        b"/setup 09:00 Europe/" + b"x" * 300,
        b"/setup #\xff\xfe 09:00 UTC",
        b"/setup #" + b"c" * 70 + b" 09:00 UTC",
        b"/assistant",
        b"/as alice",
        b"/setup 09:00 Nowhere/" + b"y" * 300,  # alice may not set up: she hears that, not the zone
        b"/help",
    ]
    environment = {k: v for k, v in os.environ.items() if k not in TOKENS} | {"STUDYBOT_DB": str(tmp_path / "s.db")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input=b"\n".join(lines) + b"\n",
                            capture_output=True, env=environment, timeout=120)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "Traceback" not in err
    assert "Usage: `/setup [#channel] HH:MM [Area/City] [hours-open]`" in out
    assert "is not a time zone I know" in out and "x" * 60 not in out
    assert "“\ufffd\ufffd” is not a channel I can post in" in out
    assert "“" + "c" * 39 + "…” is not a channel I can post in" in out
    assert "I don't know the command `assistant`" in out and "You are now sistant" not in out
    assert "You are now alice." in out and "Only admins can set up StudyBot." in out
    assert out.index("StudyBot commands") > out.index("Only admins can set up")  # the last line, /help, was answered


def test_the_chat_stops_with_an_error_and_rc_1_when_its_input_breaks(tmp_path):
    """A terminal task that dies is reported, never a silent exit 0."""
    environment = {k: v for k, v in os.environ.items() if k not in TOKENS} | {"STUDYBOT_DB": str(tmp_path / "s.db")}
    unreadable = os.open(tmp_path / "input", os.O_WRONLY | os.O_CREAT)  # reading it fails with EBADF
    try:
        result = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], stdin=unreadable,
                                capture_output=True, text=True, env=environment, timeout=120)
    finally:
        os.close(unreadable)
    assert result.returncode == 1
    assert "StudyBot stopped on an error: OSError: [Errno 9] Bad file descriptor" in result.stderr


def test_a_mock_exam_and_a_review_run_in_line(tmp_path):
    from tests.e2e.discord.pack import build_pack

    pack = build_pack(tmp_path / "pack")  # one single-answer question per objective
    script = "/exam 10\n" + "a\n" * 10 + "/exam history\n/review\n/review new\nb\n/readiness\n"
    chat = studybot("chat", stdin=script, db=tmp_path / "s.db", env={"STUDYBOT_CONTENT": str(pack)})
    assert chat.returncode == 0, chat.stderr
    out = chat.stdout
    assert all(f"Mock exam · question {n} of 10" in out for n in range(1, 11))
    assert re.search(r"Mock exam · \d+ / 1000 · ", out) and "Time used" in out and "Missed 1 · " in out
    assert "Mock exam history" in out and "[Next] type /review" in out and "Predicted score:" in out
