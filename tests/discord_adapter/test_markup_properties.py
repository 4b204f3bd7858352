"""Property tests: no input text survives escaping as a live mention, and cuts stay in limits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discordapp import buttons
from bot.discordapp.commandtext import BUILDERS, build_text
from bot.discordapp.markup import ELLIPSIS, escape, inert, truncate

TRICKY = st.text(
    alphabet=st.sampled_from(list("@<>&!#:/*_~`|\\[]()-. \n1aeyhrvonst\u200b")), max_size=60
)
WORDS = st.one_of(TRICKY, st.text(max_size=60))


@settings(max_examples=200, deadline=None)
@given(WORDS)
def test_escape_leaves_no_mass_or_id_mention(text: str) -> None:
    out = escape(text)
    assert "@everyone" not in out
    assert "@here" not in out
    assert "<@" not in out
    assert "<#" not in out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["[a](https://x.test)", "\\", " ", "x", "["]), max_size=12))
def test_every_masked_link_is_escaped(parts: list[str]) -> None:
    """Every "[" reaches Discord after an odd number of backslashes, however many links."""
    out = escape("".join(parts))
    for at, char in enumerate(out):
        if char == "[":
            backslashes = len(out[:at]) - len(out[:at].rstrip("\\"))
            assert backslashes % 2 == 1, out


@settings(max_examples=200, deadline=None)
@given(WORDS, st.integers(min_value=0, max_value=80))
def test_inert_respects_the_limit(text: str, limit: int) -> None:
    out = inert(text, limit)
    assert len(out) <= limit
    if len(escape(text)) > limit > 0:
        assert out.endswith(ELLIPSIS)
    assert truncate(out, limit) == out


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.text(max_size=120))
def test_button_ids_round_trip_or_are_refused(story_id: int, company: str) -> None:
    custom_id = buttons.mute_id(story_id, company)
    if custom_id is None:
        assert len(f"dr:mute:{story_id}:{company}") > buttons.CUSTOM_ID_MAX
        return
    parsed = buttons.parse(custom_id)
    if company.strip():
        assert parsed == buttons.Click("mute", story_id, company=company)
    else:
        assert parsed is None


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(BUILDERS)),
    st.dictionaries(
        st.sampled_from(
            ["company", "days", "kind", "duration", "time", "timezone", "hours", "url", "name"]
        ),
        st.one_of(st.none(), st.text(max_size=30), st.integers(min_value=1, max_value=365)),
    ),
)
def test_any_options_build_one_line(sub: str, options: dict[str, object]) -> None:
    if isinstance(options.get("days"), str):
        options["days"] = 1
    text = build_text(sub, options)
    assert "\n" not in text
    assert text == text.strip()
