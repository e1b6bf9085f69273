"""Settings: one TOML file, read once, typed and validated; secrets come from the environment."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import ConfigError

Security = Literal["ssl", "starttls", "none"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///nurture.db"


class LlmSettings(_Section):
    provider: Literal["offline", "anthropic"] = "offline"
    model: str = "claude-sonnet-4-5"
    api_key_env: str = "ANTHROPIC_API_KEY"
    base_url: str | None = None
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    batch: bool = False


class ContentSettings(_Section):
    library: str = "data/content"


class CadenceSettings(_Section):
    follow_up_after_business_days: int = Field(default=3, ge=1, le=60)
    max_touches: int = Field(default=6, ge=1, le=50)


class DaemonSettings(_Section):
    sync_interval_seconds: float = Field(default=60.0, gt=0)
    send_interval_seconds: float = Field(default=30.0, gt=0)


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, gt=0, lt=65536)
    secret_key_env: str = "NURTURE_SECRET_KEY"
    # The address browsers use, e.g. https://nurture.example.com behind a reverse proxy;
    # state changes from any other origin are refused. Unset: the Host the request names.
    public_url: str | None = None
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)

    @field_validator("public_url")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme, sep, rest = value.rstrip("/").partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
            raise ValueError(f"'{value}' is not an origin like https://nurture.example.com")
        return f"{scheme}://{rest.lower()}"


class ImapSettings(_Section):
    host: str
    port: int = Field(default=993, gt=0, lt=65536)
    security: Security = "ssl"
    username: str
    password_env: str
    inbox: str = "INBOX"
    sent_folder: str = "Sent"
    append_to_sent: bool = True  # off for providers that file their own copy (Gmail, Microsoft 365)
    timeout_seconds: float = Field(default=30.0, gt=0)


class SmtpSettings(_Section):
    host: str
    port: int = Field(default=587, gt=0, lt=65536)
    security: Security = "starttls"
    username: str | None = None
    password_env: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)


class RepSettings(_Section):
    email: str
    name: str
    signature: str = ""
    team: str = "default"
    imap: ImapSettings | None = None
    smtp: SmtpSettings | None = None

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip().lower()
        local, _, domain = value.partition("@")
        if not local or "." not in domain or any(c in value for c in " \r\n,<>"):
            raise ValueError(f"'{value}' is not an email address")
        return value


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    llm: LlmSettings = LlmSettings()
    content: ContentSettings = ContentSettings()
    cadence: CadenceSettings = CadenceSettings()
    daemon: DaemonSettings = DaemonSettings()
    web: WebSettings = WebSettings()
    reps: tuple[RepSettings, ...] = ()
    path: Path | None = Field(default=None, exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, relative: str) -> Path:
        """A path from the file, taken relative to the file's folder."""
        candidate = Path(relative).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def database_url(self) -> str:
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and url != "sqlite:///:memory:":
            return prefix + str(self.resolve(url[len(prefix) :]))
        return url

    def rep(self, email: str) -> RepSettings | None:
        email = email.strip().lower()
        return next((r for r in self.reps if r.email == email), None)


def secret(path: str, key: str, env_name: str | None) -> str | None:
    """The value of the environment variable a setting names; a clear error when it is unset."""
    if not env_name:
        return None
    value = os.environ.get(env_name)
    if value is None:
        raise ConfigError(path, key, f"environment variable {env_name} is not set")
    return value


def locate(explicit: str | None) -> Path:
    """--config, else NURTURE_CONFIG, else ./nurture.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("NURTURE_CONFIG")
    return Path(env) if env else Path("nurture.toml")


def load(path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            str(path), "", "file not found (give --config PATH or set NURTURE_CONFIG)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot be read ({exc})") from None
    return parse(data, path)


def parse(data: dict[str, object], path: Path | None = None) -> Settings:
    where = str(path) if path else "<settings>"
    try:
        settings = Settings.model_validate({**data, "path": path})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _dotted(data, first["loc"])
        kind = first["type"]
        if kind == "missing":
            problem = "is required but missing"
        elif kind == "extra_forbidden":
            problem = "is not a known setting"
        else:
            problem = first["msg"].removeprefix("Value error, ")
            problem = problem[0].lower() + problem[1:]
        raise ConfigError(where, key, problem) from None
    seen: set[str] = set()
    for index, rep in enumerate(settings.reps):
        if rep.email in seen:
            raise ConfigError(where, f"reps[{index}].email", f"{rep.email} appears twice")
        seen.add(rep.email)
    return settings


def _dotted(data: object, loc: tuple[int | str, ...]) -> str:
    """reps.0.imap.port -> reps[0].imap.port, the way a reader of the TOML file thinks of it."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
