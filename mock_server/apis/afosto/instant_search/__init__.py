"""Instant search (`/cnt/instant/...`): indexes hold documents, proxies publish indexes
under aliases, and search finds documents through an index or a proxy key.

Documents, settings and their resets are index *updates*: each is listed at
`.../updates` as `enqueued` and applied by a background task, which marks it
`processed` (`POST .../settings?sync=1` applies at once). A document is named by its
`reference`; putting a known reference again merges into it.

Search matches every query word (without regard to case) against the documents' text
(only the settings' `search_fields` when set; `stop_words` are left out, `synonyms` count
as the word), applies filters `{key, operator, values}` (`key` names a field of the
document's `filters`, then of its `metadata`, then of the document; dotted paths work;
only the settings' filter keys when set), counts facets per value (numeric ones with
min, max, avg and sum), keeps the first document per `distinct_field`, shows only the
`display_fields` when set, and pages by `offset` / `limit` (default 10).

Proxy search (`POST /cnt/instant/search/{key}`) is public: the key names the proxy and
with it the account. Besides the documented JSON request and answer it serves the
vendor's JavaScript client: `Accept: application/vnd.instantsearch+json`, a body
`{"data": [query, ...]}` (sent as `text/plain`), one answer per query echoing its
`__queryID`, results keyed by the index alias; and `GET .../settings` names the aliases.

The package: `operations.py` holds the handlers, `index_updates.py` the updates and the
task that applies them, `query.py` the query language, `search.py` the search itself and
`answer_formats.py` the two answer formats.
"""

from __future__ import annotations

from .index_updates import DOCUMENTS, INDEX_UPDATE, UPDATES, IndexUpdate
from .operations import CONFLICTS, PROXY_KEY, PUBLIC_OPERATIONS, proxy_of
from .query import MAX_LIMIT
from .search import number_stats

__all__ = [
    "CONFLICTS", "DOCUMENTS", "INDEX_UPDATE", "MAX_LIMIT", "PROXY_KEY", "PUBLIC_OPERATIONS", "UPDATES",
    "IndexUpdate", "number_stats", "proxy_of",
]
