"""Fault injection shared by the platform fakes: fail, lose, drop or slow down chosen requests.

A test arms a :class:`Fault` on a fake (``fake.faults.add(...)``) for the requests it
matches; the fake consults :meth:`Faults.take` for every request. The kinds follow what
real platforms do:

- ``error``: answer with ``status`` and ``body`` (and ``headers``, e.g. ``Retry-After``)
  without doing the work, as a 403/404/429/5xx does;
- ``lost``: do the work (the message is stored), then answer with ``status``/``body``:
  the platform stored the post but the answer says it failed (a 5xx from a proxy);
- ``drop``: do the work, then close the connection without an answer (a connection
  reset after the platform stored the message);
- ``drop_before``: close the connection without doing the work;
- ``hang``: do the work, then wait ``delay`` seconds before answering normally (the bot
  may be killed in between: the platform accepted a post whose id the bot never saved);
- any other kind can add ``delay`` seconds before the fake answers (a slow call);
  ``kind="slow"`` only delays and then answers normally.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

Kind = Literal["error", "lost", "drop", "drop_before", "slow", "hang"]


@dataclass
class Fault:
    kind: Kind = "error"
    status: int = 500
    body: Any = None  # JSON body of the error answer (the fake fills in its platform's default)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int | None = 1  # None: every matching request, until cleared


@dataclass
class _Rule:
    method: str  # "*" for any
    match: Callable[[str], bool]
    fault: Fault
    remaining: int | None


class Faults:
    """The armed faults of one fake, consulted in the order they were added."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self.fired: list[tuple[str, str, Fault]] = []  # (method, path, fault) for every fault applied

    def add(self, method: str, path: str | Callable[[str], bool], fault: Fault | None = None, **kw: Any) -> Fault:
        """Arm ``fault`` (or ``Fault(**kw)``) for requests of ``method`` (``"*"``: any) whose path
        contains ``path`` (or for which the callable is true)."""
        fault = fault or Fault(**kw)
        match = path if callable(path) else (lambda p, s=path: s in p)
        self._rules.append(_Rule(method.upper(), match, fault, fault.times))
        return fault

    def clear(self) -> None:
        self._rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        for rule in self._rules:
            if rule.method not in ("*", method.upper()) or not rule.match(path):
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
            self.fired.append((method.upper(), path, rule.fault))
            return rule.fault
        return None


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an HTTP answer (the client sees a disconnect)."""
    if request.transport is not None:
        request.transport.close()
    raise ConnectionResetError("fault: connection dropped")


async def apply(
    fault: Fault | None,
    request: web.Request,
    handler: Callable[[], Awaitable[web.StreamResponse]],
    error: Callable[[Fault], web.StreamResponse],
) -> web.StreamResponse:
    """Serve ``request`` through ``handler`` as ``fault`` says; ``error`` renders an error answer."""
    if fault is None:
        return await handler()
    if fault.kind == "hang":
        response = await handler()
        await asyncio.sleep(fault.delay)
        return response
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.kind == "slow":
        return await handler()
    if fault.kind == "drop_before":
        return _drop(request)
    if fault.kind == "error":
        return error(fault)
    await handler()  # the platform did the work...
    if fault.kind == "drop":
        return _drop(request)
    return error(fault)  # ...and the answer says it failed
