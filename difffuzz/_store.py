"""A campaign shared between machines, on Redis: examples, known causes, live counters.

Hosts that run one campaign (``[campaign] shared_store = "redis://HOST:6379/0"``,
the same ``shared_namespace``) share, under ``difffuzz:<namespace>:``:

* **examples**: Hypothesis's own :class:`~hypothesis.extra.redis.RedisExampleDatabase`,
  keyed per surface and strategy, so a round replays the interesting examples any
  host saved before it generates (``--resume`` continues from there, not cold);
* **the causes already known**: every fixture a host saved, by its content key
  (signature and input digest). Before a surface runs, a host writes the ones
  its corpus lacks into it (atomically, like any fixture), so their buckets count
  as shrunk there and a cause found on one host is not shrunk again on another;
  fixtures land as files on every host;
* **live counters** per surface (examples, new causes), for a report over all hosts;
* **the scheduler's estimates** (:mod:`difffuzz._schedule`), so a resumed campaign
  continues where it stopped.

Nothing in the default path needs Redis: the ``redis`` client is an optional
extra (``pip install 'difffuzz[redis]'``). A store that fails mid-campaign costs
only the sharing: the problem is kept in :attr:`SharedStore.problems`, and the
campaign goes on with its own corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from difffuzz._corpus import Corpus, Fixture, fixture_text
from difffuzz._exceptions import ConfigError

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase

__all__ = ["SharedStore"]


class SharedStore:
    """One campaign's shared state in one Redis database (see the module docstring)."""

    def __init__(self, client: Any, *, namespace: str, url: str = "") -> None:
        self.client = client
        self.namespace = namespace
        self.url = url
        self.prefix = f"difffuzz:{namespace}:"
        #: What went wrong talking to Redis after it was opened (the campaign went on).
        self.problems: list[str] = []

    @classmethod
    def open(cls, url: str, *, namespace: str) -> SharedStore:
        """Connect to ``url`` and check it answers; a clear error with the fix if not."""
        try:
            import redis
        except ImportError:
            raise ConfigError(
                f"shared_store = {url!r} needs the redis client: pip install 'difffuzz[redis]'"
            ) from None
        try:
            client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
            client.ping()
        except ValueError as exc:
            raise ConfigError(
                f"shared_store = {url!r} is not a Redis URL ({exc}); write it like "
                "'redis://127.0.0.1:6379/0'"
            ) from None
        except redis.RedisError as exc:
            raise ConfigError(
                f"the shared store {url} does not answer ({type(exc).__name__}: {exc}); start "
                "redis-server there, or run without shared_store"
            ) from None
        return cls(client, namespace=namespace, url=url)

    def _key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def _guard(self, what: str, action: Any, *args: Any, **kwargs: Any) -> Any:
        """``action(*args, **kwargs)``; a Redis error is kept as a problem and gives None."""
        import redis

        try:
            return action(*args, **kwargs)
        except redis.RedisError as exc:
            self.problems.append(f"{what}: {type(exc).__name__}: {exc}")
            return None

    # -- examples -------------------------------------------------------------------

    def examples(self) -> ExampleDatabase:
        """Hypothesis's database of examples, shared by every host of the campaign."""
        from hypothesis.extra.redis import RedisExampleDatabase

        return RedisExampleDatabase(self.client, key_prefix=self._key("examples").encode() + b":")

    # -- causes ---------------------------------------------------------------------

    def publish(self, fixtures: Iterable[Fixture]) -> int:
        """Add fixtures to the shared index by content key; how many were new there."""
        added = 0
        for fixture in fixtures:
            key = self._key("causes", fixture.surface)
            text = fixture_text(fixture)
            if self._guard("publishing a fixture", self.client.hsetnx, key, fixture.id, text):
                added += 1
        return added

    def fixtures(self, surface: str) -> list[Fixture]:
        """Every fixture any host published for ``surface``."""
        stored = self._guard(
            "reading the causes", self.client.hgetall, self._key("causes", surface)
        )
        found = []
        for name, text in sorted((stored or {}).items()):
            try:
                found.append(Fixture.from_json(json.loads(text)))
            except (ValueError, TypeError, KeyError) as exc:
                self.problems.append(f"shared fixture {name!r} of {surface} is unreadable: {exc}")
        return found

    def adopt(self, corpus: Corpus, surface: str) -> int:
        """Write the shared fixtures ``corpus`` lacks into it; how many were written."""
        written = 0
        for fixture in self.fixtures(surface):
            _path, new = corpus.save(fixture)
            written += int(new)
        return written

    # -- counters -------------------------------------------------------------------

    def count(self, surface: str, **amounts: int) -> None:
        """Add to the surface's live counters (examples, causes, ...)."""
        key = self._key("counters", surface)

        def add() -> None:
            pipeline = self.client.pipeline()
            for name, amount in amounts.items():
                if amount:
                    pipeline.hincrby(key, name, amount)
            pipeline.execute()

        self._guard("counting", add)

    def counters(self) -> dict[str, dict[str, int]]:
        """Every surface's counters, over all hosts: ``{surface: {name: value}}``."""
        pattern = self._key("counters", "*")
        keys = sorted(self._guard("reading counters", self.client.keys, pattern) or [])
        result = {}
        for key in keys:
            surface = key.decode().removeprefix(self._key("counters", ""))
            values = self._guard("reading counters", self.client.hgetall, key) or {}
            result[surface] = {name.decode(): int(value) for name, value in values.items()}
        return result

    # -- the scheduler's estimates ----------------------------------------------------------

    def save_estimates(self, estimates: Mapping[str, Mapping[str, Any]]) -> None:
        key = self._key("estimates")
        fields = {surface: json.dumps(dict(record)) for surface, record in estimates.items()}
        if fields:
            self._guard("saving estimates", self.client.hset, key, mapping=fields)

    def load_estimates(self) -> dict[str, dict[str, Any]]:
        stored = self._guard("reading estimates", self.client.hgetall, self._key("estimates")) or {}
        return {name.decode(): json.loads(value) for name, value in stored.items()}

    def close(self) -> None:
        self._guard("closing", self.client.close)
