"""`nurture reps connect` on a server without a browser: the loopback redirect, end to end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.config import OAuthSettings
from assistant.db import open_database
from assistant.mail import imap
from assistant.oauth.providers import provider
from assistant.oauth.store import GrantStore, cipher
from assistant.oauth.tokens import TokenSource
from tests.bounds import HANG_SECONDS
from tests.integration.oauth.conftest import KEY_ENV, oauth_settings
from tests.servers.dovecot import Dovecot
from tests.servers.oauth_standin import OAuthStandIn

NURTURE = [sys.executable, "-c", "from assistant.cli import main; main()"]


def _config(folder: Path, authz: OAuthStandIn, dovecot: Dovecot, login: str) -> Path:
    path = folder / "nurture.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{folder}/nurture.db"\n'
        f'[oauth]\ntoken_key_env = "{KEY_ENV}"\n'
        '[oauth.custom]\nclient_id_env = "NURTURE_TEST_CLIENT_ID"\n'
        'client_secret_env = "NURTURE_TEST_CLIENT_SECRET"\n'
        f'authorize_url = "{authz.base_url}/authorize"\ntoken_url = "{authz.base_url}/token"\n'
        'scopes = ["mail"]\n'
        '[[reps]]\nemail = "ana@acme.test"\nname = "Ana Ruiz"\n'
        f'[reps.imap]\nhost = "{dovecot.host}"\nport = {dovecot.port}\nsecurity = "none"\n'
        f'username = "{login}"\nauth = "oauthbearer"\nprovider = "custom"\n',
        encoding="utf-8",
    )
    return path


def _start(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *NURTURE,
            "--config",
            str(config),
            "reps",
            "connect",
            "ana@acme.test",
            "--provider",
            "custom",
            "--timeout",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _consent(url: str, user: str, decision: str) -> None:
    """What the rep does in a browser elsewhere: open the address, allow, follow the redirect."""
    form = httpx.get(url, timeout=10).text
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
    answer = httpx.post(
        url.split("?")[0], data={**fields, "user": user, "decision": decision}, timeout=10
    )
    assert answer.status_code == 302
    httpx.get(answer.headers["location"], timeout=10)


def _url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("http"):
            return line.strip()
    raise AssertionError(f"no address printed: {process.communicate()}")


async def test_connect_with_the_loopback_redirect_then_the_mailbox_logs_in(
    tmp_path: Path, authz: OAuthStandIn, oauth_dovecot: Dovecot, client_env: str
) -> None:
    login = oauth_dovecot.new_user().name
    config = _config(tmp_path, authz, oauth_dovecot, login)
    process = _start(config)
    url = _url(process)
    assert "code_challenge_method=S256" in url and "login_hint=ana%40acme.test" in url
    _consent(url, login, "allow")
    out, err = process.communicate(timeout=HANG_SECONDS)
    assert process.returncode == 0, err
    assert "Connected the mailbox of ana@acme.test through custom." in out

    store = GrantStore(open_database(f"sqlite:///{tmp_path}/nurture.db"), cipher(KEY_ENV))
    settings: OAuthSettings = oauth_settings(authz)
    tokens = TokenSource(store, provider(settings, "custom"), "ana@acme.test")
    account = imap.ImapAccount(
        oauth_dovecot.host, oauth_dovecot.port, "none", login, "", 10.0, "oauthbearer", tokens
    )
    async with imap.connect(account) as mailbox:
        assert (await mailbox.select("INBOX")).exists == 0
    listed = subprocess.run(
        [*NURTURE, "--config", str(config), "reps", "grants"], capture_output=True, text=True
    )
    assert re.search(r"ana@acme.test\s+custom\s+ok", listed.stdout), listed


@pytest.mark.parametrize("problem", ["deny", "no key"])
def test_a_refused_consent_or_a_missing_key_is_one_sentence(
    tmp_path: Path,
    authz: OAuthStandIn,
    oauth_dovecot: Dovecot,
    client_env: str,
    monkeypatch: pytest.MonkeyPatch,
    problem: str,
) -> None:
    config = _config(tmp_path, authz, oauth_dovecot, "nobody")
    if problem == "no key":
        monkeypatch.delenv(KEY_ENV)
    process = _start(config)
    if problem == "deny":
        _consent(_url(process), "nobody", "deny")
    _out, err = process.communicate(timeout=HANG_SECONDS)
    assert process.returncode == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    expected = "did not grant access: access_denied" if problem == "deny" else f"{KEY_ENV}"
    assert expected in err
