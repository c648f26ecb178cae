"""Login throttling behind a reverse proxy locks the guessing client, not the account."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from newsfacts.client_address import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def behind_proxy(settings):
    settings.NEWSFACTS_BEHIND_PROXY = True
    settings.NEWSFACTS_PROXY_COUNT = 1
    return settings


def _login(client: Client, password: str, forwarded_for: str):
    # Every request reaches the app from the proxy's own address, as behind nginx.
    return client.post(
        reverse("login"),
        {"username": "editor2", "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        REMOTE_ADDR="10.0.0.2",
    )


def _guess_until_locked(settings, forwarded_for: str) -> None:
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(attacker, "wrong", forwarded_for).status_code == 200
    assert _login(attacker, "wrong", forwarded_for).status_code == 429
    assert _login(attacker, PASSWORD, forwarded_for).status_code == 429


def test_guesses_from_one_client_do_not_lock_the_user_out_from_another(behind_proxy):
    UserFactory(username="editor2", role="editor")
    _guess_until_locked(behind_proxy, "198.51.100.7")
    response = _login(Client(), PASSWORD, "203.0.113.9")
    assert response.status_code == 302
    assert response.url == reverse("claims-queue")


def test_a_forged_header_prefix_does_not_escape_the_lock(behind_proxy):
    # The client writes "X-Forwarded-For: <anything>"; the proxy appends the real address.
    UserFactory(username="editor2", role="editor")
    _guess_until_locked(behind_proxy, "192.0.2.1, 198.51.100.7")
    assert _login(Client(), PASSWORD, "192.0.2.99, 198.51.100.7").status_code == 429
    assert _login(Client(), PASSWORD, "198.51.100.8").status_code == 302


def test_two_proxies_take_the_second_entry_from_the_right(behind_proxy):
    behind_proxy.NEWSFACTS_PROXY_COUNT = 2
    UserFactory(username="editor2", role="editor")
    _guess_until_locked(behind_proxy, "192.0.2.1, 198.51.100.7, 10.0.0.1")
    assert _login(Client(), PASSWORD, "198.51.100.7, 10.0.0.1").status_code == 429
    assert _login(Client(), PASSWORD, "203.0.113.9, 10.0.0.1").status_code == 302


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.NEWSFACTS_BEHIND_PROXY = False
    UserFactory(username="editor2", role="editor")
    _guess_until_locked(settings, "198.51.100.7")
    # Anyone could send the header: the lock follows the connection's address.
    assert _login(Client(), PASSWORD, "203.0.113.9").status_code == 429


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("192.0.2.1,198.51.100.7", "198.51.100.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("unknown", "10.0.0.2"),  # not an address: the proxy's own is all we know
        ("", "10.0.0.2"),
    ],
)
def test_the_client_address_is_what_the_proxy_appended(behind_proxy, rf, forwarded_for, expected):
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="10.0.0.2")
    assert client_address(request) == expected
