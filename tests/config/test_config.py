"""Configuration: file discovery, environment overrides, secrets, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config.durations import format_duration, parse_duration
from bot.config.loader import load_settings
from bot.errors import ConfigError


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "dealradar.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2s", 2),
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("1h30m", 5400),
        ("250ms", 0.25),
        ("7d", 604800),
    ],
)
def test_durations_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5x", "m5", "-5m", "0s", "5m junk"])
def test_bad_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_duration_round_trip() -> None:
    assert format_duration(5400) == "1h30m"
    assert format_duration(0.5) == "500ms"


def test_defaults_without_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.database_url == "sqlite:///dealradar.db"
    assert settings.poll_interval == 300
    assert settings.http.port == 8080
    assert settings.fetch.allow_private_networks is False
    assert [r.platform for r in settings.routes] == ["console"]
    kinds = {s.resolved_kind for s in settings.sources}
    assert kinds == {"news_search", "rss"}
    assert any("Foxconn" in (s.query or "") for s in settings.sources)


def test_file_found_in_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, 'poll_interval = "2m"\n')
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}).poll_interval == 120


def test_env_names_the_file_and_overrides_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'database_url = "sqlite:///a.db"\n[http]\nport = 9000\n'
        '[[sources]]\nname = "x"\nurl = "https://example.org/feed"\ninterval = "30s"\n',
    )
    env = {
        "DEALRADAR_CONFIG": path,
        "DEALRADAR_DATABASE_URL": "postgresql://u@h:5432/db",
        "DEALRADAR_HTTP_PORT": "9100",
    }
    settings = load_settings(env=env)
    assert settings.database_url == "postgresql://u@h:5432/db"
    assert settings.http.port == 9100
    assert settings.sources[0].resolved_kind == "rss"
    assert settings.sources[0].interval == 30


def test_every_problem_is_reported_with_its_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'poll_interval = "soon"\nbogus = 1\n[fetch]\nallow_privat_networks = true\n'
        '[[sources]]\nname = "a"\nurl = "ftp://example.org/x"\n'
        '[[sources]]\nname = "b"\nkind = "gdelt"\n'
        '[[routes]]\nplatform = "slack"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    text = "\n".join(info.value.problems)
    assert "poll_interval:" in text
    assert "bogus: unknown key" in text
    assert "fetch.allow_privat_networks: unknown key" in text
    assert "sources[0].url:" in text
    assert "sources[1]:" in text and "needs query" in text
    assert "routes[0]:" in text and "needs channel" in text


def test_secrets_only_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[slack]\nbot_token = "xoxb-in-file"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert "slack.bot_token: secrets are read from the environment only" in str(info.value)
    assert "xoxb-in-file" not in str(info.value)


def test_secret_from_file_and_redacted(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("xoxb-very-secret-token\n", encoding="utf-8")
    settings = load_settings(env={"SLACK_BOT_TOKEN_FILE": str(secret), "DISCORD_TOKEN": "d.tok.en"})
    assert settings.slack.bot_token is not None
    assert settings.slack.bot_token.get_secret_value() == "xoxb-very-secret-token"
    assert "xoxb-very-secret-token" not in repr(settings)
    assert "d.tok.en" not in repr(settings) and "d.tok.en" not in str(settings)


def test_missing_named_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(str(tmp_path / "nope.toml"), env={})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("bogus_key = 1\n", "bogus_key"),
        ('[[sources]]\nname = "a"\nurl = "not a url"\n', "sources[0].url"),
        ('poll_interval = "5 minutes"\n', "poll_interval"),
    ],
)
def test_check_config_exits_2_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    result = CliRunner().invoke(main, ["--config", path, "check-config"])
    assert result.exit_code == 2
    assert key in result.output


def test_check_config_ok(tmp_path: Path) -> None:
    path = write(tmp_path, '[[sources]]\nname = "a"\nurl = "https://example.org/feed"\n')
    result = CliRunner().invoke(
        main, ["--config", path, "check-config"], env={"SLACK_BOT_TOKEN": "xoxb-abcdef"}
    )
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.output
    assert "slack          enabled" in result.output
    assert "xoxb-abcdef" not in result.output


def test_token_file_with_invalid_utf8_is_a_config_error(tmp_path: Path) -> None:
    # issue 19, defect 11: a traceback and exit 1 before
    secret = tmp_path / "token"
    secret.write_bytes(b"xoxb-\xff\xfe-secret")
    with pytest.raises(ConfigError) as info:
        load_settings(env={"SLACK_BOT_TOKEN_FILE": str(secret)})
    assert "SLACK_BOT_TOKEN_FILE: not UTF-8 text (byte 0xff at offset 5)" in str(info.value)
    result = CliRunner().invoke(
        main, ["check-config"], env={"SLACK_BOT_TOKEN_FILE": str(secret), "DEALRADAR_CONFIG": ""}
    )
    assert result.exit_code == 2, result.output
    assert "not UTF-8 text" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("content", ["", " \n"], ids=["empty", "blank"])
def test_empty_token_file_is_a_config_error_not_slack_silently_off(
    tmp_path: Path, content: str
) -> None:
    # issue 19, defect 11: Slack was turned off and check-config said OK
    secret = tmp_path / "token"
    secret.write_text(content, encoding="utf-8")
    path = write(tmp_path, '[[routes]]\nplatform = "slack"\nchannel = "C1"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={"SLACK_BOT_TOKEN_FILE": str(secret)})
    assert f"SLACK_BOT_TOKEN_FILE: {str(secret)!r} is empty" in str(info.value)
