"""The answer clicks' own HTTP/1.1 pool (adapters/discord/callbacks.py) on the paths the fake Discord
does not take: HTTPS, as Discord's API always is (a local TLS server with a certificate made here),
and Discord not answering at all (the timeout, made short for the test)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import trustme
from aiohttp import web

from adapters.discord import callbacks
from adapters.discord.callbacks import CallbackPool

BODY = b'{"type":7,"data":{"content":"Correct!"}}'


@dataclass(frozen=True)
class Seen:
    """One request as the server received it; ``peer`` is the client's end of its connection."""

    method: str
    path: str
    host: str
    body: bytes
    peer: tuple


class ApiHost:
    """A stand-in for Discord's API host over TLS: answers every interaction callback 204, except
    that while ``hold`` is set it keeps the request unanswered until ``released``, or until the client
    closes the connection (``dropped``)."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.hold = False
        self.released = asyncio.Event()
        self.dropped = asyncio.Event()
        self.port = 0

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}/api/v10"

    async def callback(self, request: web.Request) -> web.Response:
        self.seen.append(Seen(request.method, request.raw_path, request.headers["Host"], await request.read(),
                              request.transport.get_extra_info("peername")))
        if self.hold:
            try:
                await self.released.wait()
            except asyncio.CancelledError:  # aiohttp cancels the handler when the connection is lost
                self.dropped.set()
                raise
        return web.Response(status=204)


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def api(ca: trustme.CA) -> AsyncIterator[ApiHost]:
    host = ApiHost()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    app = web.Application()
    app.router.add_post("/api/v10/interactions/{id}/{token}/callback", host.callback)
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context)
    await site.start()
    host.port = runner.addresses[0][1]
    yield host
    host.released.set()
    await runner.cleanup()


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
async def pool(api: ApiHost, ca: trustme.CA) -> AsyncIterator[CallbackPool]:
    pool = CallbackPool(api.base, "DiscordBot (test)", 4, ssl_context=trusting(ca))
    yield pool
    pool.close()


async def test_a_callback_goes_over_tls_and_the_connection_is_kept_for_the_next(api: ApiHost, pool: CallbackPool):
    first = await pool.post_callback(111, "tok-en_1", BODY)
    second = await pool.post_callback(222, "tok-en_2", b"{}")

    assert (first.status, first.reason, first.body) == (204, "No Content", b"")
    assert second.status == 204
    assert [(s.method, s.path, s.host, s.body) for s in api.seen] == [
        ("POST", "/api/v10/interactions/111/tok-en_1/callback", f"127.0.0.1:{api.port}", BODY),
        ("POST", "/api/v10/interactions/222/tok-en_2/callback", f"127.0.0.1:{api.port}", b"{}"),
    ]
    assert len({s.peer for s in api.seen}) == 1  # one connection carried both


async def test_a_certificate_the_system_does_not_trust_fails_the_request(api: ApiHost):
    pool = CallbackPool(api.base, "DiscordBot (test)", 4)  # production's context: the system's CAs
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            await pool.post_callback(111, "token", BODY)
    finally:
        pool.close()
    assert api.seen == []  # the handshake failed: no request was sent


async def test_no_answer_within_the_timeout_raises_and_the_connection_is_not_reused(
        api: ApiHost, pool: CallbackPool, monkeypatch: pytest.MonkeyPatch):
    timeout = callbacks.TIMEOUT
    monkeypatch.setattr(callbacks, "TIMEOUT", 0.2)
    api.hold = True
    with pytest.raises(TimeoutError):
        await pool.post_callback(111, "token", BODY)
    assert len(api.seen) == 1  # it arrived, and was not answered
    await asyncio.wait_for(api.dropped.wait(), 10)  # the client gave the connection up

    monkeypatch.setattr(callbacks, "TIMEOUT", timeout)
    api.hold = False
    answer = await pool.post_callback(222, "token", BODY)

    assert answer.status == 204
    assert [s.path.split("/")[4] for s in api.seen] == ["111", "222"]
    assert api.seen[0].peer != api.seen[1].peer  # on a new connection
