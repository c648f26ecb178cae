"""Extraction quality on hand-annotated gold: the seed article and the wire set."""

from __future__ import annotations

import pytest

from claims.extraction import extract_claims, parse_article
from tests.extraction.scoring import GOLD_DIR, load_gold, score_gold

TARGETS = {"recall": 0.95, "values": 0.98, "speaker": 0.9, "time": 0.9, "type": 0.9}
GOLD_FILES = ["seed-gold.json", "wire-gold.json", "holdout-gold.json"]


@pytest.mark.parametrize("gold_file", GOLD_FILES)
def test_it_meets_the_quality_targets(nlp, gold_file):
    path = GOLD_DIR / gold_file
    if not path.exists():
        pytest.fail(f"missing gold file {path}")
    tally = score_gold(nlp, load_gold(gold_file))
    report = tally.line() + "\n" + "\n".join(tally.notes)
    for name, target in TARGETS.items():
        assert tally.figures[name] >= target, f"{name} below {target}: {report}"
    assert tally.false_pos == 0, report
    assert tally.offsets_bad == 0, report


# Issue 14's targets on the fresh gold (annotated before tuning). Quotes of feeling or appeal
# are kept as quotes under 0.5, so a false positive counts at the desk's bar, 0.5.
FRESH_TARGETS = {"recall": 0.97, "values": 0.99, "speaker": 0.93, "time": 0.97, "type": 0.95}


def test_the_fresh_gold_meets_the_second_pass_targets(nlp):
    tally = score_gold(nlp, load_gold("fresh-gold.json"), fp_min_score=0.5)
    report = tally.line() + "\n" + "\n".join(tally.notes)
    for name, target in FRESH_TARGETS.items():
        assert tally.figures[name] >= target, f"{name} below {target}: {report}"
    assert tally.false_pos == 0, report
    assert tally.offsets_bad == 0, report


def test_the_wire_gold_is_big_enough_and_covers_the_traps():
    gold = load_gold("wire-gold.json")
    assert len(gold) >= 12
    assert sum(len(spec["claims"]) for spec in gold.values()) >= 90
    negatives = [n for spec in gold.values() for n in spec["non_claims"]]
    assert any(n.endswith("?") for n in negatives)
    assert any(n.startswith(("Share", "Leave", "Read more", "Subscribe")) for n in negatives)


def test_the_seed_headline_sentence_reads_as_80000_people_died_since_march_2011(nlp):
    raw = (GOLD_DIR / "seed-article.txt").read_text(encoding="utf-8")
    parts = parse_article(raw)
    claims = extract_claims(nlp, parts.body)
    start = parts.body.index("More than 80,000 people")
    claim = next(c for c in claims if c.start == start)
    assert claim.type == "statistic"
    figure = claim.quantities[0]
    assert (figure.value, figure.low) == (80000, 80000)
    assert figure.qualifier == "more than"
    assert figure.unit == "people"
    assert [(t.value, t.relation) for t in claim.times] == [("2011-03", "since")]
    assert claim.summary == "80,000+ people died since March 2011"
    assert claim.score >= 0.5


def test_the_seed_headline_and_dateline_are_read_off_the_article():
    raw = (GOLD_DIR / "seed-article.txt").read_text(encoding="utf-8")
    parts = parse_article(raw)
    assert parts.title == "Lavrov Urges Syrian Opposition to Support Geneva Talks"
    assert raw[parts.body_offset : parts.body_offset + len(parts.body)] == parts.body
    assert parts.body.startswith("PARIS, May 28 (RIA Novosti)")
    assert (parts.dateline_place, parts.dateline_date, parts.outlet) == (
        "Paris",
        "--05-28",
        "RIA Novosti",
    )
