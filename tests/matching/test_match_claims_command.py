"""manage.py match_claims: TSV and JSON Lines in, a TREC run out, clear errors on bad files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import ROOT

ARCHIVE_TSV = (
    "\tvclaim\ttitle\n"
    "0\tMore than 80,000 people have died in Syria since March 2011.\tSyria's death toll\n"
    "1\tTesco reported a pre-tax profit of £2.2bn for the year to February.\tTesco profits\n"
    '2\t"UK unemployment fell to 4.2%\nin the three months to March."\tJobless rate\n'
    "3\tChelsea paid £24m to sign Michael Essien from Lyon.\tEssien fee\n"
)
QUERIES_JSONL = (
    json.dumps({"id": "q-syria", "text": "Over 80,000 dead in the Syrian war since 2011"})
    + "\n\n"
    + json.dumps({"id": 7, "text": "Britain's jobless rate dropped to 4.2 per cent"})
    + "\n"
)


def _run(tmp_path, archive: str | bytes, queries: str | bytes, *args: str) -> list[list[str]]:
    paths = []
    for name, content in (("archive", archive), ("queries", queries)):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        paths.append(str(path))
    out = io.StringIO()
    call_command("match_claims", "--archive", paths[0], "--queries", paths[1], *args, stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


def test_it_prints_a_trec_run_for_tsv_and_jsonl(tmp_path):
    rows = _run(tmp_path, ARCHIVE_TSV, QUERIES_JSONL, "--top", "2")
    assert all(len(row) == 6 and row[1] == "Q0" and row[5] == "newsfacts" for row in rows)
    by_query = {}
    for query, _, doc, rank, score, _ in rows:
        by_query.setdefault(query, []).append((int(rank), doc, float(score)))
    assert set(by_query) == {"q-syria", "7"}
    assert by_query["q-syria"][0][:2] == (1, "0")
    # The quoted archive claim over two lines is one claim, found by its words.
    assert by_query["7"][0][:2] == (1, "2")
    for ranked in by_query.values():
        assert [r for r, _, _ in ranked] == [1, 2]
        scores = [s for _, _, s in ranked]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_queries_may_be_tsv_and_the_archive_jsonl(tmp_path):
    archive = "".join(
        json.dumps({"id": f"a{i}", "text": line.split("\t")[1], "title": line.split("\t")[2]})
        + "\n"
        for i, line in enumerate(ARCHIVE_TSV.splitlines()[1:3])
    )
    rows = _run(tmp_path, archive, "id\ttext\nq1\tTesco's pre-tax profits were £2.2bn\n")
    assert rows[0][:4] == ["q1", "Q0", "a1", "1"]
    assert len(rows) == 2  # only two archive claims to rank


@pytest.mark.parametrize(
    "archive, message",
    [
        ("", "the file is empty"),
        ("id\ttext\n", "no claims in the file"),
        ("just one column\n", "header row of at least two"),
        ("id\ttext\nonly-an-id\n", ":2: expected id<TAB>text"),
        ('{"id": 1, "text": "fine"}\n{"id": 2, "text": "broken\n', ":2: not valid JSON"),
        ('{"id": 1, "text": "fine"}\n["a", "list"]\n', ":2: expected a JSON object"),
        ('{"id": 1}\n', ':1: each line needs "id" and a "text" string'),
        ("id\ttext\n1\tone\n1\tagain\n", "id '1' appears twice"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("id\ttext\n1\tcaf\xe9\n".encode("latin-1"), ":2: not UTF-8 (byte 0xe9)"),
    ],
    ids=["empty", "header-only", "no-header", "one-column", "bad-json", "not-object",
         "no-text", "duplicate-id", "binary", "latin-1"],
)  # fmt: skip
def test_a_bad_archive_file_is_a_clear_error(tmp_path, archive, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _run(tmp_path, archive, QUERIES_JSONL)


def test_a_missing_file_and_a_bad_top_are_errors(tmp_path):
    (tmp_path / "q.jsonl").write_text(QUERIES_JSONL)
    with pytest.raises(CommandError, match="cannot read"):
        call_command(
            "match_claims", "--archive", str(tmp_path / "nope.tsv"), "--queries",
            str(tmp_path / "q.jsonl"), stdout=io.StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError, match="--top"):
        call_command(
            "match_claims", "--archive", "a", "--queries", "q", "--top", "0", stdout=io.StringIO()
        )


def _env_without_a_desk() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFACTS_")}
    # A database URL that cannot work proves the command needs none; no secret, no debug.
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    return env


def test_it_needs_no_database_secret_key_or_debug(tmp_path):
    (tmp_path / "a.tsv").write_text(ARCHIVE_TSV)
    (tmp_path / "q.jsonl").write_text(QUERIES_JSONL)
    result = subprocess.run(
        [sys.executable, "manage.py", "match_claims", "--archive", str(tmp_path / "a.tsv"),
         "--queries", str(tmp_path / "q.jsonl"), "--top", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=_env_without_a_desk(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[:3] for line in result.stdout.splitlines()] == [
        ["q-syria", "Q0", "0"],
        ["7", "Q0", "2"],
    ]


def test_a_bad_file_exits_non_zero_with_the_message_and_no_traceback(tmp_path):
    (tmp_path / "a.tsv").write_bytes(b"")
    (tmp_path / "q.jsonl").write_text(QUERIES_JSONL)
    result = subprocess.run(
        [sys.executable, "manage.py", "match_claims", "--archive", str(tmp_path / "a.tsv"),
         "--queries", str(tmp_path / "q.jsonl")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=_env_without_a_desk(),
    )  # fmt: skip
    assert result.returncode == 1
    assert "the file is empty" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_it_stops_quietly_when_its_reader_does(tmp_path):
    # `match_claims ... | head -1`: more output than a pipe holds, one line read.
    (tmp_path / "a.tsv").write_text(ARCHIVE_TSV)
    queries = "".join(
        json.dumps({"id": n, "text": f"Syria deaths report number {n}"}) + "\n" for n in range(2000)
    )
    (tmp_path / "q.jsonl").write_text(queries)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "match_claims", "--archive", str(tmp_path / "a.tsv"),
         "--queries", str(tmp_path / "q.jsonl"), "--top", "4"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=_env_without_a_desk(),
    )  # fmt: skip
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=300) == 0, stderr
    assert first.split("\t")[:2] == ["0", "Q0"]
    assert "Traceback" not in stderr
