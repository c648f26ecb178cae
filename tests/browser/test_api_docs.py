"""The API's docs page in a real browser: Swagger UI runs under the desk's content
security policy (its scripts are the desk's own static files, nothing inline)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_lists_every_endpoint_under_the_csp(roles, new_page):
    UserFactory(username="rita", role="reviewer")
    page = new_page("rita")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/claims", "/api/v1/claims/{claim_id}/status", "/api/v1/articles"} <= {
        p.strip().replace("\u200b", "") for p in paths
    }
    screenshot(page, "api-docs.png")
    assert errors == []
