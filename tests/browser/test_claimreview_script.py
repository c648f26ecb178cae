"""The ready-to-paste ClaimReview <script> block, pasted into a page Chromium renders: the
JSON parses back to the claim and a claim written as markup runs nothing."""

from __future__ import annotations

import json

import pytest

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOSTILE = "Rates rose 5% </script><img src=x onerror=window.pwned=1> & <!-- fell"


def paste_into_page(page, block: str) -> None:
    page.set_content(f"<!doctype html><html><body>{block}<p id=after>after</p></body></html>")


def test_the_script_block_parses_in_chromium_and_runs_nothing(roles, new_page, browser):
    UserFactory(username="dora", role="desk chief")
    article = ArticleFactory(title="Rates </script> & more", outlet="Smith & Sons")
    claim = ClaimFactory(article=article, text=HOSTILE, summary="", status=Claim.Status.DISPUTED)
    page = new_page("dora")
    response = page.request.get(f"/claims/{claim.pk}/claimreview.json?as=script")
    assert response.ok
    block = response.text()

    # Pasted into someone's page with no content security policy (the desk's own would
    # stop inline handlers and hide the difference).
    page = browser.new_page()
    paste_into_page(page, block)
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.images.length") == 0
    assert page.locator("#after").inner_text() == "after"  # the block ended where it should
    scripts = page.evaluate(
        "[...document.querySelectorAll('script[type=\"application/ld+json\"]')]"
        ".map(s => JSON.parse(s.textContent))"
    )
    assert len(scripts) == 1
    assert scripts[0]["claimReviewed"] == HOSTILE
    assert scripts[0]["itemReviewed"]["appearance"]["headline"] == "Rates </script> & more"

    # The same document without the escaping is what ran script before: the check sees it.
    unescaped = json.dumps(scripts[0], ensure_ascii=False)
    paste_into_page(page, f'<script type="application/ld+json">{unescaped}</script>')
    page.wait_for_function("window.pwned === 1")
    page.close()
