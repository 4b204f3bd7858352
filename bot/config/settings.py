"""The validated settings tree. Built once at start by :func:`bot.config.loader.load_settings`.

Every model forbids unknown keys, so a typo is an error that names the key instead of a setting
silently ignored. Secrets are :class:`pydantic.SecretStr` (``repr`` and ``str`` redacted) and are
only ever read from the environment (or a ``*_FILE`` it names), never from the TOML file.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from bot.config.durations import Duration
from bot.domain import EventType

Platform = Literal["console", "slack", "discord"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_http_url(value: str) -> str:
    """``value`` when it is an http(s) URL; the error shows it without its secrets."""
    from urllib.parse import urlsplit

    from bot.redaction import redact_url

    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        ok = False
    if not ok:
        raise ValueError(f"{redact_url(value)!r} is not an http(s) URL")
    return value


def _hide_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` replaced, for ``repr`` (never for use)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable URL)"
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


class SourceConfig(_Strict):
    def __repr_args__(self) -> Any:  # a feed's credentials stay out of logs and tracebacks
        for key, value in super().__repr_args__():
            yield key, _hide_userinfo(value) if key == "url" and value else value

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["rss", "news_search", "gdelt"] | None = None
    url: str | None = None
    query: str | None = Field(default=None, min_length=1, max_length=500)
    interval: Duration | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value)

    @model_validator(mode="after")
    def _kind_fits(self) -> SourceConfig:
        kind = self.resolved_kind
        if kind == "rss" and not self.url:
            raise ValueError("an rss source needs url")
        if kind in ("news_search", "gdelt") and not self.query:
            raise ValueError(f"a {kind} source needs query")
        return self

    @property
    def resolved_kind(self) -> str:
        if self.kind:
            return self.kind
        return "rss" if self.url else "news_search"


class RouteConfig(_Strict):
    platform: Platform = "console"
    channel: str = ""
    companies: list[str] = Field(default_factory=list)
    events: list[EventType] = Field(
        default_factory=lambda: [EventType.PLANT_CLOSURE, EventType.PARTNERSHIP]
    )

    @model_validator(mode="after")
    def _channel(self) -> RouteConfig:
        if self.platform != "console" and not self.channel:
            raise ValueError(f"a {self.platform} route needs channel (the channel id)")
        return self


class FetchConfig(_Strict):
    allow_private_networks: bool = False
    timeout: Duration = 20.0
    connect_timeout: Duration = 5.0
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    concurrency: int = Field(default=32, ge=1, le=1024)
    # Measured in docs/benchmarks.md: aiohttp is the faster wire (both pin checked addresses);
    # parse_workers = processes parsing feeds off the event loop (None: one per core, 0: inline);
    # store_writers = concurrent ingest transactions on PostgreSQL (SQLite always uses 1).
    backend: Literal["aiohttp", "httpcore"] = "aiohttp"
    parse_workers: int | None = Field(default=None, ge=0, le=64)
    store_writers: int = Field(default=4, ge=1, le=64)
    # articles per ingest transaction: changed feeds queue while one commits (docs/benchmarks.md)
    ingest_batch: int = Field(default=2000, ge=1, le=100_000)
    user_agent: str = "dealradar/0.1 (+https://github.com/dealradar/dealradar)"
    lease: Duration = Field(default=300.0, gt=0)  # a dead replica's claimed sources wait this


class HttpConfig(_Strict):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # a request's headers and body must arrive within read_timeout of the connection going idle
    # (slow clients are closed); connections beyond max_connections are answered 503 and closed
    read_timeout: Duration = 10.0
    max_connections: int = Field(default=256, ge=1, le=100_000)


class WebConfig(_Strict):
    """The operator's console (:mod:`bot.console`), served by the HTTP server above.

    Off unless ``enabled``. ``token`` comes only from ``DEALRADAR_WEB_TOKEN`` (or ``_FILE``);
    ``trusted_proxy_header`` names a header a single-sign-on proxy in front sets to the user
    (the proxy must strip it from what clients send).
    """

    enabled: bool = False
    trusted_proxy_header: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9-]+$"
    )
    token: SecretStr | None = None

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("DEALRADAR_WEB_TOKEN must be at least 16 characters")
        return value


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class CompanyConfig(_Strict):
    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = Field(default_factory=list)
    parent: str | None = None


class DeliveryConfig(_Strict):
    max_attempts: int = Field(default=12, ge=1, le=100)
    flood_threshold: int = Field(default=8, ge=2)
    per_channel_interval: Duration = 1.0
    lease: Duration = Field(default=120.0, gt=0)  # a dead replica's claimed alerts wait this


class LimitsConfig(_Strict):
    """What one chat user, channel or workspace may ask of the bot (a workspace is one chat
    platform the bot serves: its Slack workspace, or its Discord application's servers)."""

    user_commands_per_minute: int = Field(default=20, ge=1, le=10_000)
    channel_commands_per_minute: int = Field(default=60, ge=1, le=10_000)
    # sources added from chat (/deal sources add, /deal watch) in one workspace
    max_sources: int = Field(default=200, ge=0, le=100_000)
    # /deal watch subscriptions in one workspace
    max_subscriptions: int = Field(default=1000, ge=0, le=1_000_000)
    # news-search sources one non-admin may cause /deal watch to add (admins: no quota)
    member_sources: int = Field(default=5, ge=0, le=10_000)


class SlackSettings(_Strict):
    """From ``SLACK_*`` environment variables only."""

    bot_token: SecretStr | None = None
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    admin_channel: str | None = None

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None


class DiscordSettings(_Strict):
    """From ``DISCORD_*`` environment variables only (``admin_channel`` may be in TOML)."""

    token: SecretStr | None = None
    public_key: str | None = None
    application_id: str | None = None
    api_url: str = "https://discord.com/api/v10"
    gateway_url: str | None = None
    admin_channel: str | None = None

    @property
    def enabled(self) -> bool:
        return self.token is not None


class Settings(_Strict):
    def __repr_args__(self) -> Any:  # the database password stays out of logs and tracebacks
        for key, value in super().__repr_args__():
            yield key, _hide_userinfo(value) if key == "database_url" else value

    database_url: str = "sqlite:///dealradar.db"
    poll_interval: Duration = 300.0
    group_wait: Duration = 30.0
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    admins: list[str] = Field(default_factory=list)
    watch_adds_sources: bool = True
    fetch: FetchConfig = FetchConfig()
    http: HttpConfig = HttpConfig()
    web: WebConfig = WebConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    limits: LimitsConfig = LimitsConfig()
    sources: list[SourceConfig] = Field(default_factory=list)
    routes: list[RouteConfig] = Field(default_factory=list)
    companies: list[CompanyConfig] = Field(default_factory=list)
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("use sqlite:///PATH or postgresql://USER@HOST:PORT/DB")
        return value

    @model_validator(mode="after")
    def _console_guarded(self) -> Settings:
        """The console refuses to start where anyone but this machine could reach it
        without a token (or a single-sign-on proxy header)."""
        web = self.web
        if not web.enabled:
            return self
        if not self.http.enabled:
            raise ValueError("web.enabled needs http.enabled (the console uses that server)")
        if is_loopback(self.http.host) or web.token or web.trusted_proxy_header:
            return self
        raise ValueError(
            f"web.enabled: http.host {self.http.host!r} is not loopback; set"
            " DEALRADAR_WEB_TOKEN (or DEALRADAR_WEB_TOKEN_FILE) or web.trusted_proxy_header"
        )

    @model_validator(mode="after")
    def _unique_source_names(self) -> Settings:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique: {', '.join(dupes)}")
        return self
