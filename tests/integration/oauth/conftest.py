"""OAuth fixtures: the stand-in authorization server, a Dovecot that asks it about bearer
tokens, and grants kept in a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from assistant.config import OAuthClientSettings, OAuthSettings
from assistant.db import open_database
from assistant.oauth.providers import Provider, provider
from assistant.oauth.store import GrantStore
from tests.servers.dovecot import Dovecot
from tests.servers.oauth_standin import CLIENT_ID, CLIENT_SECRET, OAuthStandIn

KEY_ENV = "NURTURE_TEST_TOKEN_KEY"


@pytest.fixture(scope="module")
def authz() -> Iterator[OAuthStandIn]:
    with OAuthStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def oauth_dovecot(authz: OAuthStandIn) -> Iterator[Dovecot]:
    """A Dovecot of its own: it takes bearer tokens, and Sent has a localized name."""
    server = Dovecot(
        introspection_url=authz.base_url + "/introspect", sent_folder="Gesendete Elemente"
    )
    try:
        yield server
    finally:
        server.stop()


def oauth_settings(authz: OAuthStandIn, name: str = "custom") -> OAuthSettings:
    endpoints = OAuthClientSettings(
        client_id_env="NURTURE_TEST_CLIENT_ID",
        client_secret_env="NURTURE_TEST_CLIENT_SECRET",
        authorize_url=authz.base_url + "/authorize",
        token_url=authz.base_url + "/token",
        revoke_url=authz.base_url + "/revoke",
        scopes=("mail",),
    )
    return OAuthSettings(token_key_env=KEY_ENV, **{name: endpoints})


@pytest.fixture
def client_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """The OAuth client's id and secret and the token key, in the environment; the key."""
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("NURTURE_TEST_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("NURTURE_TEST_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv(KEY_ENV, key)
    return key


@pytest.fixture
def standin_provider(authz: OAuthStandIn, client_env: str) -> Provider:
    return provider(oauth_settings(authz), "custom")


@pytest.fixture
def grants(db_url: str, client_env: str) -> Iterator[GrantStore]:
    engine = open_database(db_url)
    try:
        yield GrantStore(engine, Fernet(client_env.encode()))
    finally:
        engine.dispose()
