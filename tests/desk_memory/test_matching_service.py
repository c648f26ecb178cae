"""Matching in the workflow: claims encoded, candidates from the full-text index, matches
stored with their score, rejections kept, conflicting figures flagged."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from claims import fulltext
from claims.models import ClaimMatch, ClaimVector, LexicalTerm
from claims.services import matching, matching_index
from tests.factories import ArticleFactory, ClaimFactory, import_syria_fact_check

pytestmark = pytest.mark.django_db

SYRIA = "More than 80,000 people have died in Syria since March 2011, the United Nations said."
SYRIA_LOW = "About 70,000 people have died in Syria since March 2011, the United Nations said."


def quantity(text, value, qualifier=""):
    return {
        "text": text,
        "value": value,
        "low": None,
        "high": None,
        "qualifier": qualifier,
        "unit": "people",
    }


def syria_claim(text, figure, value, qualifier=""):
    article = ArticleFactory(body=text, published_date=datetime.date(2013, 5, 15))
    return ClaimFactory(
        article=article,
        text=text,
        quantities=[quantity(figure, value, qualifier)],
        times=[{"text": "since March 2011", "value": "2011-03", "relation": "since"}],
    )


def test_the_full_text_index_follows_writes_to_claims_and_fact_checks():
    claim = ClaimFactory(text="Dockers closed twelve harbours on Monday.")
    import_syria_fact_check()
    assert fulltext.search("claim", ["harbours"], limit=5) == [claim.pk]
    assert len(fulltext.search("factcheck", ["syria"], limit=5)) == 1
    claim.text = "Nothing about ports."
    claim.save()
    assert fulltext.search("claim", ["harbours"], limit=5) == []
    claim.delete()
    assert fulltext.search("claim", ["ports"], limit=5) == []


def test_on_postgresql_the_index_is_over_a_stored_vector_the_database_fills():
    # Ranking reads the stored tsvector instead of parsing every matching row's text again
    # (fulltext.py); a write path Django does not know of (raw SQL) is indexed too.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the stored column is PostgreSQL's; SQLite keeps FTS5 tables")
    with connection.cursor() as cursor:
        for table in ("claims_claim", "claims_factcheck"):
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %s", [f"{table}_fts_idx"]
            )
            assert "gin (search_vector)" in cursor.fetchone()[0].lower()
        claim = ClaimFactory(text="Dockers closed twelve harbours on Monday.")
        cursor.execute("UPDATE claims_claim SET text = %s WHERE id = %s", ["Ports shut.", claim.pk])
    assert fulltext.search("claim", ["ports"], limit=5) == [claim.pk]
    assert fulltext.search("claim", ["harbours"], limit=5) == []


def test_a_claim_matches_its_past_verdict():
    import_syria_fact_check()
    claim = syria_claim(SYRIA, "more than 80,000", 80000, "more than")
    assert matching.articles_match(article_ids=[claim.article_id]) >= 1
    match = ClaimMatch.objects.get(claim=claim, fact_check__isnull=False)
    assert match.score >= 0.5
    assert match.fact_check.rating == "True"
    vector = ClaimVector.objects.get(claim=claim)
    assert vector.text == claim.text and len(bytes(vector.vector)) == 384 * 4


def test_the_same_claim_in_another_article_is_matched_both_ways():
    first = syria_claim(SYRIA, "more than 80,000", 80000, "more than")
    second = syria_claim(
        SYRIA.replace("the United Nations said", "the UN said on Monday"),
        "more than 80,000",
        80000,
        "more than",
    )
    matching.articles_match(article_ids=[first.article_id])
    matching.articles_match(article_ids=[second.article_id])
    forward = ClaimMatch.objects.get(claim=second, other_claim=first)
    backward = ClaimMatch.objects.get(claim=first, other_claim=second)
    assert forward.score == backward.score >= 0.5
    assert not forward.has_conflict


def test_conflicting_figures_are_flagged_in_both_claims():
    high = syria_claim(SYRIA, "more than 80,000", 80000, "more than")
    low = syria_claim(SYRIA_LOW, "about 70,000", 70000, "about")
    matching.articles_match(article_ids=[high.article_id, low.article_id])
    ours = ClaimMatch.objects.get(claim=low, other_claim=high)
    theirs = ClaimMatch.objects.get(claim=high, other_claim=low)
    assert ours.has_conflict and theirs.has_conflict
    assert ours.conflicts[0]["ours"] == "about 70,000"
    assert ours.conflicts[0]["theirs"] == "more than 80,000"
    assert theirs.conflicts[0]["ours"] == "more than 80,000"


def test_a_rejected_match_stays_rejected_when_matched_again(admin_user):
    import_syria_fact_check()
    claim = syria_claim(SYRIA, "more than 80,000", 80000, "more than")
    matching.articles_match(article_ids=[claim.article_id])
    ClaimMatch.objects.filter(claim=claim).update(
        rejected_by=admin_user, rejected_at=timezone.now()
    )
    matching.articles_match(article_ids=[claim.article_id])
    assert not ClaimMatch.objects.filter(claim=claim, rejected_at__isnull=True).exists()


def test_unrelated_claims_are_not_matched():
    import_syria_fact_check()
    claim = ClaimFactory(text="The council approved a new cycle lane on Tuesday.")
    assert matching.articles_match(article_ids=[claim.article_id]) == 0
    assert not ClaimMatch.objects.exists()


def test_a_claim_is_encoded_and_counted_once_and_recounted_when_its_text_changes():
    claim = ClaimFactory(text="Dockers closed twelve harbours on Monday.")
    matching.articles_match(article_ids=[claim.article_id])
    matching.articles_match(article_ids=[claim.article_id])
    docs = LexicalTerm.objects.get(term=LexicalTerm.TOTAL_DOCUMENTS)
    assert docs.documents == 1
    assert LexicalTerm.objects.get(term="docker").documents == 1
    claim.text = "Pilots closed two airports on Monday."
    claim.save()
    matching.articles_match(article_ids=[claim.article_id])
    assert LexicalTerm.objects.get(term=LexicalTerm.TOTAL_DOCUMENTS).documents == 1
    assert LexicalTerm.objects.get(term="docker").documents == 0
    assert LexicalTerm.objects.get(term="pilot").documents == 1


def test_lexical_stats_read_back_what_was_counted():
    matching_index.lexical_count(added=[["a", "b"], ["b", "c", "c"]])
    stats = matching_index.lexical_stats(terms=["b", "c", "z"])
    assert stats.doc_count == 2 and stats.avg_length == 2.5
    assert dict(stats.doc_freq) == {"b": 2, "c": 1}


def test_the_sweeper_resends_articles_whose_claims_were_never_matched(monkeypatch):
    from claims import broker
    from claims.models import ExtractionJob
    from tests.factories import JobFactory

    sent = []
    monkeypatch.setattr(broker, "waiting_messages", lambda: 0)
    monkeypatch.setattr(broker, "send_matching", lambda article_ids: sent.append(article_ids))
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    forgotten = ClaimFactory(text="Dockers closed twelve harbours on Monday.")
    JobFactory(article=forgotten.article, state=ExtractionJob.State.DONE, finished_at=long_ago)
    just_done = ClaimFactory(text="Pilots closed two airports on Monday.")
    JobFactory(
        article=just_done.article, state=ExtractionJob.State.DONE, finished_at=timezone.now()
    )
    matched = ClaimFactory(text="Farmers closed three roads on Monday.")
    JobFactory(article=matched.article, state=ExtractionJob.State.DONE, finished_at=long_ago)
    matching.claims_index(claims=[matched])

    assert matching.matching_send_pending() == 1
    assert sent == [[forgotten.article_id]]

    monkeypatch.setattr(broker, "waiting_messages", lambda: 5)  # a backlog is not a loss
    assert matching.matching_send_pending() == 0


def test_by_default_every_claim_is_encoded():
    import_syria_fact_check()
    far = ClaimFactory(text="Snow closed the mountain roads of northern Syria on Monday.")
    assert matching.articles_match(article_ids=[far.article_id]) == 0
    assert len(bytes(ClaimVector.objects.get(claim=far).vector)) == 384 * 4


def _stored_matches():
    return sorted(
        (m.claim_id, m.fact_check_id or 0, m.other_claim_id or 0, round(m.score, 5), m.has_conflict)
        for m in ClaimMatch.objects.all()
    )


def test_pruned_a_claim_no_candidate_could_match_is_counted_but_not_encoded_until_needed():
    import_syria_fact_check()
    # Shares only "Syria" with the archive: no vector could lift it to SUGGEST.
    far = ClaimFactory(text="Snow closed the mountain roads of northern Syria on Monday.")
    assert matching.articles_match(article_ids=[far.article_id], prune=True) == 0
    row = ClaimVector.objects.get(claim=far)
    assert row.text == far.text and not bytes(row.vector)  # indexed, not encoded
    assert LexicalTerm.objects.get(term="mountain").documents == 1
    # A later claim that says the same thing needs its vector: encoded then, and stored.
    near = ClaimFactory(text="Snow closed the mountain roads of northern Syria on Monday night.")
    assert matching.articles_match(article_ids=[near.article_id], prune=True) >= 1
    assert ClaimMatch.objects.filter(claim=near, other_claim=far).exists()
    assert len(bytes(ClaimVector.objects.get(claim=far).vector)) == 384 * 4
    assert len(bytes(ClaimVector.objects.get(claim=near).vector)) == 384 * 4


def test_pruning_stores_the_same_matches_as_encoding_every_claim():
    import_syria_fact_check()
    texts = [
        (SYRIA, "more than 80,000", 80000, "more than"),
        (SYRIA_LOW, "about 70,000", 70000, "about"),
        (SYRIA.replace("the United Nations said", "the UN said"), "more than 80,000", 80000, ""),
        ("Snow closed the mountain roads of northern Syria on Monday.", "", None, ""),
        ("The council approved a new cycle lane on Tuesday.", "", None, ""),
        ("The United Nations said the talks on Syria would resume in Geneva.", "", None, ""),
        ("More than 80,000 people went to the festival since March 2011.", "80,000", 80000, ""),
    ]
    claims = [
        syria_claim(text, figure, value, qualifier)
        if value
        else ClaimFactory(text=text, article=ArticleFactory(body=text))
        for text, figure, value, qualifier in texts
    ]
    article_ids = [c.article_id for c in claims]
    for article_id in article_ids:
        matching.articles_match(article_ids=[article_id], prune=True)
    pruned = _stored_matches()
    assert pruned and any(m[4] for m in pruned)
    assert any(not bytes(v.vector) for v in ClaimVector.objects.all())  # something was pruned

    ClaimMatch.objects.all().delete()
    ClaimVector.objects.all().delete()
    matching_index.lexical_count(removed=[matching.matching.terms(c.text) for c in claims])
    for article_id in article_ids:
        matching.articles_match(article_ids=[article_id], prune=False)
    assert _stored_matches() == pruned


def test_conflicting_figures_are_flagged_against_an_imported_fact_check():
    import_syria_fact_check()  # "More than 80,000 people have died in Syria since March 2011."
    low = syria_claim(SYRIA_LOW, "about 70,000", 70000, "about")
    matching.articles_match(article_ids=[low.article_id])
    match = ClaimMatch.objects.get(claim=low, fact_check__isnull=False)
    assert match.has_conflict
    assert match.conflicts[0]["ours"] == "about 70,000"
    assert match.conflicts[0]["theirs"].lower() == "more than 80,000"


def test_a_fact_check_with_agreeing_figures_is_no_conflict():
    import_syria_fact_check()
    near = syria_claim(
        SYRIA.replace("More than 80,000", "About 85,000"), "about 85,000", 85000, "about"
    )
    matching.articles_match(article_ids=[near.article_id])
    assert not ClaimMatch.objects.filter(claim=near, has_conflict=True).exists()


def test_words_in_much_of_a_large_archive_are_not_searched_for():
    # 2,000 documents, "said" in all of them: more than 1% and more than 1,000 documents.
    matching_index.lexical_count(added=[["said", f"word{i}"] for i in range(2000)])
    words = matching._search_words("Officials said dockers closed twelve harbours on Monday.")
    assert "said" not in words
    assert {"dockers", "harbours", "twelve", "monday", "officials", "closed"} <= set(words)
    # The rarest few are kept even when every word is common.
    matching_index.lexical_count(added=[["docker", "harbour", "close"] for _ in range(2000)])
    assert len(matching._search_words("Dockers said harbours closed.")) == 3


def test_a_small_archive_is_searched_with_every_word():
    matching_index.lexical_count(added=[["said", f"word{i}"] for i in range(50)])
    words = matching._search_words("Officials said dockers closed twelve harbours on Monday.")
    assert "said" in words
