"""The desk overview: status distribution drawn as inline SVG on the server."""

import pytest
from django.urls import reverse

from claims import charts
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_overview_draws_the_desk_and_each_outlet(client):
    client.force_login(UserFactory(username="ed", role="editor"))
    reuters, wire = ArticleFactory(outlet="Reuters"), ArticleFactory(outlet="<b>Wire</b>")
    for n, status in enumerate(["verified", "verified", "disputed", "unreviewed"]):
        ClaimFactory(article=reuters, text=f"r {n}", status=status)
    ClaimFactory(article=wire, text="w", status="sourced")
    ClaimFactory(article=wire, text="orphan", status="verified", is_orphaned=True)
    response = client.get(reverse("claims-overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert "Reuters — Verified: 2 (50.0 %)" in html
    assert "&lt;b&gt;Wire&lt;/b&gt; — Sourced: 1 (100.0 %)" in html
    assert "<b>Wire</b>" not in html
    assert "<title>Verified: 2 (40.0 %)</title>" in html  # the whole desk, orphans left out
    assert 'href="/?outlet=Reuters&amp;status=verified"' in html


def test_the_overview_needs_a_role(client):
    assert client.get(reverse("claims-overview")).url.startswith(reverse("login"))
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("claims-overview")).status_code == 403


def test_stacked_bars_fill_the_width_in_status_order():
    parts = charts.stacked_bar({"verified": 1, "sourced": 1, "disputed": 0, "unreviewed": 2})
    assert [p.status for p in parts] == ["verified", "sourced", "disputed", "unreviewed"]
    assert [p.x for p in parts] == [0, 25, 50, 50]
    assert [p.width for p in parts] == [25, 25, 0, 50]
    assert sum(p.width for p in charts.stacked_bar({})) == 0
