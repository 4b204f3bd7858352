"""Read settings once: TOML file, then environment overrides, then validation.

Where the file comes from: ``--config PATH``, else ``$DEALRADAR_CONFIG``, else ``./dealradar.toml``
when it exists, else built-in defaults. Environment variables override the file (table below) and
are the only place secrets come from; each secret may instead be given as ``NAME_FILE`` naming a
file that holds it (Docker/Kubernetes secrets). Every problem is collected into one
:class:`bot.errors.ConfigError` whose lines name the key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.config.defaults import default_routes, default_sources
from bot.config.settings import Settings
from bot.errors import ConfigError

# environment variable -> dotted settings key
ENV_OVERRIDES: dict[str, str] = {
    "DEALRADAR_DATABASE_URL": "database_url",
    "DEALRADAR_POLL_INTERVAL": "poll_interval",
    "DEALRADAR_GROUP_WAIT": "group_wait",
    "DEALRADAR_LOG_LEVEL": "log_level",
    "DEALRADAR_HTTP_HOST": "http.host",
    "DEALRADAR_HTTP_PORT": "http.port",
    "DEALRADAR_ALLOW_PRIVATE_NETWORKS": "fetch.allow_private_networks",
    "SLACK_API_URL": "slack.api_url",
    "SLACK_ADMIN_CHANNEL": "slack.admin_channel",
    "DISCORD_API_URL": "discord.api_url",
    "DISCORD_GATEWAY_URL": "discord.gateway_url",
    "DISCORD_PUBLIC_KEY": "discord.public_key",
    "DISCORD_APPLICATION_ID": "discord.application_id",
    "DISCORD_ADMIN_CHANNEL": "discord.admin_channel",
}
# secrets: environment (or NAME_FILE) only
SECRET_ENV: dict[str, str] = {
    "SLACK_BOT_TOKEN": "slack.bot_token",
    "SLACK_APP_TOKEN": "slack.app_token",
    "SLACK_SIGNING_SECRET": "slack.signing_secret",
    "DISCORD_TOKEN": "discord.token",
    "DEALRADAR_WEB_TOKEN": "web.token",
}
_SECRET_KEYS = set(SECRET_ENV.values())


def find_config_file(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read, or None for built-in defaults.

    Raises:
        ConfigError: an explicitly named file (flag or ``DEALRADAR_CONFIG``) does not exist.
    """
    named = explicit or env.get("DEALRADAR_CONFIG")
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError([f"config file {named}: not found"])
        return path
    local = Path("dealradar.toml")
    return local if local.is_file() else None


def load_settings(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build validated settings from file + environment.

    Raises:
        ConfigError: listing every problem, each naming its key.
    """
    env = os.environ if env is None else env
    path = find_config_file(explicit, env)
    data: dict[str, Any] = {}
    problems: list[str] = []
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError([f"{path}: {exc}"]) from None
    for key in sorted(_SECRET_KEYS):
        section, name = key.split(".")
        if isinstance(data.get(section), dict) and name in data[section]:
            problems.append(f"{key}: secrets are read from the environment only, not the file")
            del data[section][name]
    for var, key in ENV_OVERRIDES.items():
        if env.get(var):
            _set(data, key, env[var])
    for var, key in SECRET_ENV.items():
        try:
            value = _secret_from_env(var, env)
        except OSError as exc:
            problems.append(f"{var}_FILE: cannot read ({exc.strerror})")
            continue
        except UnicodeDecodeError as exc:
            problems.append(
                f"{var}_FILE: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                f"{exc.start}); write the secret as plain text"
            )
            continue
        if value == "" and not env.get(var):
            problems.append(
                f"{var}_FILE: {env[var + '_FILE']!r} is empty; put the secret in it, or unset "
                f"{var}_FILE to run without it"
            )
            continue
        if value:
            _set(data, key, value)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems.extend(_describe(exc))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    if not settings.sources:
        settings = settings.model_copy(update={"sources": default_sources()})
    if not settings.routes:
        settings = settings.model_copy(update={"routes": default_routes(settings)})
    return settings


def _secret_from_env(var: str, env: Mapping[str, str]) -> str | None:
    if env.get(var):
        return env[var].strip()
    file_name = env.get(f"{var}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return None


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[leaf] = value


def _describe(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        key = ""
        for part in error["loc"]:
            key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{key or '(top level)'}: {message}")
    return lines
