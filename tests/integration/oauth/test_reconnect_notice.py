"""The "reconnect your mailbox" email: owed from the moment a grant ends, sent once across
replicas, and retried by the next pass when the notice server refused it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.config import OAuthSettings, Settings, SmtpSettings
from assistant.oauth.store import GrantStore
from assistant.pipeline import reconnect
from tests.servers.smtp import SmtpServer

REP = "cara@acme.test"


def _settings(tmp_path: Path, server: SmtpServer | None) -> Settings:
    account = SmtpSettings(host=server.host, port=server.port, security="none") if server else None
    oauth = OAuthSettings(notice_smtp=account, notice_from="nurture@acme.test")
    return Settings(path=tmp_path / "nurture.toml", oauth=oauth)


async def test_a_refused_notice_is_owed_again_and_sent_once(
    grants: GrantStore, tmp_path: Path, make_smtp_server: Callable[..., SmtpServer]
) -> None:
    grants.save(REP, "google", "mail", "refresh-1")
    assert grants.owed_notices() == []
    assert grants.needs_reconnect(REP, "invalid_grant") is True
    assert grants.needs_reconnect(REP, "invalid_grant") is False  # already marked
    assert grants.owed_notices() == [REP]

    server = make_smtp_server()
    settings = _settings(tmp_path, server)
    server.fail_next(451)
    assert await reconnect.tell_owed(settings, grants) == 0
    assert len(server.refused) == 1 and server.messages == []
    assert grants.owed_notices() == [REP]  # still owed: the next pass retries

    assert await reconnect.tell_owed(settings, grants) == 1
    assert [m.rcpt_tos for m in server.messages] == [(REP,)]
    assert await reconnect.tell_owed(settings, grants) == 0  # told: never twice
    assert len(server.messages) == 1

    # Reconnected and revoked again: a new notice is owed.
    grants.save(REP, "google", "mail", "refresh-2")
    grants.needs_reconnect(REP, "invalid_grant")
    assert grants.owed_notices() == [REP]


def test_only_one_replica_claims_a_notice(grants: GrantStore) -> None:
    grants.save(REP, "google", "mail", "refresh-1")
    assert grants.claim_notice(REP) is False  # the grant is fine: nothing to tell
    grants.needs_reconnect(REP, "revoked")
    assert [grants.claim_notice(REP), grants.claim_notice(REP)] == [True, False]
    grants.release_notice(REP)
    assert grants.claim_notice(REP) is True


async def test_without_a_notice_account_the_web_app_alone_shows_it(
    grants: GrantStore, tmp_path: Path
) -> None:
    grants.save(REP, "google", "mail", "refresh-1")
    grants.needs_reconnect(REP, "revoked")
    assert await reconnect.tell_owed(_settings(tmp_path, None), grants) == 0
    assert grants.owed_notices() == []  # the warning is logged once, not every pass
