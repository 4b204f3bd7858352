"""Article identity: one canonical URL per real article, whatever link it arrived under.

:func:`canonical_url` folds the variants feeds hand out for the same page:

* scheme and host in lower case, ``www.``, ``m.``, ``mobile.`` and ``amp.`` host prefixes
  dropped, default ports (``:80``, ``:443``) dropped, ``http`` and ``https`` unified;
* fragments dropped; tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``,
  ``ocid``, ``cmpid``, ``taid``, BBC ``at_*``, Seeking Alpha ``source=feed_*``, …) removed;
  the remaining query parameters sorted;
* AMP variants: a trailing ``/amp`` segment, ``.amp`` / ``.amp.html`` endings, ``amp=1`` and
  ``outputType=amp`` parameters; and a trailing slash;
* redirect wrappers whose target is in the link itself: Google Alerts
  (``google.com/url?url=…``), the 2012 Google News form (``news.google.com/news/url?url=…``),
  the EU consent wrapper (``consent.google.com/ml?continue=…``);
* Google News article links (``/rss/articles/<id>``, ``/articles/<id>``, ``/read/<id>``): ids
  minted before mid-2024 are base64 protobufs carrying the publisher URL, which is decoded
  offline. Newer ids carry an opaque ``AU_yqL…`` token that only Google's servers can resolve
  (two requests, fragile and rate-limited), so for those the canonical form is
  ``https://news.google.com/rss/articles/<id>``, with every query parameter dropped: the id is
  stable across feeds, so the same Google News item still dedups, but it will not meet the
  publisher's own URL here. Matching those to publisher items is left to story clustering.

Scheme-less or unparsable input is returned stripped, never raised on: identity must never
stop an article from being stored.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "cmp",
        "taid",
        "_ga",
        "_gl",
        "spm",
        "smid",
        "smtyp",
        "sr_share",
        "ito",
        "ncid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "soc_src",
        "soc_trk",
        "mbid",
        "feedtype",
        "ref_src",
        "oc",
        "amp",
        "outputtype",
        "xtor",
        "wt.mc_id",
        "s_cid",
        "icid",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "rssfeed",
        "sref",
    }
)
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "vero_", "__hs")
_HOST_PREFIXES = ("www.", "amp.", "m.", "mobile.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_GN_ARTICLE = re.compile(r"^/(?:rss/)?(?:articles|read)/([A-Za-z0-9_-]+)")
_GN_HOST = "news.google.com"
_REDIRECT_HOSTS = {"google.com": "url", "consent.google.com": "continue"}
_MAX_DEPTH = 3


def _is_tracking(name: str, value: str) -> bool:
    key = name.lower()
    if key in _TRACKING_EXACT or key.startswith(_TRACKING_PREFIXES):
        return True
    return key in {"source", "ref"} and value.lower().startswith(("feed", "rss", "twitter"))


def _strip_host(host: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                changed = True
    return host


def _strip_amp_path(path: str) -> str:
    for suffix in ("/amp/", "/amp"):
        if path.endswith(suffix):
            return path[: -len(suffix)] or "/"
    for suffix in (".amp.html", ".amp"):
        if path.endswith(suffix):
            return path[: -len(suffix)] + (".html" if suffix == ".amp.html" else "")
    return path.replace("/amp/", "/", 1) if path.startswith("/amp/") else path


def decode_google_news_id(article_id: str) -> str | None:
    """The publisher URL inside an old-format Google News id, else ``None``. Never raises.

    Old ids are URL-safe base64 of ``08 13 22 <len> <url>`` (optionally followed by an AMP
    URL). New ids hold an ``AU_yqL…`` token instead and give ``None``.
    """
    try:
        raw = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(b"\x08\x13\x22") or len(raw) < 5:
        return None
    pos, length, shift = 3, 0, 0
    while pos < len(raw) and shift < 28:  # protobuf varint length
        byte = raw[pos]
        length |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if not byte & 0x80:
            break
    payload = raw[pos : pos + length]
    if not payload.startswith((b"http://", b"https://")) or len(payload) != length:
        return None
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _redirect_target(host: str, path: str, query: list[tuple[str, str]]) -> str | None:
    params = dict(query)
    if host == _GN_HOST and path == "/news/url":
        return params.get("url")
    if host in _REDIRECT_HOSTS and (path in {"/url", "/ml"}):
        target = params.get(_REDIRECT_HOSTS[host])
        return target if target and target.startswith(("http://", "https://")) else None
    return None


def _canonical(url: str, depth: int) -> str:
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return cleaned
    host = parts.hostname.rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    query = parse_qsl(parts.query, keep_blank_values=True)
    bare = _strip_host(host)
    if depth < _MAX_DEPTH:
        target = _redirect_target(bare, parts.path, query)
        if target:
            return _canonical(target, depth + 1)
    if bare == _GN_HOST:
        found = _GN_ARTICLE.match(parts.path)
        if found:
            decoded = decode_google_news_id(found.group(1))
            if decoded and depth < _MAX_DEPTH:
                return _canonical(decoded, depth + 1)
            return f"https://{_GN_HOST}/rss/articles/{found.group(1)}"
    netloc = bare
    # both schemes become https below, so either default port is dropped (else the result
    # of http://host:443 would change when canonicalised again)
    if port is not None and port not in _DEFAULT_PORTS.values():
        netloc = f"{bare}:{port}"
    kept = sorted(
        (k, v)
        for k, v in query
        if not _is_tracking(k, v) and not (k.lower() == "outputtype" and v.lower() == "amp")
    )
    path = _strip_amp_path(parts.path).rstrip("/")
    return urlunsplit(("https", netloc, path, urlencode(kept), ""))


def site_of(url: str) -> str:
    """The host ``url`` points at, without ``www.`` ("" when it has none or does not parse):
    what an alert names as the outlet when the feed names none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def canonical_url(url: str) -> str:
    """The canonical form of ``url`` (see the module docstring). Pure; never raises."""
    try:
        return _canonical(url, 0)
    except Exception:  # identity must never stop ingestion; fall back to the raw text
        return url.strip() if isinstance(url, str) else ""
