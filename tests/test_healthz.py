import pytest

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
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert "error" in body["broker"]
    assert body["worker"] == {"ok": False, "error": "broker down"}


def test_it_needs_no_login_and_is_never_cached(redis_server, client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
