"""A claim's speaker kind goes from the engine into the database and follows re-extraction."""

from __future__ import annotations

import pytest

from claims import services
from claims.extraction import ExtractedClaim

pytestmark = pytest.mark.django_db
SENTENCE = "The interior ministry said 2,300 homes were destroyed."


def found(speaker: str, kind: str | None) -> ExtractedClaim:
    return ExtractedClaim(
        text=SENTENCE, start=0, end=len(SENTENCE), type="attribution",
        speaker=speaker, speaker_kind=kind,
    )  # fmt: skip


def test_reconciliation_stores_and_updates_the_speaker_kind():
    article = services.article_create(text=SENTENCE, enqueue=False)
    services.claims_replace_extraction(
        article=article, found=[found("The interior ministry", "organisation")]
    )
    claim = article.claims.get()
    assert (claim.speaker, claim.speaker_kind) == ("The interior ministry", "organisation")
    # A re-extraction that reads the speaker differently updates the same claim.
    services.claims_replace_extraction(article=article, found=[found("", None)])
    claim.refresh_from_db()
    assert (claim.speaker, claim.speaker_kind, claim.is_orphaned) == ("", "", False)
