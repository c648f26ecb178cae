"""Environment for the test suite, set before pytest-django loads the settings.

Loaded as a plugin (``-p tests.testenv`` in pyproject.toml) because settings are read
before any conftest.py. Everything is a default: CI overrides DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault(
    "NEWSFACTS_SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789"
)
# Tests run with production settings (debug off) except that the test client speaks HTTP.
os.environ.setdefault("NEWSFACTS_SSL_REDIRECT", "0")
# Each run gets its own var/: its SQLite test database and embedded Redis socket, so a
# `make run` desk on the same machine is never touched.
os.environ.setdefault("NEWSFACTS_VAR_DIR", tempfile.mkdtemp(prefix="newsfacts-test-"))
