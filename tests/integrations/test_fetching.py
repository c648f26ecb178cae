"""claims/fetching.py: bounded fetching that never reaches into the desk's own network."""

from __future__ import annotations

import gzip
import socket
import time

import pytest
from werkzeug import Response

from claims.fetching import FetchError, RefusedAddress, address_allowed, fetch


def test_it_fetches_a_page_and_sends_the_host_name(web):
    web.expect_request("/story").respond_with_data("<p>hello</p>", content_type="text/html")
    fetched = fetch(web.url_for("/story"))
    assert (fetched.status, fetched.body, fetched.content_type) == (
        200,
        b"<p>hello</p>",
        "text/html",
    )
    request, _ = web.log[-1]
    assert request.headers["Host"] == f"127.0.0.1:{web.port}"
    assert request.headers["User-Agent"].startswith("NewsFacts/")


def test_it_refuses_loopback_unless_a_setting_allows_it(httpserver, settings):
    settings.NEWSFACTS_FETCH_ALLOWED_NETWORKS = []
    httpserver.expect_request("/story").respond_with_data("secret")
    for url in (httpserver.url_for("/story"), f"http://localhost:{httpserver.port}/story"):
        with pytest.raises(RefusedAddress, match="private, loopback"):
            fetch(url)
    assert httpserver.log == []  # refused before connecting: not a byte was sent


@pytest.mark.parametrize(
    "address, allowed",
    [
        ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
        ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
        ("240.0.0.1", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
        ("::ffff:10.0.0.1", False), ("8.8.8.8", True), ("2a00:1450:4001:80b::200e", True),
    ],
)  # fmt: skip
def test_which_addresses_are_public(settings, address, allowed):
    settings.NEWSFACTS_FETCH_ALLOWED_NETWORKS = []
    assert address_allowed(address) is allowed


def test_a_redirect_into_a_private_network_is_refused(web):
    for target in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin"):
        web.expect_oneshot_request("/moved").respond_with_data(
            "", status=302, headers={"Location": target}
        )
        with pytest.raises(RefusedAddress, match=target.split("/")[2]):
            fetch(web.url_for("/moved"))


def test_redirects_are_followed_and_limited(web, settings):
    settings.NEWSFACTS_FETCH_MAX_REDIRECTS = 3
    web.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    web.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/c?x=1"})
    web.expect_request("/c").respond_with_data("arrived")
    fetched = fetch(web.url_for("/a"))
    assert (fetched.body, fetched.url) == (b"arrived", web.url_for("/c?x=1"))
    web.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="More than 3 redirects"):
        fetch(web.url_for("/loop"))


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "gopher://x/",
     "http://user:pw@example.org/", "http:///nohost", "not a url at all"],
)  # fmt: skip
def test_only_plain_web_addresses_are_fetched(url):
    with pytest.raises(FetchError):
        fetch(url)


def test_a_body_over_the_limit_is_refused_declared_or_not(web, settings):
    settings.NEWSFACTS_FETCH_MAX_BYTES = 1000
    web.expect_request("/big").respond_with_data(b"x" * 1001)
    with pytest.raises(FetchError, match="limit of 1,000 bytes|the limit is 1,000"):
        fetch(web.url_for("/big"))

    def undeclared(request):  # chunked: no Content-Length to refuse it by
        return Response((b"y" * 300 for _ in range(10)), content_type="text/html")

    web.expect_request("/stream").respond_with_handler(undeclared)
    with pytest.raises(FetchError, match="larger than the limit"):
        fetch(web.url_for("/stream"))
    web.expect_request("/small").respond_with_data(b"z" * 1000)
    assert len(fetch(web.url_for("/small")).body) == 1000


def test_a_compressed_bomb_stops_at_the_limit(web, settings):
    settings.NEWSFACTS_FETCH_MAX_BYTES = 100_000
    bomb = gzip.compress(b"\0" * 20_000_000)  # 20 MB in ~20 kB
    web.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="larger than the limit"):
        fetch(web.url_for("/bomb"))


def test_a_page_that_stalls_times_out(web):
    def stall(request):
        time.sleep(1.5)
        return Response("late")

    web.expect_request("/slow").respond_with_handler(stall)
    # The error names the timeout (the read gave up before the 1.5 s answer), no clock:
    # timings belong in bench/, and a loaded CI machine would make a bound flaky.
    with pytest.raises(FetchError, match="did not answer in time") as caught:
        fetch(web.url_for("/slow"))
    assert caught.value.transient


def test_a_server_that_drips_is_stopped_by_the_total_deadline(web):
    def drip(request):
        def body():
            for _ in range(40):
                time.sleep(0.1)
                yield b"."

        return Response(body())

    web.expect_request("/drip").respond_with_handler(drip)
    with pytest.raises(FetchError, match="longer than the time limit"):
        fetch(web.url_for("/drip"))


def test_it_connects_to_the_address_it_checked_not_a_second_answer(web, settings, monkeypatch):
    """DNS rebinding: the name resolves to an allowed address when checked and to another
    one afterwards; the connection must go to the checked one."""
    settings.NEWSFACTS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"] + ["127.0.0.2"] * 10)  # .2: nobody listens there

    def rebinding(host, port, *args, **kwargs):
        if host == "news.rebind.test":
            return real(next(answers), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    web.expect_request("/story").respond_with_data("the checked address")
    fetched = fetch(f"http://news.rebind.test:{web.port}/story")
    assert fetched.body == b"the checked address"
    assert web.log[-1][0].headers["Host"] == f"news.rebind.test:{web.port}"


def test_a_name_with_any_private_address_is_refused(settings, monkeypatch):
    settings.NEWSFACTS_FETCH_ALLOWED_NETWORKS = []
    real = socket.getaddrinfo

    def split_horizon(host, port, *args, **kwargs):
        if host == "both.test":
            return real("8.8.8.8", port, *args, **kwargs) + real("10.0.0.5", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", split_horizon)
    with pytest.raises(RefusedAddress, match="10.0.0.5"):
        fetch("http://both.test/")


def test_a_server_error_is_transient_a_missing_page_is_not(web):
    web.expect_request("/down").respond_with_data("", status=503)
    web.expect_request("/gone").respond_with_data("", status=404)
    with pytest.raises(FetchError) as down:
        fetch(web.url_for("/down")).raise_for_status()
    with pytest.raises(FetchError) as gone:
        fetch(web.url_for("/gone")).raise_for_status()
    assert (down.value.transient, gone.value.transient) == (True, False)


def test_a_closed_port_is_a_transient_error(web):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="could not be reached") as caught:
        fetch(f"http://127.0.0.1:{port}/")
    assert caught.value.transient
