"""The fakes' fault injection behaves as the platforms' failures do, seen through the real clients."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.e2e.fakes.discord_fake import API_PREFIX, FakeDiscord
from tests.e2e.fakes.faults import Fault
from tests.e2e.fakes.slack_fake import FakeSlack


@pytest.fixture
async def slack():
    fake = await FakeSlack().start()
    yield fake, AsyncWebClient(token=fake.bot_token, base_url=fake.base_url, retry_handlers=[])
    await fake.stop()


async def test_slack_lost_answer_stores_the_message_and_reports_5xx(slack) -> None:
    fake, client = slack
    fake.faults.add("POST", "chat.postMessage", kind="lost", status=503)
    with pytest.raises(SlackApiError) as e:
        await client.chat_postMessage(channel="C0STUDY", text="hello")
    assert e.value.response.status_code == 503
    assert [m.text for m in fake.posts("C0STUDY")] == ["hello"]
    await client.chat_postMessage(channel="C0STUDY", text="again")  # the fault fired once
    assert len(fake.posts("C0STUDY")) == 2


async def test_slack_dropped_connection_after_store(slack) -> None:
    fake, client = slack
    fake.faults.add("POST", "chat.postMessage", kind="drop")
    with pytest.raises(aiohttp.ClientError):
        await client.chat_postMessage(channel="C0STUDY", text="hello")
    assert [m.text for m in fake.posts("C0STUDY")] == ["hello"]


async def test_slack_rate_limit_carries_retry_after(slack) -> None:
    fake, client = slack
    fake.faults.add("POST", "chat.postMessage", status=429, headers={"Retry-After": "7"})
    with pytest.raises(SlackApiError) as e:
        await client.chat_postMessage(channel="C0STUDY", text="hello")
    assert e.value.response["error"] == "ratelimited"
    assert e.value.response.headers["Retry-After"] == "7"
    assert fake.posts() == []


async def test_discord_faults_error_lost_drop_and_slow() -> None:
    fake = await FakeDiscord().start()
    try:
        channel = fake.channel_ids[0]
        url = f"{fake.api_base}/channels/{channel}/messages"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            fake.faults.add("POST", f"/channels/{channel}/messages",
                            Fault("error", 403, {"message": "Missing Access", "code": 50001}))
            async with http.post(url, json={"content": "a"}) as r:
                assert r.status == 403 and (await r.json())["code"] == 50001
            assert fake.messages == {}

            fake.faults.add("POST", "/messages", kind="lost", status=502)
            async with http.post(url, json={"content": "b"}) as r:
                assert r.status == 502
            assert [m["content"] for m in fake.messages.values()] == ["b"]

            fake.faults.add("POST", "/messages", kind="drop")
            with pytest.raises(aiohttp.ClientError):
                async with http.post(url, json={"content": "c"}) as r:
                    await r.read()
            assert [m["content"] for m in fake.messages.values()] == ["b", "c"]

            fake.faults.add("POST", "/messages", kind="slow", delay=0.3)
            with pytest.raises(TimeoutError):
                async with http.post(url, json={"content": "d"}, timeout=aiohttp.ClientTimeout(total=0.1)) as r:
                    await r.read()
    finally:
        await fake.stop()
    assert [f.kind for _, _, f in fake.faults.fired] == ["error", "lost", "drop", "slow"]
    assert API_PREFIX in fake.api_base
