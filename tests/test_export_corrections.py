"""manage.py export_corrections: the desk's corrections as gold the extraction's scorer reads."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims import services
from claims.models import StatusChange
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db

GOLD_DIR = Path(__file__).parent / "extraction" / "gold"
BODY = (
    "Officials said 340 ships waited offshore since March 2011.\n\n"
    "I think the deal is a triumph. Talks resume in June, the minister said. "
    "Officials said 340 ships waited offshore."
)


def claim_at(article, text, **kwargs):
    start = article.body.index(text)
    return ClaimFactory(article=article, text=text, start=start, end=start + len(text), **kwargs)


def offsets(text):
    start = BODY.index(text)
    return start, start + len(text), text


@pytest.fixture
def corrected():
    """An article with one edit, one dismissal, one duplicate and one addition."""
    rita = UserFactory(username="rita", role="reviewer")
    article = ArticleFactory(body=BODY, title="Harbour strike ends")
    ArticleFactory(body="Nothing was corrected here: 12 boats.")  # never exported
    ships = claim_at(article, "Officials said 340 ships")
    opinion = claim_at(article, "I think the deal is a triumph")
    again = claim_at(article, "Officials said 340 ships waited offshore.")
    claim_at(article, "Talks resume")  # extracted, never corrected: not gold
    services.claim_correct(
        claim_id=ships.pk,
        user=rita,
        expected_version=1,
        span=offsets("340 ships waited offshore since March 2011"),
        quantities=services.corrections.quantities_from_lines("340 ships"),
        times=services.corrections.times_from_lines("since 2011-03"),
    )
    services.claim_dismiss(claim_id=opinion.pk, user=rita, reason="opinion", expected_version=1)
    services.claim_dismiss(claim_id=again.pk, user=rita, reason="duplicate", expected_version=1)
    services.claim_add(
        article_id=article.pk,
        user=rita,
        span=offsets("Talks resume in June, the minister said"),
        type="prediction",
        speaker="the minister",
    )
    return article


def export(tmp_path, *args) -> list[dict]:
    out = tmp_path / "corrections.jsonl"
    call_command("export_corrections", "--output", str(out), *args)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_it_writes_one_gold_line_per_corrected_article(tmp_path, corrected):
    lines = export(tmp_path, "--texts", str(tmp_path / "texts"))
    assert len(lines) == 1
    name = f"article-{corrected.pk}.txt"
    spec = lines[0][name]
    assert [c["in"] for c in spec["claims"]] == [
        "340 ships waited offshore since March 2011",
        "Talks resume in June, the minister said",
    ]
    edited, added = spec["claims"]
    assert (edited["values"], edited["time"], edited["origin"]) == ([340.0], "2011-03", "machine")
    assert (added["type"], added["speaker"], added["origin"]) == (
        "prediction",
        "the minister",
        "reviewer",
    )
    # Opinion is a non-claim; a duplicate is a claim found twice, so it is not.
    assert spec["non_claims"] == ["I think the deal is a triumph"]
    actions = [entry["action"] for entry in spec["corrections"]]
    assert actions == ["edited", "dismissed", "dismissed", "added"]
    assert spec["corrections"][0]["machine"]["text"] == "Officials said 340 ships"
    assert spec["corrections"][1]["reason"] == "opinion" and spec["corrections"][1]["by"] == "rita"
    text = (tmp_path / "texts" / name).read_text(encoding="utf-8")
    assert text == f"Harbour strike ends\n\n{BODY}"


def test_since_leaves_out_older_corrections(tmp_path, corrected):
    StatusChange.objects.update(changed_at=timezone.now() - datetime.timedelta(days=3))
    assert export(tmp_path, "--since", str(timezone.localdate())) == []
    since = (timezone.localdate() - datetime.timedelta(days=4)).isoformat()
    assert len(export(tmp_path, "--since", since)) == 1
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("export_corrections", "--since", "last week")


def test_it_writes_to_standard_output(capsys, corrected):
    call_command("export_corrections")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and f"article-{corrected.pk}.txt" in json.loads(lines[0])


def test_the_export_is_gold_in_the_engines_own_format(tmp_path, corrected):
    """Merged, the lines are a gold file like the engine's own (tests/extraction/gold/, the
    format the shared scorer reads): the same fields, every claim's words and every
    non-claim found in the exported text, so the engine's evaluation can score on them."""
    lines = export(tmp_path, "--texts", str(tmp_path / "texts"))
    gold = {}
    for line in lines:
        gold.update(line)
    reference = json.loads((GOLD_DIR / "wire-gold.json").read_text(encoding="utf-8"))
    entry_keys = {key for entry in reference.values() for key in entry}
    claim_keys = {key for entry in reference.values() for claim in entry["claims"] for key in claim}
    assert gold and all(set(entry) >= {"claims", "non_claims"} for entry in gold.values())
    for name, entry in gold.items():
        assert set(entry) >= entry_keys, name  # more (who corrected what) is ignored by it
        text = (tmp_path / "texts" / name).read_text(encoding="utf-8")
        for claim in entry["claims"]:
            assert set(claim) >= claim_keys and claim["in"] in text
        for words in entry["non_claims"]:
            assert isinstance(words, str) and words in text
    claims = gold[f"article-{corrected.pk}.txt"]["claims"]
    assert len(claims) == 2 and gold[f"article-{corrected.pk}.txt"]["non_claims"]
