"""Interaction responses of answer clicks: plain HTTP/1.1 POSTs on a bounded pool of kept-alive
connections to Discord's API host.

In a burst every click's acknowledgement waits for the CPU spent on the clicks before it, and
aiohttp's client spent some 100-140 us of it per request (building the request and response objects,
timers, header multidicts); writing the request's bytes and reading the status line takes about
25 us. An interaction response needs no more: its body is JSON, Discord answers 204 with no body,
or an error with a short JSON body.

Only that is handled here. Anything else, a request that may not have reached Discord or that
Discord asks to send again (its connection failed or closed before the answer came, a rate limit, a
server error), is :class:`Resend`: the caller hands it to discord.py, which retries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

#: Seconds to wait for Discord's answer before giving the request up (aiohttp's default was 300).
TIMEOUT = 30.0
_NO_BODY = frozenset({204, 304})


class Resend(Exception):
    """The request may not have been acted on, or Discord asks for it again: hand it to discord.py."""


@dataclass(frozen=True, slots=True)
class Response:
    """Discord's answer; ``status`` and ``reason`` are what discord.HTTPException reads from a response."""

    status: int
    reason: str
    content_type: str
    body: bytes


class _Connection(asyncio.Protocol):
    """One kept-alive connection that carries one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.expired = False  # closed because Discord did not answer in time
        self._buffer = bytearray()
        self._waiter: asyncio.Future[Response] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._waiter is None:  # nothing asked for: a server that talks out of turn is not reused
            self.close()
            return
        try:
            parsed = _parse(self._buffer)
        except ValueError:
            self.close()
            return
        if parsed is not None:
            response, end, keep_alive = parsed
            del self._buffer[:end]
            self._answer(response)  # before any close, which would answer Resend
            if not keep_alive or self._buffer:
                self.close()

    def eof_received(self) -> bool:
        self.close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._answer(None)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()
        self._answer(None)

    def expire(self) -> None:
        self.expired = True
        self.abort()

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        self._answer(None)

    async def request(self, data: bytes) -> Response:
        assert self.transport is not None and self._waiter is None
        self._waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self._waiter

    def _answer(self, response: Response | None) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            if response is None:
                waiter.set_exception(Resend("the connection closed before Discord answered"))
            else:
                waiter.set_result(response)


def _parse(buffer: bytearray) -> tuple[Response, int, bool] | None:
    """A complete response at the start of ``buffer``: (response, its length, whether the connection
    stays open); None while incomplete. ValueError for what this does not read (bodies to EOF)."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    lines = bytes(buffer[:head_end]).decode("latin-1").split("\r\n")
    version, status, reason = (lines[0].split(" ", 2) + [""])[:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    code = int(status)
    keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    start = head_end + 4
    if code in _NO_BODY:
        body, end = b"", start
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        chunked = _chunked(buffer, start)
        if chunked is None:
            return None
        body, end = chunked
    elif "content-length" in headers:
        end = start + int(headers["content-length"])
        if len(buffer) < end:
            return None
        body = bytes(buffer[start:end])
    else:
        raise ValueError("a response body that runs to the end of the connection")
    return Response(code, reason, headers.get("content-type", ""), body), end, keep_alive


def _chunked(buffer: bytearray, at: int) -> tuple[bytes, int] | None:
    """The body of a chunked response starting at ``at``, and where it ends; None while incomplete."""
    body = bytearray()
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";")[0], 16)
        at = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", at - 2)
            return (bytes(body), trailer_end + 4) if trailer_end >= 0 else None
        if len(buffer) < at + size + 2:
            return None
        body += buffer[at:at + size]
        at += size + 2


class CallbackPool:
    """At most ``limit`` connections to the API host of ``base`` (discord.py's ``Route.BASE``);
    a request beyond them waits for one to be free. An https ``base`` is verified with ``ssl_context``,
    by default the system's trusted certificates."""

    def __init__(self, base: str, user_agent: str, limit: int, ssl_context: ssl.SSLContext | None = None) -> None:
        url = urlsplit(base)
        if url.hostname is None:
            raise ValueError(f"no host in {base!r}")
        self.host = url.hostname
        self.ssl = (ssl_context or ssl.create_default_context()) if url.scheme == "https" else None
        self.port = url.port or (443 if self.ssl else 80)
        self.prefix = url.path.rstrip("/")
        default_port = self.port == (443 if self.ssl else 80)
        host = self.host if default_port else f"{self.host}:{self.port}"
        self._head = (f"Host: {host}\r\nUser-Agent: {user_agent}\r\nContent-Type: application/json\r\n"
                      "Content-Length: ").encode()
        self.limit = limit
        self._idle: list[_Connection] = []
        self._open = 0  # connections open or being opened
        self._waiting: deque[asyncio.Future[_Connection | None]] = deque()

    async def post_callback(self, interaction_id: int, token: str, body: bytes) -> Response:
        """POST ``body`` as the response of interaction ``interaction_id``. Raises :class:`Resend`
        (see the module docstring), OSError when no connection can be opened, TimeoutError."""
        path = f"{self.prefix}/interactions/{interaction_id}/{quote(token, safe='')}/callback"
        data = b"POST %s HTTP/1.1\r\n%s%d\r\n\r\n%s" % (path.encode(), self._head, len(body), body)
        connection = await self._acquire()
        timer = asyncio.get_running_loop().call_later(TIMEOUT, connection.expire)
        try:
            response = await connection.request(data)
        except BaseException:
            connection.abort()  # not reused: its answer may still be on the way
            if connection.expired:
                raise TimeoutError(f"Discord did not answer within {TIMEOUT:.0f} s") from None
            raise
        finally:
            timer.cancel()
            self._release(connection)
        if response.status == 429 or response.status >= 500:
            raise Resend(f"{response.status} {response.reason}")
        return response

    async def _acquire(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
            self._open -= 1
        if self._open >= self.limit:
            waiter: asyncio.Future[_Connection | None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._release(waiter.result())  # what it was handed goes to the next one
                raise
            if handed is not None:
                return handed
            # a connection closed: open one in its place (its slot was handed over, still counted)
        else:
            self._open += 1
        try:
            _, connection = await asyncio.get_running_loop().create_connection(
                _Connection, self.host, self.port, ssl=self.ssl, server_hostname=self.host if self.ssl else None)
        except BaseException:
            self._release(None)
            raise
        return connection

    def _release(self, connection: _Connection | None) -> None:
        """Hand ``connection`` to the next request waiting, else keep it. A closed one (or None, a
        connection that could not be opened) hands its slot on: the next request opens a new one."""
        if connection is not None and not connection.closed:
            if not self._wake(connection):
                self._idle.append(connection)
        elif not self._wake(None):
            self._open -= 1

    def _wake(self, connection: _Connection | None) -> bool:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return True
        return False

    def close(self) -> None:
        for connection in self._idle:
            with contextlib.suppress(Exception):
                connection.close()
        self._idle.clear()
