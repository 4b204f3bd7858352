"""Turn the untrusted text of feed items into plain, bounded, correctly decoded Unicode.

Feed titles and summaries arrive as HTML fragments, entity-escaped text, or text mis-decoded
upstream (UTF-8 read as Windows-1252: ``Kennedyâ€™s``). Everything a source kind hands on goes
through :func:`clean_text`: tags dropped (script/style contents too), entities decoded, mojibake
repaired when the repair is exact, whitespace collapsed and length capped with "…". Escaping for
a chat platform is not done here; each renderer does that for its own markup.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

TITLE_MAX_CHARS = 500
SUMMARY_MAX_CHARS = 2000
ELLIPSIS = "…"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONT = "".join(
    chr(b)
    if chr(b).encode("cp1252", "ignore") == bytes([b])
    else bytes([b]).decode("cp1252", "ignore")
    for b in range(0x80, 0xC0)
) + "".join(chr(b) for b in range(0x80, 0xC0))
_CONT_CLASS = "[" + re.escape("".join(sorted(set(_CONT)))) + "]"
# Only repair when the text shows pairs that are almost never legitimate: UTF-8 punctuation
# ("â€™"), Latin-1 letters ("Ã©", "Â "), Cyrillic ("Ð°"), read as Windows-1252.
_MOJIBAKE_EVIDENCE = re.compile(f"[\u00c2\u00c3\u00d0\u00d1\u00e2]{_CONT_CLASS}")
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00df]{_CONT_CLASS}|[\u00e0-\u00ef]{_CONT_CLASS}{{2}}|[\u00f0-\u00f4]{_CONT_CLASS}{{3}}"
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})
_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6"})
_HTML_INPUT_LIMIT = 200_000  # characters of markup we are willing to walk per field


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


# A start tag with plain double-quoted attributes, or an end tag: the markup feeds mostly carry
# (<p>, <br/>, <a href="...">, <img src="..." />). Anything else goes to HTMLParser.
_PLAIN_TAG = re.compile(
    r'<(?:/([a-zA-Z][a-zA-Z0-9]*)|([a-zA-Z][a-zA-Z0-9]*)(?:\s+[a-zA-Z][-a-zA-Z0-9:]*="[^"<>]*")*'
    r"\s*(/?))>"
)


def _plain_html_to_text(markup: str) -> str | None:
    """What :class:`_TextExtractor` makes of markup whose every ``<`` opens a plain tag (see
    :data:`_PLAIN_TAG`) outside script/style-like elements, without its per-character Python
    loop; None for any other markup."""
    tags = list(_PLAIN_TAG.finditer(markup))
    if len(tags) != markup.count("<"):
        return None
    parts: list[str] = []
    position = 0
    for tag in tags:
        if tag.start() > position:
            parts.append(unescape(markup[position : tag.start()]))
        position = tag.end()
        closing, opening, self_closing = tag.groups()
        name = (closing or opening).lower()
        if name in _SKIP_TAGS:
            return None
        if name in _BLOCK_TAGS:
            # HTMLParser reports <br/> as a start and an end tag: a space for each.
            parts.append("  " if self_closing else " ")
    if position < len(markup):
        parts.append(unescape(markup[position:]))
    return "".join(parts)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded), not yet collapsed."""
    if "<" not in markup:
        return unescape(markup)
    if len(markup) <= _HTML_INPUT_LIMIT:
        plain = _plain_html_to_text(markup)
        if plain is not None:
            return plain
    parser = _TextExtractor()
    parser.feed(markup[:_HTML_INPUT_LIMIT])
    parser.close()
    return "".join(parser.parts)


def _to_cp1252(chars: str) -> bytes:
    out = bytearray()
    for char in chars:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            out.append(ord(char))  # bytes cp1252 leaves undefined pass through as Latin-1
    return bytes(out)


def _repair_match(match: re.Match[str]) -> str:
    try:
        return _to_cp1252(match.group(0)).decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252/Latin-1 (``Kennedyâ€™s`` → ``Kennedy’s``).

    Only when the text holds tell-tale pairs (``â€``, ``Ã©``, ``Ð°``…), each suspicious sequence
    (a UTF-8 lead byte's character followed by continuation bytes' characters) is replaced when
    its bytes decode as UTF-8; text without such pairs is returned unchanged. Text mangled twice
    (``ÐÂ¡``) is repaired until nothing changes: every repair makes the text shorter, so this
    ends, and cleaning cleaned text changes nothing.
    """
    while not text.isascii() and _MOJIBAKE_EVIDENCE.search(text):
        repaired = _MOJIBAKE.sub(_repair_match, text)
        if repaired == text:
            break
        text = repaired
    return text


def collapse(text: str) -> str:
    """Control characters removed, runs of whitespace made one space, ends stripped."""
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub(" ", text)
    # str.split() splits on exactly the characters \s matches (str.isspace), at C speed.
    return " ".join(text.split())


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marked with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def clean_text(value: str | None, *, is_html: bool, limit: int) -> str:
    """The plain, repaired, collapsed and capped form of one feed field."""
    if not value:
        return ""
    text = html_to_text(value) if is_html else value
    # Cap early so a 100 KB title costs no more than a short one downstream.
    return truncate(collapse(repair_mojibake(text[: limit * 4])), limit)
