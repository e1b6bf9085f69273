"""Where each provider's OAuth endpoints are and which scopes reach IMAP and SMTP submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.config import OAuthClientSettings, OAuthSettings, secret
from assistant.errors import ConfigError

GOOGLE_MAIL_SCOPE = "https://mail.google.com/"  # the only Google scope that covers IMAP and SMTP
MICROSOFT_SCOPES = (
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
)


@dataclass(frozen=True)
class Provider:
    """One configured OAuth client and the endpoints it talks to."""

    name: str
    client_id: str
    client_secret: str | None
    authorize_url: str
    token_url: str
    revoke_url: str | None
    scopes: tuple[str, ...]
    authority: str | None = None  # Microsoft: the Entra authority msal's device flow uses
    extra: dict[str, str] = field(default_factory=dict)  # more authorize parameters


def provider(settings: OAuthSettings, name: str, path: str = "<settings>") -> Provider:
    """The provider `name` as configured under [oauth.NAME]; a clear error when it is not."""
    client: OAuthClientSettings | None = getattr(settings, name, None)
    if client is None:
        raise _missing(path, name)
    client_id = secret(path, f"oauth.{name}.client_id_env", client.client_id_env) or ""
    client_secret = secret(path, f"oauth.{name}.client_secret_env", client.client_secret_env)
    if name == "google":
        return Provider(
            name,
            client_id,
            client_secret,
            client.authorize_url or "https://accounts.google.com/o/oauth2/v2/auth",
            client.token_url or "https://oauth2.googleapis.com/token",
            client.revoke_url or "https://oauth2.googleapis.com/revoke",
            client.scopes or (GOOGLE_MAIL_SCOPE,),
            # Without offline access and a fresh consent Google gives no refresh token.
            extra={"access_type": "offline", "prompt": "consent"},
        )
    if name == "microsoft":
        authority = f"https://{client.login_host}/{client.tenant}"
        return Provider(
            name,
            client_id,
            client_secret,
            client.authorize_url or f"{authority}/oauth2/v2.0/authorize",
            client.token_url or f"{authority}/oauth2/v2.0/token",
            client.revoke_url,  # Entra has no revocation endpoint: grants end in the admin centre
            client.scopes or MICROSOFT_SCOPES,
            authority=authority,
        )
    if not (client.authorize_url and client.token_url and client.scopes):
        raise _missing(path, name, "authorize_url, token_url and scopes")
    return Provider(
        name,
        client_id,
        client_secret,
        client.authorize_url,
        client.token_url,
        client.revoke_url,
        client.scopes,
    )


def secret_warnings(settings: OAuthSettings, today: date, within_days: int = 30) -> list[str]:
    """One sentence per client secret that expires within `within_days` or has expired."""
    out: list[str] = []
    for name in ("google", "microsoft", "custom"):
        client: OAuthClientSettings | None = getattr(settings, name)
        if client is None or client.client_secret_expires is None:
            continue
        left = (client.client_secret_expires - today).days
        when = client.client_secret_expires.isoformat()
        if left < 0:
            out.append(
                f"The {name} OAuth client secret expired on {when}: no mailbox of it can refresh "
                f"its token until {client.client_secret_env} holds a new one."
            )
        elif left <= within_days:
            out.append(
                f"The {name} OAuth client secret expires on {when} (in {left} days): create a new "
                f"one and put it in {client.client_secret_env}."
            )
    return out


def _missing(path: str, name: str, what: str = "") -> ConfigError:
    if what:
        return ConfigError(path, f"oauth.{name}", f"needs {what}")
    return ConfigError(path, f"oauth.{name}", "is not configured (client_id_env and its secret)")
