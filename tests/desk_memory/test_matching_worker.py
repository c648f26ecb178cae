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


STORY = """Port Strike Ends

VALMORA, June 2 (Coastal Wire) – More than 340 container ships waited offshore during the eight-day strike at the Port of Valmora, the port authority said on Thursday.

{extra}
"""


def test_two_worker_processes_match_at_once_and_keep_the_statistics_whole(
    redis_server, transactional_db, tmp_path
):
    """Many workers share one archive: matches across articles extracted by different
    processes, and every claim counted into the BM25 table exactly once."""
    from claims.models import FactCheck, LexicalTerm
    from tests.conftest import start_worker, stop_worker

    worker = start_worker(tmp_path, "--pool", "prefork", "--concurrency", "2")
    try:
        extras = [
            "Shipping lines said the queue would take a week to clear.",
            "The union said its members would vote on the deal next month.",
            "Fishing boats were allowed to leave the harbour on Wednesday.",
            "Analysts said freight rates on the route could fall sharply.",
        ]
        articles = [article_create(text=STORY.format(extra=extra)) for extra in extras]

        def all_encoded():
            live = sum(a.claims.filter(is_orphaned=False).count() for a in articles)
            done = all(a.jobs.get().state == "done" for a in articles)
            return done and live and ClaimVector.objects.count() == live

        wait_for(all_encoded, timeout=180, what=f"every claim encoded\n{worker.output()[-3000:]}")
        ships = [a.claims.get(text__contains="340 container ships") for a in articles]

        def all_matched():
            return all(
                ClaimMatch.objects.filter(claim=claim, other_claim__in=ships).count() == 3
                for claim in ships
            )

        wait_for(all_matched, timeout=120, what=f"every repeat matched\n{worker.output()[-3000:]}")
    finally:
        stop_worker(worker)
    documents = LexicalTerm.objects.get(term=LexicalTerm.TOTAL_DOCUMENTS).documents
    assert documents == ClaimVector.objects.count() + FactCheck.objects.count()
    assert LexicalTerm.objects.get(term="valmora").documents == len(articles)
