"""Run every benchmark script in bench/ in turn and report each one's exit status.

    .venv/bin/python bench/run_all.py                  # all, with their own defaults
    .venv/bin/python bench/run_all.py --quick          # smoke run
    .venv/bin/python bench/run_all.py bench_export     # only these (names without .py)
    make bench BENCH_ARGS=--quick

A script that takes a corpus (``--corpus PATH`` or a positional ``corpus``, as its --help
says) is given --corpus (default ../shared/corpus/bbc_news.jsonl). --quick is passed to
the scripts that have it; the others get the small arguments in QUICK_ARGS.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# --quick for scripts without a --quick of their own.
QUICK_ARGS = {
    "bench_api": ["--claims", "10000", "--repeat", "3"],
    "bench_dashboard": ["--claims", "10000", "--repeat", "3"],
    "bench_export": ["--sizes", "10000"],
    "corpus_report": ["--limit", "100"],
    "engine_speed": ["--limit", "100"],
}


def command(script: Path, corpus: Path, quick: bool) -> list[str]:
    usage = subprocess.run(
        [sys.executable, str(script), "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    args = [sys.executable, str(script)]
    if "--corpus" in usage:
        args += ["--corpus", str(corpus)]
    elif re.search(r"^\s+corpus\b", usage, re.MULTILINE):  # a positional argument
        args.append(str(corpus))
    if quick:
        args += ["--quick"] if "--quick" in usage else QUICK_ARGS.get(script.stem, [])
    return args


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("only", nargs="*", help="script names to run (default: all)")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/bbc_news.jsonl")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    scripts = sorted(p for p in BENCH.glob("*.py") if p.name != Path(__file__).name)
    if args.only:
        scripts = [p for p in scripts if p.stem in args.only or p.name in args.only]
    results = []
    for script in scripts:
        cmd = command(script, args.corpus.resolve(), args.quick)
        print(f"\n=== {' '.join(['python', *cmd[1:]])}", flush=True)
        started = time.perf_counter()
        code = subprocess.run(cmd, cwd=ROOT).returncode
        results.append((script.name, code, time.perf_counter() - started))
    print("\n| script | exit status | seconds |\n|---|---:|---:|")
    for name, code, seconds in results:
        print(f"| {name} | {code} | {seconds:.0f} |")
    return 1 if any(code for _, code, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
