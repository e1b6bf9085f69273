"""`nurture reps connect|grants|token-key`: OAuth mailbox grants from a terminal, no browser.

The `reps` group itself, with the verbs that add and remove reps, is assistant.commands.reps.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click
from cryptography.fernet import Fernet

from assistant import roster
from assistant.clock import now
from assistant.commands.app import App, pass_app
from assistant.errors import NotFound, NurtureError
from assistant.oauth import flow
from assistant.oauth.providers import Provider, provider, secret_warnings
from assistant.oauth.store import GrantStore, cipher


@click.command("token-key")
def token_key() -> None:
    """Print a new key for [oauth] token_key_env (keep it in the environment, never lose it)."""
    click.echo(Fernet.generate_key().decode())


@click.command("grants")
@pass_app
def grants(app: App) -> None:
    """Each connected mailbox and whether it works or needs reconnecting."""
    for warning in secret_warnings(app.settings.oauth, now().date()):
        click.echo(warning, err=True)
    store = GrantStore(app.engine, cipher(app.settings.oauth.token_key_env))
    rows = store.all()
    if not rows:
        click.echo("No mailbox is connected with OAuth.")
    for row in rows:
        state = "ok" if row.state == "ok" else f"needs reconnect: {row.last_error}"
        click.echo(f"{row.email:<32} {row.provider:<10} {state}")


@click.command("connect")
@click.argument("email")
@click.option(
    "--provider",
    "provider_name",
    type=click.Choice(["google", "microsoft", "custom"]),
    required=True,
    help="Whose OAuth client grants access ([oauth.NAME] in the configuration).",
)
@click.option("--timeout", default=300, show_default=True, help="Seconds to wait for consent.")
@pass_app
def connect(app: App, email: str, provider_name: str, timeout: int) -> None:
    """Connect EMAIL's mailbox: loopback redirect (Google, custom) or device code (Microsoft)."""
    settings = app.settings
    rep = roster.find(app.engine, email, roster.ON_FLOOR)
    if rep is None:
        raise NotFound(f"{email} is not a rep on the floor (see `nurture reps list`).")
    chosen = provider(settings.oauth, provider_name, str(settings.path))
    store = GrantStore(app.engine, cipher(settings.oauth.token_key_env))
    device = provider_name == "microsoft"
    token = _device_code(chosen, timeout) if device else _loopback(chosen, rep.email, timeout)
    scope = token.get("scope") or " ".join(chosen.scopes)
    store.save(
        rep.email, provider_name, str(scope), str(token["refresh_token"]), public_client=device
    )
    click.echo(f"Connected the mailbox of {rep.email} through {provider_name}.")


def _loopback(chosen: Provider, email: str, timeout: int) -> dict[str, Any]:
    """The authorization code through a one-shot server on 127.0.0.1 (RFC 8252 section 7.3)."""
    answers: queue.Queue[dict[str, str]] = queue.Queue()

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answers.put({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()})
            body = b"Nurture has your answer; you can close this window."
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the query holds the code

    server = HTTPServer(("127.0.0.1", 0), Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/"
        started = flow.start(chosen, redirect_uri, email)
        click.echo("Open this address in a browser, sign in as the rep and allow access:")
        click.echo(started.url, nl=True)
        try:
            answer = answers.get(timeout=timeout)
        except queue.Empty:
            raise NurtureError(f"No answer from the browser within {timeout} s.") from None
    finally:
        server.shutdown()
        server.server_close()
    if answer.get("state") != started.state:
        raise NurtureError("The browser's answer was for another sign-in: run the command again.")
    if "code" not in answer:
        raise NurtureError(f"{chosen.name} did not grant access: {answer.get('error', 'no code')}.")
    return asyncio.run(flow.finish(chosen, redirect_uri, answer["code"], started.verifier))


def _device_code(chosen: Provider, timeout: int) -> dict[str, Any]:
    """Microsoft's device-code flow through msal: a code to type at microsoft.com/devicelogin."""
    import msal

    scopes = [s for s in chosen.scopes if s not in ("offline_access", "openid", "profile")]
    # A failure is said once, below; urllib3's retry warnings would say it twice.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    try:
        # The operator names the sign-in host; msal need not ask Microsoft whether it knows it.
        app = msal.PublicClientApplication(
            chosen.client_id, authority=chosen.authority, instance_discovery=False
        )
        # msal asks for offline access itself and refuses to be given the reserved scope.
        started = app.initiate_device_flow(scopes=scopes)
    # msal raises ValueError for an authority it cannot use; requests' errors are OSErrors.
    except (ValueError, OSError) as exc:
        raise NurtureError(
            f"Microsoft's sign-in at {chosen.authority} could not be reached ({exc}); "
            "check login_host and tenant under [oauth.microsoft]."
        ) from None
    if "user_code" not in started:
        raise NurtureError(f"Microsoft refused the device code: {started.get('error')}.")
    started["expires_at"] = min(float(started["expires_at"]), time.time() + timeout)
    click.echo(started["message"])
    result = app.acquire_token_by_device_flow(started)
    if "refresh_token" not in result:
        raise NurtureError(f"Microsoft did not grant access: {result.get('error', 'no token')}.")
    return dict(result)
