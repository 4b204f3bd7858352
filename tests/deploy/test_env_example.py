"""deploy/env.example names every variable the bot reads, and nothing it does not."""

from __future__ import annotations

import re

from bot.config.loader import ENV_OVERRIDES, SECRET_ENV
from tests.deploy.artifacts import DEPLOY

ENV_EXAMPLE = DEPLOY / "env.example"
# read by something other than the settings loader: the asyncpg driver's password variable
EXTRA = {"PGPASSWORD"}
_ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def _assignments() -> dict[str, str]:
    found = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = _ASSIGNMENT.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found


def expected_variables() -> set[str]:
    secrets = set(SECRET_ENV)
    return (
        set(ENV_OVERRIDES)
        | secrets
        | {f"{var}_FILE" for var in secrets}
        | {"DEALRADAR_CONFIG"}
        | EXTRA
    )


def test_every_variable_the_bot_reads_is_listed() -> None:
    missing = expected_variables() - set(_assignments())
    assert not missing


def test_no_variable_is_listed_that_the_bot_does_not_read() -> None:
    unknown = set(_assignments()) - expected_variables()
    assert not unknown


def test_nothing_is_set_by_default_and_no_value_looks_like_a_real_token() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    active = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert active == []  # every line is an example: copying the file changes nothing
    values = _assignments()
    # Slack tokens are xoxb-/xapp- followed by digit groups; examples must not be shaped so
    assert not any(re.match(r"xox[abp]-\d+-", v) for v in values.values())
    assert not any(re.match(r"xapp-\d-", v) for v in values.values())
    assert values["SLACK_BOT_TOKEN"].startswith("xoxb-your")
