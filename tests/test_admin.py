"""Group setup and admin commands: who may, and friendly answers to bad input."""

from __future__ import annotations

from bot.commands import Admins, Leaderboard, Pause, Place, PostNow, Setup, Status
from tests.helpers import ctx

ADMIN = ctx("boss", admin=True)


async def test_setup_by_an_admin_and_refusal_for_everyone_else(service, poster):
    [refused] = await service.handle(ctx("ann"), Setup(time="09:00", timezone="UTC"))
    assert refused.private and "Only admins" in refused.text
    assert not await service.has_group(ADMIN.place)
    [ok] = await service.handle(ADMIN, Setup(time="9:15", timezone="Europe/Paris"))
    assert not ok.private and "09:15" in ok.text and "Europe/Paris" in ok.text
    assert await service.has_group(ADMIN.place)
    [not_yours] = await service.handle(ctx("ann"), Pause())
    assert "Only admins" in not_yours.text
    [status] = await service.handle(ADMIN, Status())
    fields = {f.name: f.value for f in status.cards[0].fields}
    assert fields["Daily post"] == "09:15 Europe/Paris" and fields["State"] == "active"


async def test_bad_setup_options_get_a_clear_message_and_change_nothing(service):
    [bad_time] = await service.handle(ADMIN, Setup(time="25:00"))
    assert "not a time" in bad_time.text
    [bad_zone] = await service.handle(ADMIN, Setup(time="09:00", timezone="Europe/Berln"))
    assert "not a time zone" in bad_zone.text and "Europe/Berlin" in bad_zone.text
    [bad_hours] = await service.handle(ADMIN, Setup(time="09:00", open_hours=500))
    assert "1 to 168 hours" in bad_hours.text
    assert not await service.has_group(ADMIN.place)


async def test_listed_admins_may_run_admin_commands(service, poster):
    await service.handle(ADMIN, Setup(time="09:00"))
    [refused] = await service.handle(ctx("ann"), PostNow())
    assert "Only admins" in refused.text
    [added] = await service.handle(ADMIN, Admins(add=("ann",)))
    assert "ann" in added.text
    [posted] = await service.handle(ctx("ann"), PostNow())
    assert "Posted" in posted.text and len(poster.posts) == 1
    [again] = await service.handle(ctx("ann"), PostNow())
    assert "already posted" in again.text and len(poster.posts) == 1
    await service.handle(ADMIN, Admins(remove=("ann",)))
    [refused] = await service.handle(ctx("ann"), Pause())
    assert "Only admins" in refused.text


async def test_commands_before_any_setup_explain_how_to_start(service):
    [reply] = await service.handle(ctx("ann"), Leaderboard("all"))
    assert "No study group is set up here yet" in reply.text and "setup" in reply.text


async def test_text_commands_parse_and_malformed_ones_get_usage(service):
    [unknown] = await service.handle_text(ctx("ann"), "/frobnicate")
    assert unknown.private and "don't know the command" in unknown.text
    [usage] = await service.handle_text(ctx("ann"), "leaderboard forever")
    assert "Usage" in usage.text and "leaderboard [week|last-week]" in usage.text
    [setup_usage] = await service.handle_text(ADMIN, "setup at nine")
    assert "HH:MM" in setup_usage.text
    [ok] = await service.handle_text(ADMIN, "studybot setup 07:45 Asia/Tokyo 12")
    assert "07:45" in ok.text and "12 hours" in ok.text
    [slack_style] = await service.handle_text(ADMIN, "setup <#C0123|general> 08:00 UTC")
    assert "08:00" in slack_style.text
    assert await service.has_group(Place("terminal", "ws1", "C0123"))


async def test_timezone_suggestions_prefer_prefix_matches(service):
    names = service.suggest_timezones("europe/be")
    assert names == ["Europe/Belfast", "Europe/Belgrade", "Europe/Berlin"]
    assert service.suggest_timezones("tokyo") == ["Asia/Tokyo"]
    assert len(service.suggest_timezones("", limit=25)) == 25



async def test_messages_name_commands_the_way_the_platform_spells_them(service):
    from bot.commands import Context, Lookup

    slack = Context(ctx("ann").member, ctx("ann").place, prefix="/studybot ")
    [unknown] = await service.handle_text(slack, "frobnicate")
    assert "`/studybot help`" in unknown.text
    [nothing] = await service.handle(slack, Lookup("pizza recipe"))
    assert "/studybot objectives" in nothing.text
    [help_] = await service.handle_text(slack, "help")
    assert "`/studybot leaderboard [week|last-week]`" in help_.cards[0].body
