"""Settings: one TOML file, read once, typed and validated; secrets come from the environment."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from assistant.errors import ConfigError

Security = Literal["ssl", "starttls", "none"]
Auth = Literal["password", "xoauth2", "oauthbearer"]
Provider = Literal["google", "microsoft", "custom"]
# Folder names that are SPECIAL-USE attributes (RFC 6154): the server says which folder it is.
SENT_BY_SPECIAL_USE = "\\Sent"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///nurture.db"


class PriceSettings(_Section):
    """US dollars per million tokens; a key left out comes from the model's list price."""

    input: float | None = Field(default=None, ge=0)
    output: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)
    cache_read: float | None = Field(default=None, ge=0)


class LlmSettings(_Section):
    provider: Literal["offline", "anthropic"] = "offline"
    model: str = "claude-sonnet-4-6"
    api_key_env: str = "ANTHROPIC_API_KEY"
    base_url: str | None = None
    timeout_seconds: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    batch: bool = False
    prices: PriceSettings = PriceSettings()
    # With provider "anthropic", lead replies are read by Claude unless this says "offline".
    classifier: Literal["anthropic", "offline"] = "anthropic"
    classifier_model: str | None = None  # default: `model`


class ContentSettings(_Section):
    """The library, and the manager's rules that `nurture content import` stores with it."""

    library: str = "data/content"
    # No item to a lead when someone else at the same company got it this many days back.
    same_company_days: int = Field(default=0, ge=0, le=3650)
    tracks: dict[str, list[str]] = Field(default_factory=dict)  # stage -> preferred slugs
    # "hybrid" adds sentence embeddings to BM25 (the `embeddings` extra): a little more
    # accurate, about 20 ms a ranking instead of under 1 ms.
    ranker: Literal["bm25", "hybrid"] = "bm25"
    # Every body goes into the model's prompt: a larger one is refused at import.
    max_body_bytes: int = Field(default=64 * 1024, gt=0)

    @field_validator("tracks")
    @classmethod
    def _track_stages(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        stages = ("awareness", "consideration", "decision")
        for stage in value:
            if stage not in stages:
                raise ValueError(f"'{stage}' is not a stage ({', '.join(stages)})")
        return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class QuietPeriod(_Section):
    """Dates when no mail goes out: ISO dates, or MM-DD for every year."""

    start: str
    end: str
    reason: str = ""

    @field_validator("start", "end")
    @classmethod
    def _day(cls, value: str) -> str:
        value = value.strip()
        probe = value if len(value) == 10 else f"2000-{value}"  # 2000 has a 29 February
        try:
            date.fromisoformat(probe)
        except ValueError:
            raise ValueError(f"'{value}' is not a date like 2026-12-24 or 12-24") from None
        return value

    @model_validator(mode="after")
    def _order(self) -> QuietPeriod:
        if (len(self.start) == 10) != (len(self.end) == 10):
            raise ValueError("start and end must both be full dates or both MM-DD")
        if len(self.start) == 10 and self.end < self.start:
            raise ValueError(f"quiet period ends ({self.end}) before it starts ({self.start})")
        return self


class CadenceSettings(_Section):
    """The team's cadence; the file's [cadence] is the starting point `nurture rules` edits."""

    reply_within_hours: int = Field(default=24, ge=0, le=24 * 14)
    follow_up_after_business_days: int = Field(default=3, ge=1, le=60)
    # 1.0 keeps the spacing even; 1.5 makes each wait half again as long as the one before.
    spacing_growth: float = Field(default=1.0, ge=1.0, le=4.0)
    re_engage_after_days: int = Field(default=2, ge=0, le=60)
    # "Not right now" with no date: the lead rests this long, then is re-engaged.
    pause_without_date_days: int = Field(default=42, ge=1, le=365)
    max_touches: int = Field(default=6, ge=1, le=50)
    min_days_between_touches: int = Field(default=2, ge=0, le=60)
    daily_cap_per_mailbox: int = Field(default=150, ge=1, le=5000)
    per_minute_throttle: int = Field(default=6, ge=1, le=600)
    company_weekly_cap: int = Field(default=5, ge=1, le=500)
    window_start: str = "09:00"
    window_end: str = "17:30"
    working_days: list[str] = Field(default_factory=lambda: list(WEEKDAYS[:5]))
    holidays_country: str = ""  # "DE", "ES-MD", or "lead" for the lead's own country
    quiet_periods: list[QuietPeriod] = Field(default_factory=list)
    graceful_close: bool = False

    @field_validator("window_start", "window_end")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hours, _, minutes = value.strip().partition(":")
        ok = hours.isdigit() and minutes.isdigit() and int(minutes) < 60
        if not (ok and (int(hours) < 24 or (int(hours) == 24 and int(minutes) == 0))):
            raise ValueError(f"'{value}' is not a time like 09:00")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @field_validator("working_days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        days = [d.strip().lower()[:3] for d in value]
        bad = [d for d in days if d not in WEEKDAYS]
        if bad:
            raise ValueError(f"'{bad[0]}' is not a weekday (mon, tue, ...)")
        if not days:
            raise ValueError("needs at least one working day")
        return days

    @field_validator("holidays_country")
    @classmethod
    def _country(cls, value: str) -> str:
        value = value.strip()
        if value in ("", "lead"):
            return value
        import holidays  # only when a country is named: the import is not free

        country, _, subdiv = value.upper().partition("-")
        known = holidays.list_supported_countries()
        if country not in known:
            raise ValueError(f"'{value}' is not a country the holidays library knows (e.g. DE)")
        if subdiv and subdiv not in known[country]:
            raise ValueError(f"'{value}': {country} has no subdivision {subdiv}")
        return f"{country}-{subdiv}" if subdiv else country

    @model_validator(mode="after")
    def _window(self) -> CadenceSettings:
        if self.window_end <= self.window_start:
            raise ValueError(
                f"window_end ({self.window_end}) must come after window_start ({self.window_start})"
            )
        return self


class DaemonSettings(_Section):
    sync_interval_seconds: float = Field(default=60.0, gt=0)
    send_interval_seconds: float = Field(default=30.0, gt=0)
    # IMAP IDLE wakes a pass as soon as mail arrives; servers drop IDLE after 30 minutes
    # (RFC 2177), and renewing also probes for half-open connections.
    idle: bool = True
    idle_renew_seconds: float = Field(default=25 * 60, gt=0, le=29 * 60)
    reconnect_max_seconds: float = Field(default=300.0, gt=0, le=3600)
    # /readyz fails once a mailbox's last successful sync is older than this.
    max_sync_lag_seconds: float = Field(default=900.0, gt=0)
    # A pass over every mailbox and lead, beside the per-mailbox wakes and the timer passes:
    # it catches what no timer names, such as edited cadence rules.
    full_pass_minutes: float = Field(default=60.0, gt=0)
    # The IDLE logins at start-up are spread over this many seconds, with jitter.
    startup_stagger_seconds: float = Field(default=10.0, ge=0, le=600)
    # Threads for parsing, understanding, planning and drafting, off the event loop.
    workers: int = Field(default=4, ge=1, le=64)
    # Replicas on one PostgreSQL: a daemon renews its mailbox leases every heartbeat; those of
    # a daemon that died pass to the living once `lease_ttl_seconds` have gone by.
    lease_ttl_seconds: float = Field(default=30.0, gt=0, le=600)
    lease_heartbeat_seconds: float = Field(default=10.0, gt=0, le=300)

    @model_validator(mode="after")
    def _heartbeat(self) -> DaemonSettings:
        if self.lease_heartbeat_seconds * 2 > self.lease_ttl_seconds:
            raise ValueError(
                f"lease_heartbeat_seconds ({self.lease_heartbeat_seconds:g}) must be at most half "
                f"of lease_ttl_seconds ({self.lease_ttl_seconds:g})"
            )
        return self

    # How often the daemon reads the reps table and starts or stops mailbox watchers.
    reconcile_seconds: float = Field(default=5.0, gt=0, le=600)


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


class LeadsSettings(_Section):
    # The rep who owns imported rows that name no owner; unset, such rows are refused.
    default_owner: str | None = None


class LoggingSettings(_Section):
    # "json": one object per line (time, level, logger, message, mailbox / lead / draft ids).
    format: Literal["text", "json"] = "text"


class ImapSettings(_Section):
    host: str
    port: int = Field(default=993, gt=0, lt=65536)
    security: Security = "ssl"
    username: str
    auth: Auth = "password"
    provider: Provider | None = (
        None  # whose OAuth client grants the token (auth other than password)
    )
    password_env: str | None = Field(default=None, validate_default=True)
    inbox: str = "INBOX"
    # "\\Sent" asks the server which folder is Sent (SPECIAL-USE), whatever its language.
    sent_folder: str = "Sent"
    append_to_sent: bool = True  # off for providers that file their own copy (Gmail, Microsoft 365)
    timeout_seconds: float = Field(default=30.0, gt=0)

    @field_validator("password_env")
    @classmethod
    def _password_needed(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("auth", "password") == "password":
            raise PydanticCustomError("missing", "Field required")
        return value

    @model_validator(mode="before")
    @classmethod
    def _provider_defaults(cls, data: object) -> object:
        """Google and Microsoft file their own copy of sent mail and name Sent in the user's
        language, so unless the file says otherwise Nurture neither appends nor guesses."""
        if isinstance(data, dict) and data.get("provider") in ("google", "microsoft"):
            data = {"append_to_sent": False, "sent_folder": SENT_BY_SPECIAL_USE, **data}
        return data

    @model_validator(mode="after")
    def _credentials(self) -> ImapSettings:
        if self.auth != "password" and self.provider is None:
            raise ValueError(
                f"auth is {self.auth} but provider (google, microsoft or custom) is not set"
            )
        return self


class SmtpSettings(_Section):
    host: str
    port: int = Field(default=587, gt=0, lt=65536)
    security: Security = "starttls"
    username: str | None = None
    auth: Auth = "password"
    provider: Provider | None = None
    password_env: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _credentials(self) -> SmtpSettings:
        if self.auth != "password" and self.provider is None:
            raise ValueError(
                f"auth is {self.auth} but provider (google, microsoft or custom) is not set"
            )
        return self


class OAuthClientSettings(_Section):
    """The operator's own OAuth client at one provider; the endpoints default to the provider's."""

    client_id_env: str
    client_secret_env: str | None = None  # none for a public client (device flow)
    client_secret_expires: date | None = None  # as the provider's console shows it: warned before
    tenant: str = "organizations"  # Microsoft Entra: a tenant id, organizations or common
    # Microsoft Entra's sign-in host: login.microsoftonline.us for US Government clouds,
    # login.partner.microsoftonline.cn for the one operated by 21Vianet.
    login_host: str = "login.microsoftonline.com"
    authorize_url: str | None = None
    token_url: str | None = None
    revoke_url: str | None = None
    scopes: tuple[str, ...] | None = None


class OAuthSettings(_Section):
    token_key_env: str = "NURTURE_TOKEN_KEY"  # a Fernet key that encrypts refresh tokens at rest
    refresh_margin_seconds: float = Field(default=300.0, ge=0)
    google: OAuthClientSettings | None = None
    microsoft: OAuthClientSettings | None = None
    custom: OAuthClientSettings | None = None
    # The account that tells a rep to reconnect: not theirs, whose grant may be the one that ended.
    notice_smtp: SmtpSettings | None = None
    notice_from: str | None = None


class SendBudgetSettings(_Section):
    """What one mailbox may send, on top of the cadence caps; unset fields keep the provider's."""

    provider: Literal["google", "microsoft", "other"] | None = None  # else from hosts and grants
    messages_per_day: int | None = Field(default=None, ge=1)
    recipients_per_day: int | None = Field(default=None, ge=1)
    messages_per_minute: int | None = Field(default=None, ge=1)


class SendingSettings(_Section):
    # The daily budget of a mailbox on a server that is neither Google's nor Microsoft's.
    other_messages_per_day: int = Field(default=1000, ge=1)


class SyncSettings(_Section):
    # Mail older than this is recorded for the ledger and threading, never read for a draft.
    first_sync_days: int = Field(default=90, ge=1, le=36500)


class RepSettings(_Section):
    email: str
    name: str
    title: str = ""
    signature: str = ""
    team: str = "default"
    timezone: str = ""  # IANA name; the last resort for a lead's local time
    imap: ImapSettings | None = None
    smtp: SmtpSettings | None = None
    send_budget: SendBudgetSettings = SendBudgetSettings()

    @field_validator("email")
    @classmethod
    def _address(cls, value: str) -> str:
        value = value.strip().lower()
        local, _, domain = value.partition("@")
        if not local or "." not in domain or any(c in value for c in " \r\n,<>"):
            raise ValueError(f"'{value}' is not an email address")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"'{value}' is not a time zone like Europe/Madrid") from None
        return value


class Settings(_Section):
    database: DatabaseSettings = DatabaseSettings()
    llm: LlmSettings = LlmSettings()
    content: ContentSettings = ContentSettings()
    cadence: CadenceSettings = CadenceSettings()
    daemon: DaemonSettings = DaemonSettings()
    web: WebSettings = WebSettings()
    logging: LoggingSettings = LoggingSettings()
    leads: LeadsSettings = LeadsSettings()
    oauth: OAuthSettings = OAuthSettings()
    sending: SendingSettings = SendingSettings()
    sync: SyncSettings = SyncSettings()
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
    owner = settings.leads.default_owner
    if owner is not None and settings.rep(owner) is None:
        raise ConfigError(where, "leads.default_owner", f"{owner} is not one of the reps")
    return settings


def _dotted(data: object, loc: tuple[int | str, ...]) -> str:
    """reps.0.imap.port -> reps[0].imap.port, the way a reader of the TOML file thinks of it."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
