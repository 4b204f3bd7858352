"""SSRF policy: which addresses are public, odd spellings, URL checks, credential redaction."""

from __future__ import annotations

import ipaddress

import pytest

from bot.errors import BlockedAddressError, SourceError
from bot.redaction import redact_url
from bot.sources.addresses import check_url, is_public_address, parse_ip_literal

NOT_PUBLIC = [
    "127.0.0.1",
    "127.255.0.9",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.127.255.254",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.5",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",
    "64:ff9b::a00:1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "2002:a00:1::",
    "::127.0.0.1",
    "2001:db8::1",
]
PUBLIC = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "64:ff9b::808:808",
    "::ffff:8.8.8.8",
    "100.63.255.255",
    "100.128.0.1",
    "172.32.0.1",
]


@pytest.mark.parametrize("text", NOT_PUBLIC)
def test_non_public_addresses_are_refused(text: str) -> None:
    assert not is_public_address(ipaddress.ip_address(text))


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_are_allowed(text: str) -> None:
    assert is_public_address(ipaddress.ip_address(text))


def test_teredo_embedding_a_private_client_is_refused() -> None:
    # Teredo stores the client address XOR 0xffffffff in the last 32 bits: 10.0.0.1 -> f5ff:fffe.
    assert not is_public_address(ipaddress.ip_address("2001:0:4136:e378:8000:63bf:f5ff:fffe"))


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("10.1", "10.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_odd_spellings_decode_to_the_real_address(spelling: str, address: str) -> None:
    assert parse_ip_literal(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize("name", ["example.com", "feeds.test", "127.0.0.1.nip.io", "0x7g.1"])
def test_names_are_not_literals(name: str) -> None:
    assert parse_ip_literal(name) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/feed",
        "http://0x7f.1/",
        "http://127.1:8080/x",
        "http://0177.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "https://[64:ff9b::a9fe:a9fe]/",
        "http://100.64.1.1/",
    ],
)
def test_check_url_blocks_literal_private_hosts(url: str) -> None:
    with pytest.raises(BlockedAddressError) as info:
        check_url(url, allow_private_networks=False)
    assert info.value.reason == "blocked_address"
    assert not info.value.retryable
    check_url(url, allow_private_networks=True)  # the config switch lifts it


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://x/",
        "javascript:alert(1)",
        "http:///nohost",
        "http://[::1/",
    ],
)
def test_check_url_rejects_other_schemes_and_malformed_urls(url: str) -> None:
    with pytest.raises(SourceError) as info:
        check_url(url, allow_private_networks=True)
    assert info.value.reason == "bad_url"


def test_check_url_accepts_public_urls_and_names() -> None:
    check_url("https://news.example.com/rss", allow_private_networks=False)
    check_url("http://93.184.216.34/feed", allow_private_networks=False)


def test_redact_url_removes_credentials_only() -> None:
    assert (
        redact_url("https://bob:hunter2@feeds.test:8443/a?b=1") == "https://feeds.test:8443/a?b=1"
    )
    assert redact_url("https://token@feeds.test/x") == "https://feeds.test/x"
    assert redact_url("http://[::1]/x") == "http://[::1]/x"
    assert "hunter2" not in redact_url("http://u:hunter2@[::1]:80/")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://feeds.test/x: HTTP 500 via https://a:b@mirror.test/y",
            "https://feeds.test/x: HTTP 500 via https://mirror.test/y",
        ),
        ("http://u:pw@[bad/ failed", "http://[bad/ failed"),
        ("source 'x': rss needs a url", "source 'x': rss needs a url"),
        ("http://[::1/", "http://[::1/"),
    ],
)
def test_redact_url_on_free_text_and_unparseable_urls(text: str, expected: str) -> None:
    assert redact_url(text) == expected
