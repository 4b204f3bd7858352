"""Making untrusted text (feed titles, company names, command output) inert in Slack.

Slack gives ``&``, ``<`` and ``>`` control meaning in every text field: ``<!channel>`` pings a
channel, ``<@U123>`` pings a person, ``<http://x|click>`` is a link. Escaping them to entities
makes all of those plain text. mrkdwn has no escape for its formatting characters, so in mrkdwn
fields ``*``, ``_``, ``~`` and backticks are replaced by look-alike characters: a hostile title
cannot turn a message bold or into a code block, or unbalance our own formatting. Bare
``@channel``/``@here``/``@everyone`` never ping without ``link_names`` (which we never set);
a word joiner after the ``@`` keeps them inert even if a client re-parses the text. Bidi and
zero-width characters (:mod:`bot.invisible`) are removed first, so none hides a mention from
these patterns and the joiner added here is the only one left.

Escape exactly once, in the renderer, at the point where text enters a Slack payload.
"""

from __future__ import annotations

import re

from bot.invisible import strip_invisible

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MRKDWN_LOOKALIKES = str.maketrans(
    {
        "*": "\u2217",  # ∗ asterisk operator
        "_": "\uff3f",  # ＿ fullwidth low line
        "~": "\u223c",  # ∼ tilde operator
        "`": "\u02cb",  # ˋ modifier letter grave accent
    }
)
_MASS_PING = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Untrusted text for a ``plain_text`` object or the notification fallback."""
    text = _CONTROL.sub("", strip_invisible(text))
    return _MASS_PING.sub("@" + WORD_JOINER, text).translate(_ENTITIES)


def mrkdwn(text: str) -> str:
    """Untrusted text for a ``mrkdwn`` object: entities escaped and formatting neutralised."""
    return plain(text).translate(_MRKDWN_LOOKALIKES)


def one_line(text: str) -> str:
    """Collapse whitespace (newlines included) so feed text cannot add lines or quotes."""
    return " ".join(text.split())


def safe_url(url: str) -> str | None:
    """``url`` if it is an http(s) URL usable inside ``<url|text>``, else ``None``.

    ``<``, ``>``, ``|`` and whitespace would end or split a Slack link; they are
    percent-encoded rather than trusted.
    """
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        return None
    return (
        url.replace("|", "%7C")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace(" ", "%20")
        .replace("\n", "")
    )
