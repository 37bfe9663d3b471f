"""Channels and members in setup, status and admins replies show as Discord mentions."""

from __future__ import annotations

from ..fakes.discord_fake import FakeDiscord
from .conftest import Bot
from .test_discord_e2e import set_up_group, study


async def test_status_and_admins_name_the_channel_and_members_as_mentions(bot: Bot, fake: FakeDiscord):
    admin, ann = fake.user("ada", admin=True), fake.user("ann")
    await set_up_group(fake, admin)

    added = await fake.slash(admin, "studybot", {"add": ann}, sub="admins")
    assert f"<@{ann.id}>" in added.text()
    assert fake.seen(added) == "Extra admins: @ann."

    status = await fake.slash(admin, "studybot", sub="status")
    assert f"<#{study(fake)}>" in status.text()
    seen = fake.seen(status)
    assert "Channel\n#study" in seen and "Extra admins\n@ann" in seen
    assert str(ann.id) not in seen and str(study(fake)) not in seen
