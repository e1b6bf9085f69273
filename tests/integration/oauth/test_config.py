"""Per-mailbox auth settings: provider defaults, and one clear sentence for what is missing."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.config import SENT_BY_SPECIAL_USE, parse
from assistant.errors import ConfigError
from assistant.oauth.providers import secret_warnings


def _rep(**imap: object) -> dict[str, object]:
    base = {"host": "imap.example.com", "username": "ana@acme.test"}
    return {"reps": [{"email": "ana@acme.test", "name": "Ana", "imap": {**base, **imap}}]}


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_google_and_microsoft_find_sent_by_special_use_and_do_not_append(provider: str) -> None:
    imap = parse(_rep(auth="xoauth2", provider=provider)).reps[0].imap
    assert imap is not None
    assert (imap.sent_folder, imap.append_to_sent) == (SENT_BY_SPECIAL_USE, False)
    assert imap.password_env is None


def test_what_the_file_says_wins_over_the_provider_defaults() -> None:
    imap = (
        parse(_rep(auth="oauthbearer", provider="google", sent_folder="Sent", append_to_sent=True))
        .reps[0]
        .imap
    )
    assert imap is not None and (imap.sent_folder, imap.append_to_sent) == ("Sent", True)


def test_a_password_mailbox_keeps_its_old_defaults() -> None:
    imap = parse(_rep(password_env="PW")).reps[0].imap
    assert imap is not None
    assert (imap.auth, imap.sent_folder, imap.append_to_sent) == ("password", "Sent", True)


@pytest.mark.parametrize(
    ("imap", "sentence"),
    [
        ({}, "key 'reps[0].imap.password_env' in <settings>: is required but missing"),
        (
            {"auth": "xoauth2"},
            "key 'reps[0].imap' in <settings>: auth is xoauth2 but provider "
            "(google, microsoft or custom) is not set",
        ),
        ({"auth": "kerberos", "provider": "google"}, "key 'reps[0].imap.auth' in <settings>"),
    ],
)
def test_a_missing_or_wrong_auth_setting_is_one_sentence(
    imap: dict[str, object], sentence: str
) -> None:
    with pytest.raises(ConfigError) as failed:
        parse(_rep(**imap))
    assert sentence in str(failed.value)


def test_a_client_secret_near_or_past_its_expiry_is_warned_about() -> None:
    client = {"client_id_env": "ID", "client_secret_env": "MS_SECRET"}
    settings = parse(
        {
            "oauth": {
                "microsoft": {**client, "client_secret_expires": "2027-01-10"},
                "google": {**client, "client_secret_env": "G_SECRET"},
                "custom": {**client, "client_secret_expires": "2026-11-30"},
            }
        }
    ).oauth
    expired = (
        "The custom OAuth client secret expired on 2026-11-30: no mailbox of it can refresh its "
        "token until MS_SECRET holds a new one."
    )
    assert secret_warnings(settings, date(2026, 12, 1)) == [expired]
    assert secret_warnings(settings, date(2026, 12, 20)) == [
        "The microsoft OAuth client secret expires on 2027-01-10 (in 21 days): create a new one "
        "and put it in MS_SECRET.",
        expired,
    ]
