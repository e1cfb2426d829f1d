"""An empty Redis database for a Celery round trip, skipped (or failed) without Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis


@contextmanager
def empty_redis_database(url: str) -> Iterator[str]:
    """Yield ``url`` with its database emptied before and after the test."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        reason = f"Redis is not reachable at {url}: {error}"
        if os.environ.get("NASTAVNIK_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason} (NASTAVNIK_REQUIRE_REDIS=1)")
        pytest.skip(reason)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
