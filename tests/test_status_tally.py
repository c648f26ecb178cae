"""The desk's per-status counts come from a tally the database keeps with triggers
(claims/models/tally.py): they must equal a real count after every kind of write, and
under concurrent changes."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count

from claims import selectors, services
from claims.models import Article, Claim, ClaimStatusTally
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

STATUSES = [Claim.Status.SOURCED, Claim.Status.DISPUTED, Claim.Status.VERIFIED]


def counted() -> dict[str, int]:
    """What the tally must say: a real count of live claims (neither orphaned nor
    dismissed) per status."""
    rows = (
        Claim.objects.filter(is_orphaned=False, dismissed="")
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {status: 0 for status in Claim.Status.values}
    counts.update({row["status"]: row["n"] for row in rows.order_by()})
    counts["all"] = sum(counts[s] for s in Claim.Status.values)
    return counts


def review(claim: Claim, user, status: str) -> Claim:
    return services.claim_set_status(
        claim_id=claim.pk,
        user=user,
        status=status,
        expected_version=claim.version,
        note="checked",
        source_url="https://stats.example.org/table",
        counter_source=status == Claim.Status.DISPUTED,
    )


@pytest.mark.django_db
def test_the_tally_follows_every_kind_of_write():
    user = UserFactory(username="rev")
    articles = [ArticleFactory() for _ in range(3)]
    claims = [ClaimFactory(article=articles[n % 3], text=f"claim {n}") for n in range(12)]
    assert selectors.claim_status_counts() == counted() and counted()["all"] == 12
    review(claims[0], user, Claim.Status.VERIFIED)
    review(claims[1], user, Claim.Status.DISPUTED)
    services.claims_bulk_set_status(
        versions={c.pk: c.version for c in claims[2:5]}, user=user, status="disputed", note="x"
    )
    assert selectors.claim_status_counts() == counted()
    assert counted()[Claim.Status.DISPUTED] == 4
    Claim.objects.filter(pk=claims[5].pk).update(is_orphaned=True)  # re-extraction lost it
    Claim.objects.filter(pk=claims[5].pk).update(status=Claim.Status.VERIFIED)  # still orphaned
    assert selectors.claim_status_counts() == counted()
    Claim.objects.filter(pk=claims[5].pk).update(is_orphaned=False)  # found again
    Claim.objects.filter(pk=claims[6].pk).update(status="verified", is_orphaned=True)
    claims[7].delete()
    Claim.objects.filter(pk=claims[8].pk).update(status=Claim.Status.UNREVIEWED)  # no change
    articles[0].delete()  # a cascade
    assert selectors.claim_status_counts() == counted()
    assert ClaimStatusTally.objects.get(status="verified").count == counted()["verified"]
    assert Article.objects.count() == 2
    # A dismissed claim ("not a claim") leaves the counts; restored, it comes back.
    kept = Claim.objects.filter(is_orphaned=False).first()
    before = counted()["all"]
    Claim.objects.filter(pk=kept.pk).update(dismissed="opinion")
    assert selectors.claim_status_counts() == counted() and counted()["all"] == before - 1
    Claim.objects.filter(pk=kept.pk).update(dismissed="", status=Claim.Status.DISPUTED)
    assert selectors.claim_status_counts() == counted() and counted()["all"] == before


@pytest.mark.django_db
def test_filtered_counts_are_still_counted(settings):
    ClaimFactory(article=ArticleFactory(outlet="Wire"), status="verified")
    ClaimFactory(article=ArticleFactory(outlet="Post"))
    counts = selectors.claim_status_counts(filters=selectors.ClaimFilters(outlet="Wire"))
    assert counts["all"] == 1 and counts["verified"] == 1
    assert selectors.claim_status_counts()["all"] == 2


@pytest.mark.django_db(transaction=True)
def test_counts_stay_exact_under_concurrent_status_changes():
    """Eight reviewers change overlapping claims at once, many times; some lose version
    races (a conflict, nothing written). Afterwards the tally equals a real count."""
    users = [UserFactory(username=f"r{n}") for n in range(8)]
    article = ArticleFactory()
    claim_ids = [ClaimFactory(article=article, text=f"claim {n}").pk for n in range(20)]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def work(user, seed: int) -> None:
        rng = random.Random(seed)
        try:
            barrier.wait(timeout=30)
            for _ in range(25):
                claim = Claim.objects.get(pk=rng.choice(claim_ids))
                try:
                    review(claim, user, rng.choice(STATUSES))
                    outcomes.append("saved")
                except services.ReviewConflict:
                    outcomes.append("conflict")
                except Exception as exc:  # SQLite: "database is locked"; nothing written
                    outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u, n)) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert outcomes.count("saved") > 20, outcomes
    assert selectors.claim_status_counts() == counted()
    assert counted()["all"] == 20
