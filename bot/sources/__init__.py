"""News sources: fetching (httpx), feed parsing (feedparser) and the source-kind registry.

The map, outside in:

* ``registry``    ``SOURCE_KINDS``: kind name → ``async fetch(client, spec, state, limits)``
* ``rss``, ``news_search``, ``gdelt``   one module per kind; ``rss.fetch_document`` is the
  shared fetch → hash → parse step (a 200 with an unchanged body hash is not parsed)
* ``client``      ``build_client(limits, user_agent=...)``: the one shared ``httpx.AsyncClient``
* ``transport``   SSRF-checked, DNS-pinned connections; ``addresses`` holds the policy
* ``fetcher``     one bounded GET: deadline, size cap, redirects, conditional GET, error reasons;
  ``bodies`` inflates gzip/deflate under the cap
* ``feeds``       RSS/Atom/RDF (feedparser on bytes) and JSON Feed (``jsonfeed``) → ``FeedEntry``;
  ``entries`` and ``text`` hold the normalisation rules shared by every format
* ``offload``     where parsing runs (inline, or an executor set by the composition root)
* ``spacing``     process-wide request spacing (GDELT's one request per 5 s)
* ``backoff``     pure scheduling arithmetic: next delay, when to disable a source

Every failure is a :class:`bot.errors.SourceError` with a short ``reason`` (see
:mod:`bot.sources.fetcher`, :mod:`bot.sources.feeds`, :mod:`bot.sources.gdelt`) and a message
that names the URL without credentials.
"""
