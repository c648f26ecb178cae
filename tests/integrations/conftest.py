"""A local web server for feeds, pages and webhook receivers (no outside network).

pytest-httpserver's server runs in this process on 127.0.0.1; it is threaded here so a
page that stalls (the timeout tests) never holds up the next request.
"""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

LOOPBACK = ["127.0.0.0/8"]


@pytest.fixture(scope="session")
def make_httpserver():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def web(httpserver, settings):
    """The local server, with the desk allowed to fetch from loopback (as it is not by
    default) and short timeouts, so a stalled page fails in a second, not thirty."""
    settings.NEWSFACTS_FETCH_ALLOWED_NETWORKS = LOOPBACK
    settings.NEWSFACTS_FETCH_CONNECT_TIMEOUT = 2
    settings.NEWSFACTS_FETCH_READ_TIMEOUT = 0.5
    settings.NEWSFACTS_FETCH_TOTAL_TIMEOUT = 2
    return httpserver
