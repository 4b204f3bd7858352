"""The /deal grammar: every command, every error, and hostile text treated as plain text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import EventType
from bot.errors import CommandError
from handlers import commands as c
from handlers.grammar import MAX_ARG, clean, parse

CLOSURE, PARTNER = EventType.PLANT_CLOSURE, EventType.PARTNERSHIP

VALID: list[tuple[str, c.Command]] = [
    ("", c.Help()),
    ("   ", c.Help()),
    ("help", c.Help()),
    ("HELP me", c.Help()),
    ("/deal help", c.Help()),
    ("nissan", c.Lookup("nissan", 30)),
    ("/deal nissan", c.Lookup("nissan", 30)),
    ("Nissan 7d", c.Lookup("Nissan", 7)),
    ("hon hai 90D", c.Lookup("hon hai", 90)),
    ("general   motors", c.Lookup("general motors", 30)),
    ("7d", c.Lookup("7d", 30)),  # a lone "7d" is a name, not a window
    ("latest", c.Latest(None, 7)),
    ("latest closures", c.Latest(CLOSURE, 7)),
    ("latest partnerships 14d", c.Latest(PARTNER, 14)),
    ("latest 3d closure", c.Latest(CLOSURE, 3)),
    ("watch nissan", c.Watch("nissan", "all")),
    ("watch hon hai closures", c.Watch("hon hai", "plant_closure")),
    ("watch general motors partnerships", c.Watch("general motors", "partnership")),
    ("watch nissan all", c.Watch("nissan", "all")),
    ("watch everything", c.Watch("*", "all")),
    ("watch * closures", c.Watch("*", "plant_closure")),
    ("watch closures", c.Watch("closures", "all")),
    ("unwatch nissan", c.Unwatch("nissan")),
    ("unwatch *", c.Unwatch("*")),
    ("list", c.ListChannel()),
    ("mute nissan 7d", c.MuteCompany("nissan", 7 * 86400.0)),
    ("mute general motors 1h30m", c.MuteCompany("general motors", 5400.0)),
    ("unmute hon hai", c.Unmute("hon hai")),
    ("digest daily 08:30", c.Digest("08:30", None)),
    ("digest daily 8:05 Europe/Paris", c.Digest("08:05", "Europe/Paris")),
    ("digest off", c.Digest(None)),
    ("DIGEST OFF", c.Digest(None)),
    ("quiet 22:00-07:00", c.Quiet("22:00", "07:00", None)),
    ("quiet 22:00-07:00 America/New_York", c.Quiet("22:00", "07:00", "America/New_York")),
    ("quiet off", c.Quiet(None)),
    ("sources", c.Sources()),
    ("sources add https://feeds.example/x.xml", c.SourceAdd("https://feeds.example/x.xml")),
    (
        "sources add http://feeds.example/x.xml My Feed",
        c.SourceAdd("http://feeds.example/x.xml", "My Feed"),
    ),
    ("sources remove My Feed", c.SourceRemove("My Feed")),
    # hostile or unusual text is plain text
    ("Robert'); DROP TABLE stories;--", c.Lookup("Robert'); DROP TABLE stories;--", 30)),
    ("nissan' OR '1'='1", c.Lookup("nissan' OR '1'='1", 30)),
    ("تويوتا", c.Lookup("تويوتا", 30)),
    ("טויוטה 7d", c.Lookup("טויוטה", 7)),
    ("🚗 motors", c.Lookup("🚗 motors", 30)),
    ("watch 日産", c.Watch("日産", "all")),
    ("nis\x00san\x07", c.Lookup("nissan", 30)),
    ("nissan\u202e 7d", c.Lookup("nissan", 7)),
    ("nissan\t\n7d", c.Lookup("nissan", 7)),
    ("<!channel> @here", c.Lookup("<!channel> @here", 30)),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid_commands(text: str, expected: c.Command) -> None:
    assert parse(text) == expected


LONG = "x" * 10_000
ERRORS: list[tuple[str, str]] = [
    (LONG, "too long"),
    ("nissan " + LONG, "too long"),
    ("a" * (MAX_ARG + 1), "too long"),
    ("watch " + "b" * (MAX_ARG + 1), "too long"),
    ("nissan 0d", "1d to 365d"),
    ("nissan 400d", "1d to 365d"),
    ("latest 0d", "1d to 365d"),
    ("latest everything", "Unexpected"),
    ("latest closures closures", "Unexpected"),
    ("latest 3d 4d", "Unexpected"),
    ("watch", "Give a company name"),
    ("watch !!!", "letters or digits"),
    ("unwatch", "Give a company name"),
    ("list nissan", "takes no arguments"),
    ("mute", "how long"),
    ("mute nissan", "how long"),
    ("mute nissan forever", "not a duration"),
    ("mute nissan 0s", "not a duration"),
    ("mute nissan 400d", "at most 365d"),
    ("mute 7d", "how long"),
    ("unmute", "Give a company name"),
    ("digest", "Usage"),
    ("digest weekly 08:00", "Usage"),
    ("digest daily", "Usage"),
    ("digest daily 25:00", "not a time"),
    ("digest daily 8", "not a time"),
    ("digest daily 08:30 Mars/Olympus", "not a time zone"),
    ("digest daily 08:30 ../../etc/passwd", "not a time zone"),
    ("digest daily 08:30 /etc/localtime", "not a time zone"),
    ("digest daily 08:30 UTC extra", "Usage"),
    ("quiet", "Usage"),
    ("quiet 22:00", "Usage"),
    ("quiet 22:00-22:00", "different times"),
    ("quiet 22:00-7", "not a time"),
    ("quiet 22:00-07:00 Nowhere/Land", "not a time zone"),
    ("sources add", "Give the feed URL"),
    ("sources add ftp://feeds.example/x", "not an http(s) URL"),
    ("sources add javascript:alert(1)", "not an http(s) URL"),
    ("sources add https://" + "a" * 450, "not an http(s) URL"),
    ("sources remove", "Give a source name"),
    ("sources delete x", "Usage"),
    ("!!!", "letters or digits"),
    ("🚗", "letters or digits"),
]


@pytest.mark.parametrize(("text", "needle"), ERRORS)
def test_errors_are_one_actionable_line(text: str, needle: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse(text)
    message = str(caught.value)
    assert needle in message
    assert "\n" not in message
    assert len(message) < 250
    assert "/deal" in message or "e.g." in message


def test_control_characters_vanish_before_parsing() -> None:
    assert parse("\x00\x01\x02") == c.Help()
    assert parse("\x1b[31mnissan") == c.Lookup("[31mnissan", 30)


def test_clean_keeps_scripts_and_emoji_but_drops_controls() -> None:
    assert clean("a\u200fb\u2066c\x1bd") == "abcd"
    assert clean("👩\u200d🔧 שלום") == "👩\u200d🔧 שלום"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=700))
def test_parser_never_raises_anything_but_command_error(text: str) -> None:
    message = _outcome(text)
    assert message is None or "\n" not in message


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "watch",
                "mute",
                "digest",
                "daily",
                "quiet",
                "sources",
                "add",
                "remove",
                "latest",
                "7d",
                "08:30",
                "22:00-07:00",
                "off",
                "all",
                "closures",
                "UTC",
                "nissan",
                "hon",
                "hai",
                "https://x.example/f",
                "1h",
                "*",
                "list",
                "help",
            ]
        ),
        max_size=6,
    )
)
def test_keyword_soup_parses_or_explains(words: list[str]) -> None:
    message = _outcome(" ".join(words))
    assert message is None or message.strip()


def _outcome(text: str) -> str | None:
    """None when ``text`` parses, else the error message; any other exception propagates."""
    try:
        parse(text)
    except CommandError as exc:
        return str(exc)
    return None
