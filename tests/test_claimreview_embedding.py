"""ClaimReview JSON-LD is safe to embed in a page: no <, > or & in any output."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from claims.exports.claimreview import json_ld_dumps, json_ld_script
from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
HOSTILE = "Rates rose 5% </script><img src=x onerror=alert(1)> & <!-- fell"
HOSTILE_OUTLET = "Smith & Sons <Wire>"


@pytest.fixture
def chief(client):
    client.force_login(UserFactory(username="dora", role="desk chief"))
    return client


@pytest.fixture
def hostile():
    article = ArticleFactory(title="A </script> headline & more", outlet=HOSTILE_OUTLET)
    return ClaimFactory(
        article=article, text=HOSTILE, summary="", speaker="", status=Claim.Status.DISPUTED
    )


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def assert_embeddable(text: str) -> None:
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\\u003c/script\\u003e" in text and "\\u0026" in text


def test_the_helper_escapes_and_round_trips():
    document = {"claimReviewed": HOSTILE, "list": ["<b>", "a&b"]}
    text = json_ld_dumps(document)
    assert_embeddable(text)
    assert json.loads(text) == document


def test_the_script_block_holds_one_closing_tag_its_own():
    block = json_ld_script({"claimReviewed": HOSTILE})
    assert block.startswith('<script type="application/ld+json">')
    assert block.count("</script") == 1 and block.rstrip().endswith("</script>")


@pytest.mark.parametrize(
    "route", ["claims-claimreview", "claims-article-claimreview", "claims-claimreview-feed"]
)
def test_every_json_ld_output_is_escaped(chief, hostile, route):
    args = {"claims-claimreview": [hostile.pk], "claims-article-claimreview": [hostile.article_id]}
    response = chief.get(reverse(route, args=args.get(route, [])))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    text = body(response)
    assert_embeddable(text)
    parsed = json.loads(text)
    document = parsed[0] if isinstance(parsed, list) else parsed
    assert document["claimReviewed"] == HOSTILE
    assert document["itemReviewed"]["author"]["name"] == HOSTILE_OUTLET


@pytest.mark.parametrize("route", ["claims-claimreview", "claims-claimreview-feed"])
def test_the_script_block_is_offered_as_plain_text(chief, hostile, route):
    args = [hostile.pk] if route == "claims-claimreview" else []
    response = chief.get(reverse(route, args=args) + "?as=script")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = body(response)
    assert text.startswith('<script type="application/ld+json">')
    inner = text.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert_embeddable(inner)
    assert HOSTILE in json.dumps(json.loads(inner), ensure_ascii=False)


def test_the_review_panel_links_to_the_script_block(chief, hostile):
    response = chief.get(reverse("claims-panel", args=[hostile.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    url = reverse("claims-claimreview", args=[hostile.pk])
    assert f'href="{url}?as=script"' in response.content.decode()
