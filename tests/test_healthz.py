import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_is_503_when_no_worker_answers(redis_server, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["worker"]["ok"] is False


def test_it_is_503_when_the_broker_is_down(client, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/no-redis-here.sock"
    client.force_login(UserFactory(username="admin", is_staff=True))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert "no-redis-here.sock" in body["broker"]["error"]
    assert body["worker"] == {"ok": False, "error": "broker down"}


@pytest.mark.parametrize("role", [None, "reviewer"])
def test_anyone_but_staff_gets_up_or_down_and_no_details(client, settings, tmp_path, role):
    settings.REDIS_URL = f"unix://{tmp_path}/no-redis-here.sock"
    if role:
        client.force_login(UserFactory(username="rita", role=role))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "ok": False,
        "database": {"ok": True},
        "broker": {"ok": False},
        "worker": {"ok": False},
    }
    assert "no-redis-here" not in response.content.decode()


def test_password_reset_pages_are_hidden_without_a_mail_server(client, settings):
    settings.NEWSFACTS_PASSWORD_RESET = False
    for url in [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post("/accounts/password_reset/", {"email": "a@b.example"}).status_code == 404


def test_password_reset_works_once_mail_is_set_up(client, settings, mailoutbox):
    settings.NEWSFACTS_PASSWORD_RESET = True
    UserFactory(username="rita", email="rita@desk.example")
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "rita@desk.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/reset/" in mailoutbox[0].body


def test_it_needs_no_login_and_is_never_cached(redis_server, client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
