"""The bot as its own process for shutdown tests: ``studybot run --slack-http``'s serving path
(bot.cli.serve) with the Web API pointed at the fake Slack (FAKE_SLACK_URL) and an ephemeral
port (logged as "listening on 127.0.0.1:<port>"). Settings come from the environment as usual."""

from __future__ import annotations

import logging
import os
import sys

from adapters.slack import SlackAdapter
from bot.cli import run_loop, serve
from bot.config import Settings


def main() -> int:
    settings = Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    adapter = SlackAdapter(settings, http=True, base_url=os.environ["FAKE_SLACK_URL"], port=0, host="127.0.0.1")
    return run_loop(serve(settings, [adapter], until_first_exits=False))


if __name__ == "__main__":
    raise SystemExit(main())
