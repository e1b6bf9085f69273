"""`nurture reps connect --provider microsoft`: Entra's device-code flow through msal, end to
end, against the stand-in over HTTPS (msal takes no other authority), then the mailbox syncs
over XOAUTH2 with a token refreshed at the same sign-in host."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.bounds import HANG_SECONDS
from tests.integration.oauth.conftest import KEY_ENV
from tests.mails import mail
from tests.servers.dovecot import Dovecot
from tests.servers.oauth_standin import DEVICE_GRANT, OAuthStandIn
from tests.servers.tls import Certificates, make_certificates
from tests.world import write_settings

NURTURE = [sys.executable, "-c", "from assistant.cli import main; main()"]
TENANT = "contoso.onmicrosoft.com"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def authz(certificates: Certificates) -> Iterator[OAuthStandIn]:
    """The stand-in, on HTTPS too; this module's Dovecot asks it about tokens over HTTP."""
    with OAuthStandIn(certificates=certificates) as server:
        yield server


def _config(folder: Path, login_host: str, dovecot: Dovecot, login: str) -> Path:
    """The operator's Entra app with its secret (for the web app's flow); the device flow is a
    public client's, whose grant must be refreshed without it."""
    data = {
        "database": {"url": f"sqlite:///{folder}/nurture.db"},
        "oauth": {
            "token_key_env": KEY_ENV,
            "microsoft": {
                "client_id_env": "NURTURE_TEST_CLIENT_ID",
                "client_secret_env": "NURTURE_TEST_CLIENT_SECRET",
                "tenant": TENANT,
                "login_host": login_host,
            },
        },
        "reps": [
            {
                "email": "ana@acme.test",
                "name": "Ana Ruiz",
                "imap": {
                    "host": dovecot.host,
                    "port": dovecot.port,
                    "security": "none",
                    "username": login,
                    "auth": "xoauth2",
                    "provider": "microsoft",
                },
            }
        ],
    }
    return write_settings(folder, data)


def _nurture(config: Path, certificates: Certificates, *args: str) -> subprocess.Popen[str]:
    """The command, trusting the tests' authority as a server trusts the system's."""
    env = {
        **os.environ,
        "REQUESTS_CA_BUNDLE": str(certificates.ca_file),  # msal's requests
        "SSL_CERT_FILE": str(certificates.ca_file),  # the token refresh's httpx
    }
    return subprocess.Popen(
        [*NURTURE, "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _connect(config: Path, certificates: Certificates) -> subprocess.Popen[str]:
    return _nurture(
        config, certificates, "reps", "connect", "ana@acme.test", "--provider", "microsoft"
    )


def _user_code(process: subprocess.Popen[str]) -> str:
    """The code the rep is told to type at the verification page."""
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"/devicelogin and enter the code ([0-9A-F]{8})", line)
        if found:
            return found.group(1)
    raise AssertionError(f"no code printed: {process.communicate()}")


def test_the_device_code_flow_connects_the_mailbox_which_then_syncs(
    tmp_path: Path,
    authz: OAuthStandIn,
    oauth_dovecot: Dovecot,
    certificates: Certificates,
    client_env: str,
) -> None:
    login = oauth_dovecot.new_user().name
    config = _config(tmp_path, authz.tls_url.removeprefix("https://"), oauth_dovecot, login)
    connecting = _connect(config, certificates)
    authz.approve_device(_user_code(connecting), login)  # on the rep's phone, say
    out, err = connecting.communicate(timeout=HANG_SECONDS)
    assert connecting.returncode == 0, err
    assert "Connected the mailbox of ana@acme.test through microsoft." in out
    [grant] = [g for g in authz.grants if g.user == login]
    assert grant.public  # no client secret was sent or needed
    printed = out + err

    oauth_dovecot.deliver(
        login,
        mail(
            sender="lena@northwind.test",
            to="ana@acme.test",
            subject="Pricing",
            body="Hi Ana",
            message_id="<pricing@northwind.test>",
            date=datetime.now(UTC),
        ),
    )
    syncing = _nurture(config, certificates, "reps", "sync", "ana@acme.test")
    out, err = syncing.communicate(timeout=HANG_SECONDS)
    assert syncing.returncode == 0, err
    printed += out + err
    assert not any(t in printed for t in [grant.refresh_token, *grant.access_tokens])
    assert "INBOX: 1 message(s) looked at" in out  # logged in with the token and read it
    grants = [r["grant_type"] for r in authz.token_requests]
    assert DEVICE_GRANT in grants and grants[-1] == "refresh_token"  # over the sign-in host
    assert f"user=<{login}>, method=XOAUTH2" in oauth_dovecot.log_path.read_text()
    db_bytes = (tmp_path / "nurture.db").read_bytes()
    assert grant.refresh_token.encode() not in db_bytes  # kept encrypted


@pytest.mark.parametrize("problem", ["declined", "unreachable"])
def test_a_declined_sign_in_or_an_unreachable_host_is_one_sentence(
    tmp_path: Path,
    authz: OAuthStandIn,
    oauth_dovecot: Dovecot,
    certificates: Certificates,
    client_env: str,
    problem: str,
) -> None:
    host = authz.tls_url.removeprefix("https://")
    if problem == "unreachable":
        host = authz.base_url.removeprefix("http://")  # plain HTTP: no TLS handshake there
    config = _config(tmp_path, host, oauth_dovecot, "nobody")
    connecting = _connect(config, certificates)
    if problem == "declined":
        authz.approve_device(_user_code(connecting), "nobody", allow=False)
    _out, err = connecting.communicate(timeout=HANG_SECONDS)
    assert connecting.returncode == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    expected = {
        "declined": "Microsoft did not grant access: authorization_declined.",
        "unreachable": f"Microsoft's sign-in at https://{host}/{TENANT} could not be reached",
    }[problem]
    assert expected in err
