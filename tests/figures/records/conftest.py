"""Fixtures of the records tests: `server`, a throw-away PostgreSQL cluster per test
module (tests/records_services.py); a module that loads it overrides `server` with its
own fixture of that name asking for this one."""
from __future__ import annotations

import pytest
from records_services import postgres_server


@pytest.fixture(scope="module")
def server():
    """The URL of a running throw-away cluster (skipped without psycopg or PostgreSQL)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    with postgres_server() as url:
        yield url
