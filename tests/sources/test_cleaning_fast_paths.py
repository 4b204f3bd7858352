"""The fast paths of :mod:`bot.sources.cleaning` give exactly what the general code gives."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.sources import cleaning, entries
from bot.sources.cleaning import _TextExtractor, collapse, html_to_text


def extracted(markup: str) -> str:
    """The general path: HTMLParser walking the markup."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


pieces = st.sampled_from(
    [
        "<p>", "</p>", "<P>", "<br>", "<br/>", "<br />", "<div>", "</div>", "<b>", "</b>",
        '<a href="https://x.test/a?b=1&amp;c=2">', "</a>", '<img src="i.png" alt="x"/>',
        "<script>", "</script>", "<style>", "</style>", "<title>", "<!-- c -->", "<!doctype x>",
        "<", ">", "< p>", "</ p>", "<p class=x>", "<a href='x'>", "<o:p>", "&amp;", "&lt;p&gt;",
        "&#39;", "&#x2019;", "&nbsp;", "&unknown;", "&amp", "& ", "text", " ", "\\n", "Ã©", "é",
    ]
)  # fmt: skip
fragments = st.lists(pieces, max_size=30).map("".join)


@settings(max_examples=600, deadline=None)
@given(fragments)
def test_plain_markup_reads_as_htmlparser_reads_it(markup: str) -> None:
    plain = cleaning._plain_html_to_text(markup)
    if plain is not None:
        assert plain == extracted(markup)
    assert html_to_text(markup) == (extracted(markup) if "<" in markup else html_to_text(markup))


def test_the_fast_path_takes_the_markup_feeds_carry() -> None:
    markup = '<p>Plant &amp; jobs<br/><a href="https://x.test/">more</a></p>'
    assert cleaning._plain_html_to_text(markup) == " Plant & jobs  more "
    assert cleaning._plain_html_to_text("<script>x</script>") is None
    assert cleaning._plain_html_to_text("a < b <p>") is None


def reference_collapse(value: str) -> str:
    control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    return re.sub(r"\s+", " ", control.sub(" ", value)).strip()


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from("ab \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\x00\x7f\x9f")))
def test_collapse_is_the_regular_expression_definition(value: str) -> None:
    assert collapse(value) == reference_collapse(value)


url_pieces = st.sampled_from(
    [
        "http://", "https://", "HTTP://", "ftp://", "//", "news.test", "127.0.0.1", ":8080",
        "[::1]",
        "/", "/a", "/a/../b", "./c", "?", "?q=1", "&r=2", "#frag", ";p=1", " ", "%20", "\\t",
        "é", "@", "user:pw@", ".", "-", "~",
    ]
)  # fmt: skip
bases = st.sampled_from(["https://feeds.test/f", "http://127.0.0.1:8080/f1.xml", ""])


urls = st.one_of(
    st.lists(url_pieces, max_size=8).map("".join),
    st.builds(
        "{}{}{}{}{}".format,
        st.sampled_from(["http://", "https://", "HTTPS://", " https://", "mailto:", ""]),
        st.sampled_from(["news.test", "127.0.0.1", "[::1]", "a_b.test", "user@x.test", ""]),
        st.sampled_from(["", ":8080", ":", ":x"]),
        st.lists(st.sampled_from(["/", "/a", "/..", "/./", "%41", "é", ";p", " "]), max_size=4).map(
            "".join
        ),
        st.sampled_from(["", "?", "#", "?q=1", "#f", "?q=1#f", "?#", "?q= 1", "\n"]),
    ),
)


@settings(max_examples=1000, deadline=None)
@given(urls, bases, st.booleans())
# urljoin rewrites an absolute URL of the base's scheme when it has an empty query or fragment
# (dropped) or params: those must stay off the fast path; dot segments it leaves alone
@example("https://news.test/a?", "https://feeds.test/f", True)
@example("https://news.test/a#", "https://feeds.test/f", True)
@example("http://127.0.0.1:8080/a;p", "http://127.0.0.1:8080/f1.xml", True)
@example("https://news.test/a/../b?q=1", "https://feeds.test/f", True)
def test_links_resolve_as_urljoin_resolves_them(link: str, base: str, resolve: bool) -> None:
    assert entries._web_url(link, base, resolve) == entries._resolved_web_url(link, base, resolve)
