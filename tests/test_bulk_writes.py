"""claims.bulk_writes.insert_all writes the rows bulk_create writes (on PostgreSQL it sends
them as one JSON document instead), gives each object its key, and keeps the status tally
exact when one statement inserts or deletes many claims."""

from __future__ import annotations

import math

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from claims import selectors
from claims.bulk_writes import insert_all, update_all
from claims.models import Claim, ExtractionJob
from tests.factories import ArticleFactory, JobFactory
from tests.test_status_tally import counted

POSTGRESQL = connection.vendor == "postgresql"
# Everything a claim row can hold that JSON or SQL quoting could get wrong.
AWKWARD = 'Quote "marks", a back\\slash, it\'s, 80\u202f000 — £3bn, 東京, emoji 🙂, tab\tend'


def _claims(article, tag: str, n: int = 6) -> list[Claim]:
    out = []
    for i in range(n):
        out.append(
            Claim(
                article=article,
                fingerprint=f"{tag}-{i}",
                start=i,
                end=i + len(AWKWARD),
                text=f"{AWKWARD} {i}",
                type=Claim.Type.STATISTIC if i % 2 else Claim.Type.QUOTE,
                quantities=[{"value": 80000.5 * i, "unit": "people", "text": AWKWARD}],
                times=[{"start": "2011-03-01", "end": None, "text": "since March 2011"}],
                speaker=AWKWARD[:200] if i % 3 else "",
                speaker_kind="person" if i % 3 else "",
                cue="said",
                entities=[{"text": "東京", "label": "GPE"}],
                summary=AWKWARD,
                score=1 / 3 + i,
                score_reasons=["a figure", AWKWARD],
                machine={"text": AWKWARD, "nested": {"list": [1, None, True]}} if i == 2 else None,
                status=[Claim.Status.UNREVIEWED, Claim.Status.VERIFIED][i % 2],
                is_orphaned=i == 4,
                dismissed="opinion" if i == 5 else "",
            )
        )
    return out


def _stored(claims: list[Claim]) -> list[dict]:
    rows = Claim.objects.filter(pk__in=[c.pk for c in claims]).order_by("start").values()
    skip = {"id", "fingerprint", "created_at", "updated_at"}
    return [{k: v for k, v in row.items() if k not in skip} for row in rows]


@pytest.mark.django_db
def test_insert_all_writes_what_bulk_create_writes():
    article = ArticleFactory()
    ours, theirs = _claims(article, "ours"), _claims(article, "theirs")
    with CaptureQueriesContext(connection) as queries:
        insert_all(ours)
    Claim.objects.bulk_create(theirs)
    assert _stored(ours) == _stored(theirs)
    assert len(_stored(ours)) == len(ours)
    # Every object has its own row's key, in order, and is no longer "adding".
    for claim in ours:
        row = Claim.objects.get(pk=claim.pk)
        assert (row.fingerprint, row.text) == (claim.fingerprint, claim.text)
        assert not claim._state.adding and claim.created_at is not None
    assert len(queries) == 1
    assert ("jsonb_to_recordset" in queries[0]["sql"]) == POSTGRESQL


@pytest.mark.django_db
def test_insert_all_batches_and_takes_given_keys_like_bulk_create():
    article = ArticleFactory()
    many = _claims(article, "batch", n=7)
    insert_all(many, batch_size=3)
    assert Claim.objects.filter(article=article).count() == 7
    assert len({c.pk for c in many}) == 7
    # An object with its key already set keeps that key (bulk_create's behaviour).
    given = _claims(article, "given", n=1)[0]
    given.pk = max(c.pk for c in many) + 1000
    insert_all([given])
    assert Claim.objects.get(pk=given.pk).fingerprint == "given-0"
    with CaptureQueriesContext(connection) as queries:
        insert_all([])
    assert not queries.captured_queries


@pytest.mark.skipif(not POSTGRESQL, reason="SQLite stores no NaN; the JSON path is PostgreSQL's")
@pytest.mark.django_db
def test_a_value_json_cannot_carry_goes_through_bulk_create():
    article = ArticleFactory()
    odd = _claims(article, "nan", n=2)
    odd[1].score = math.nan
    insert_all(odd)
    assert math.isnan(Claim.objects.get(pk=odd[1].pk).score)
    # A value too long for its column is refused by the database, as with bulk_create.
    long = _claims(article, "long", n=1)
    long[0].speaker = "x" * 201
    with pytest.raises(Exception, match="too long"), transaction.atomic():
        insert_all(long)


@pytest.mark.django_db
def test_the_tally_counts_many_claims_inserted_and_deleted_in_one_statement():
    article, other = ArticleFactory(), ArticleFactory()
    insert_all(_claims(article, "a", n=12) + _claims(other, "b", n=5))
    assert selectors.claim_status_counts() == counted()
    assert counted()["all"] == 12 + 5 - 3  # two orphaned, one dismissed left out
    # A rolled-back insert leaves the tally as it was.
    with pytest.raises(RuntimeError), transaction.atomic():
        insert_all(_claims(article, "c", n=4))
        raise RuntimeError("rolled back")
    assert selectors.claim_status_counts() == counted()
    Claim.objects.filter(article=article, start__lt=8).delete()  # one DELETE, many rows
    assert selectors.claim_status_counts() == counted()
    other.delete()  # a cascade
    assert selectors.claim_status_counts() == counted() and counted()["all"] == 4


@pytest.mark.django_db
def test_update_all_writes_what_bulk_update_writes():
    article = ArticleFactory()
    ours, theirs = _claims(article, "ours"), _claims(article, "theirs")
    insert_all(ours)
    insert_all(theirs)
    fields = ["text", "quantities", "speaker", "score", "machine", "status", "is_orphaned"]
    for group in (ours, theirs):
        for i, claim in enumerate(group):
            claim.text = f"{AWKWARD} edited {i}"
            claim.quantities = [{"value": i, "text": AWKWARD}] if i % 2 else []
            claim.speaker = "" if i % 2 else f"Minister {AWKWARD[:20]}"
            claim.score = 0.25 * i
            claim.machine = None if i == 2 else {"text": AWKWARD}
            claim.status = Claim.Status.DISPUTED if i < 3 else Claim.Status.UNREVIEWED
            claim.is_orphaned = i in (1, 4)
            claim.summary = "not in the fields: not written"
    with CaptureQueriesContext(connection) as queries:
        update_all(ours, fields)
    Claim.objects.bulk_update(theirs, fields)
    assert _stored(ours) == _stored(theirs)
    assert all(row["summary"] == AWKWARD for row in _stored(ours))
    assert all(row["text"].startswith(f"{AWKWARD} edited") for row in _stored(ours))
    assert len(queries) == 1
    assert ("jsonb_to_recordset" in queries[0]["sql"]) == POSTGRESQL
    # The tally's row trigger saw every status and orphan change.
    assert selectors.claim_status_counts() == counted()


@pytest.mark.django_db
def test_update_all_finishes_jobs_with_their_own_numbers():
    jobs = [JobFactory() for _ in range(3)]
    for n, job in enumerate(jobs):
        job.state = ExtractionJob.State.DONE
        job.claim_count = n * 10
        job.nlp_seconds = n / 7
    update_all(jobs[:2], ["state", "claim_count", "nlp_seconds"])
    stored = {j.pk: j for j in ExtractionJob.objects.all()}
    assert [stored[j.pk].claim_count for j in jobs] == [0, 10, None]
    assert stored[jobs[1].pk].nlp_seconds == pytest.approx(1 / 7)
    assert stored[jobs[2].pk].state == ExtractionJob.State.QUEUED  # not in the list
