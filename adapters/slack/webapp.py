"""The HTTP front door: Slack's requests checked before Bolt sees them.

Bolt answers some malformed requests with a 500 and a traceback (a non-numeric timestamp, a
``payload`` that is not a JSON object, a form body labelled JSON). Here every request is
checked in order: a numeric timestamp and a valid signature (else 401), then a body that
parses to a JSON object (else 400); Bolt's own middleware checks the payload's shape. A signed
slash command already handled (a replay within Slack's 5-minute window) is acknowledged and
not run again; the receipts live in the store, so a replay to another worker is caught too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from yarl import URL

from bot.store.receipts import Receipts

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _refuse(status: int, why: str) -> web.Response:
    (log.warning if status == 400 else log.info)("Refused a Slack request (%s): %s", status, why)
    return web.Response(status=status, text=why)


async def _first(receipts: Receipts, signature: str) -> bool:
    """Whether this signature is new; when the store cannot say, the command runs (the member
    then gets the usual answer or apology rather than silence)."""
    try:
        return await receipts.first(signature)
    except Exception as e:
        log.warning("Replay check unavailable (%s): running the command", type(e).__name__)
        return True


def _bolt_body(text: str, headers: dict[str, str], content_type: str) -> tuple[str, dict[str, str]]:
    """The body (and headers) to hand Bolt. An interactive request is a form whose ``payload``
    field is the JSON Bolt would parse out of it; that field is decoded here by yarl's C
    unquoter (Bolt's urllib one needs about 0.27 ms for a 6 KB click) and handed over as the JSON
    body it is. Bolt's own signature check, the only other reader of the raw body, is off: the
    signature was checked here first."""
    if content_type == "application/json" or text.startswith("{") or "payload" not in text:
        return text, headers  # as Bolt tells JSON from a form
    payload = URL.build(query_string=text, encoded=True).query.get("payload")
    if not payload:
        return text, headers
    return payload, {**{k: v for k, v in headers.items() if k.lower() != "content-type"},
                     "Content-Type": "application/json"}


def events_handler(app: AsyncApp, signing_secret: str, receipts: Receipts) -> Handler:
    verifier = SignatureVerifier(signing_secret)

    async def handle(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        if timestamp is not None and not timestamp.isdigit():
            return _refuse(400, "X-Slack-Request-Timestamp is not a number")
        if not verifier.is_valid(raw, timestamp, signature):
            return _refuse(401, "invalid or missing signature")
        try:  # one parse, Bolt's own (a body that is not JSON where JSON is due raises here)
            text, headers = _bolt_body(raw.decode("utf-8"), dict(request.headers), request.content_type)
            bolt_req = AsyncBoltRequest(body=text, query=request.query_string, headers=headers)
        except (ValueError, TypeError, KeyError, AttributeError) as e:  # UnicodeDecodeError, JSONDecodeError
            return _refuse(400, f"the body is not a JSON object Slack would send ({type(e).__name__})")
        body = bolt_req.body
        if not isinstance(body, dict):
            return _refuse(400, f"the body is a JSON {type(body).__name__}, not an object")
        assert signature is not None
        if "command" in body and not await _first(receipts, signature):
            log.warning("Ignored a replayed Slack slash command (same signature seen before)")
            return web.Response(status=200, text="")
        return await to_aiohttp_response(await app.async_dispatch(bolt_req))

    return handle


def oauth_handler(step: Callable[[AsyncBoltRequest], Awaitable[BoltResponse]]) -> Handler:
    """``/slack/install`` or ``/slack/oauth_redirect``: Bolt's OAuth flow (browser GETs, unsigned)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        bolt_req = AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
        return await to_aiohttp_response(await step(bolt_req))

    return handle
