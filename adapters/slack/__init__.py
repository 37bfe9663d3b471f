"""Slack adapter: slack-bolt AsyncApp (slash command, Block Kit quiz, App Home), Socket Mode or HTTP."""

from .adapter import SlackAdapter
from .app import COMMAND, PREFIX, SlackBot
from .poster import SlackPoster
from .render import render, render_home

__all__ = ["COMMAND", "PREFIX", "SlackAdapter", "SlackBot", "SlackPoster", "render", "render_home"]
