import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.models import Article

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Port Strike Ends\n\nVALMORA, March 14 (Coastal Wire) – More than 340 ships waited offshore, the port authority said on Thursday.\n"


@pytest.mark.django_db
def test_import_articles_imports_a_directory_and_skips_duplicates(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.md").write_text(
        "Second\n\nPolice said 12 people were hurt on Monday."
    )
    (tmp_path / "notes.docx").write_bytes(b"PK")
    call_command("import_articles", str(tmp_path), no_progress=True)
    assert Article.objects.count() == 2
    call_command("import_articles", str(tmp_path / "a.txt"), no_progress=True)
    out = capsys.readouterr().out
    assert "0 imported, 1 duplicates skipped" in out
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_import_articles_fails_when_nothing_can_be_imported(tmp_path):
    (tmp_path / "empty.txt").write_text("   ")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_articles", str(tmp_path / "empty.txt"), no_progress=True)


def test_import_articles_names_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_articles", str(tmp_path / "missing.txt"), no_progress=True)


def test_extract_claims_prints_json_lines_without_a_database(tmp_path):
    path = tmp_path / "strike.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "extract_claims", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        # A database URL that cannot work proves the command needs none.
        env={**__import__("os").environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
    )
    assert result.returncode == 0, result.stderr
    claims = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert claims
    for claim in claims:
        assert TEXT[claim["start"] : claim["end"]] == claim["text"]
        for key in (
            "type",
            "quantities",
            "times",
            "speaker",
            "cue",
            "entities",
            "summary",
            "score",
        ):
            assert key in claim
    assert any(q["value"] == 340 or q.get("low") == 340 for c in claims for q in c["quantities"])


def test_extract_claims_reads_docs_jsonl(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        json.dumps({"id": "d1", "text": "Officials said 1,200 people were evacuated on Monday."})
        + "\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "extract_claims", "--docs-jsonl", str(docs)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    claims = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert claims and all(c["doc"] == "d1" for c in claims)


def test_extract_claims_stops_quietly_when_its_reader_does(tmp_path):
    # `extract_claims FILE | head -1`: far more output than a pipe holds, read one line.
    path = tmp_path / "long.txt"
    path.write_text(
        "".join(f"The port handled {n} ships on Monday, officials said.\n\n" for n in range(400))
    )
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "extract_claims", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    first = proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, stderr
    assert json.loads(first)["type"] == "statistic"
    assert "Traceback" not in stderr
