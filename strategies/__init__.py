"""The lakehouse strategy pack: generators for every surface of the staffing platform.

Importing this package registers each strategy with :func:`difffuzz.strategy`,
so a config can say ``strategy = "staffing_queries"``. The factories are also
importable directly, the way ``hypothesis.strategies`` re-exports its own::

    from difffuzz_strategies import search_requests, unicode_text

It is installed as ``difffuzz_strategies`` (the source folder is ``strategies/``)
so that a user's own module called ``strategies`` cannot shadow it. To add your
own strategies, decorate a factory with ``@difffuzz.strategy`` in any module and
list that module in the config's ``strategy_modules`` (or declare it under the
``difffuzz.strategies`` entry point of an installed package); see
``docs/strategies.md``.
"""

from __future__ import annotations

from ._embed import EMBED_PROBES, embed_batches, embed_texts
from ._llm_json import FIXTURES, MUTATIONS, llm_json, llm_json_bytes
from ._materializer import materializer_trees
from ._pools import CERTIFICATIONS, CITIES, CLIENTS, PEOPLE, ROLES
from ._sessions import (
    INT_EDGES,
    OUTCOMES,
    SESSION_RECORD_SCHEMA,
    session_records,
)
from ._staffing import (
    HOT_CLUSTERS,
    STYLES,
    WORKER_ID_PATTERN,
    WORKER_IDS,
    DemandRow,
    render_query,
    search_requests,
    staffing_queries,
    worker_id,
)
from ._unicode import CONTRACT_TEXTS, TWO_HUNDRED_WORDS, unicode_text
from ._validator import SSN_SHAPED, validator_requests

__all__ = [
    "CERTIFICATIONS",
    "CITIES",
    "CLIENTS",
    "CONTRACT_TEXTS",
    "EMBED_PROBES",
    "FIXTURES",
    "HOT_CLUSTERS",
    "INT_EDGES",
    "MUTATIONS",
    "OUTCOMES",
    "PEOPLE",
    "ROLES",
    "SESSION_RECORD_SCHEMA",
    "SSN_SHAPED",
    "STYLES",
    "TWO_HUNDRED_WORDS",
    "WORKER_IDS",
    "WORKER_ID_PATTERN",
    "DemandRow",
    "embed_batches",
    "embed_texts",
    "llm_json",
    "llm_json_bytes",
    "materializer_trees",
    "render_query",
    "search_requests",
    "session_records",
    "staffing_queries",
    "unicode_text",
    "validator_requests",
    "worker_id",
]
