"""SIGTERM and SIGINT stop the terminal chat cleanly: logged, exit 0, nothing left hanging
(the chat waits on an open stdin; the process must not wait for a line that never comes)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time

import pytest

from tests.test_terminal import TOKENS


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_waiting_chat_with_a_log_line_and_exit_0(tmp_path, sig):
    env = {k: v for k, v in os.environ.items() if k not in TOKENS} | {"STUDYBOT_DB": str(tmp_path / "s.db")}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    try:
        # the first visit has posted today's quiz: the chat now waits for a line on its (open) stdin
        seen, deadline = "", time.monotonic() + 60
        while "Daily quiz ·" not in seen:
            assert time.monotonic() < deadline, seen
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if ready:
                seen += os.read(proc.stdout.fileno(), 65536).decode()
        proc.send_signal(sig)
        rc = proc.wait(timeout=15)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc == 0, err
    assert f"{sig.name} received: stopping" in err and f"stopped after {sig.name}" in err, err
    assert "Traceback" not in err
