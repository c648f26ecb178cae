"""The job path: an extracted article's claims are matched by a real worker on a real Redis
(the follow-on task published after extraction)."""

from __future__ import annotations

import json

import pytest

from claims.models import Article, ClaimMatch, ClaimVector
from claims.services import article_create
from claims.services.factchecks import fact_checks_import
from tests.conftest import wait_for

pytestmark = pytest.mark.worker

ARTICLE = """Floods Displace Thousands in River Delta

LENORA, Sept. 3 (Meridian News) – Floods in the Sarro river delta have forced at least 48,000 people from their homes since heavy rains began, regional officials said on Tuesday.

The regional emergency office said 17 people had died and about 2,300 homes were destroyed.
"""


def test_a_worker_matches_the_claims_it_extracted_against_the_archive(celery_worker):
    record = {
        "id": "fc-floods",
        "text": "Floods in the Sarro river delta forced at least 48,000 people from their homes.",
        "rating": "Accurate",
        "publisher": "Delta Check",
        "url": "https://deltacheck.example.org/floods",
    }
    fact_checks_import(data=json.dumps(record).encode())
    article_create(text=ARTICLE)
    article = Article.objects.get()

    def matched():
        return ClaimMatch.objects.filter(claim__article=article, fact_check__isnull=False).first()

    match = wait_for(matched, timeout=120, what=f"a match\n{celery_worker.output()[-3000:]}")
    assert "48,000" in match.claim.text
    assert match.fact_check.external_id == "fc-floods"
    assert match.score >= 0.5
    live = article.claims.filter(is_orphaned=False).count()
    wait_for(
        lambda: ClaimVector.objects.filter(claim__article=article).count() == live, what="vectors"
    )
