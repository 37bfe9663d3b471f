"""The local chat: the same commands typed in a terminal (or piped in), rendered as text."""

from adapters.terminal.chat import TerminalAdapter

__all__ = ["TerminalAdapter"]
