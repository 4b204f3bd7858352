"""Property tests (hypothesis) that the other suites lack: no uncaught exception on arbitrary
input wherever strangers' text or JSON enters.

Already covered elsewhere, not repeated here: canonical_url on any text and on URL-shaped text
(tests/stories/test_identity.py), feed parsing and entry normalisation (tests/sources/
test_properties.py, tests/sources/test_fastxml.py), the ``/deal`` parser and runner
(tests/handlers/test_grammar.py, tests/handlers/test_commands.py), Discord escaping
(tests/discord_adapter/test_markup_properties.py). Added here: canonical_url is stable
(canonicalising twice changes nothing), Slack escaping leaves no ping or link, Slack request
keys and Discord interaction payloads of any shape only ever fail with CommandError.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discordapp.commandtext import build_text, from_interaction_data
from bot.errors import CommandError
from bot.slackapp.escape import mrkdwn, plain
from bot.slackapp.request_keys import request_key
from bot.stories.identity import canonical_url

URLS = st.builds(
    "{}://{}{}{}?{}#{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["news.example", "www.news.example", "NEWS.example:443", "m.news.example"]),
    st.sampled_from(["", "/", "/a/b/", "/amp/x", "/x.html", "/%7Ea"]),
    st.text(alphabet="abc/-_.%", max_size=12),
    st.lists(
        st.tuples(
            st.sampled_from(["utm_source", "id", "fbclid", "p", "ref", "gclid", "Q"]),
            st.text(alphabet="ab1=&%", max_size=5),
        ),
        max_size=4,
    ).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    st.text(alphabet="ab", max_size=3),
)


@given(URLS)
def test_canonical_url_is_stable(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


PINGS = st.lists(
    st.sampled_from(
        ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C1>", "<http://x|y>", "&lt;", "*b*"]
    )
    | st.text(max_size=10),
    max_size=8,
).map("".join)


@given(PINGS)
def test_slack_escaping_leaves_no_ping_or_link(text: str) -> None:
    for out in (plain(text), mrkdwn(text)):
        assert "<" not in out and ">" not in out
        assert "@channel" not in out.lower() and "@here" not in out.lower()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["name", "options", "type", "value", "focused", "x"]), children, max_size=5
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(JSON)
def test_discord_interaction_data_of_any_shape_only_raises_command_error(data: Any) -> None:
    payload = data if isinstance(data, dict) else {"name": "deal", "options": data}
    with contextlib.suppress(CommandError):
        sub, options, _focused = from_interaction_data(payload)
        assert isinstance(build_text(sub, options), str)


@given(st.text(max_size=300), st.text(max_size=80))
def test_slack_request_key_never_raises(body: str, signature: str) -> None:
    for candidate in (body, json.dumps({"event_id": body}), "payload=" + body):
        key = request_key(candidate, signature)
        assert key.startswith("slack:") and len(key) <= 200
