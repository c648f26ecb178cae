"""The evaluation command, on a CheckThat-format file made here."""

from __future__ import annotations

import pytest

from training.evaluate_checkworthiness import main


def test_the_evaluation_command_reports_f1_through_extract_claims(tmp_path, capsys):
    rows = [
        ("Unemployment fell to 3.5 percent in 2019.", "Yes"),
        ("The city raised fares by 12 percent in 2023.", "Yes"),
        ("Why did so many buildings fail?", "Yes"),  # a question: never a claim
        ("Silva is a brilliant player.", "No"),
        ("Thank you very much.", "No"),
    ]
    tsv = tmp_path / "dev-test.tsv"
    tsv.write_text(
        "Sentence_id\tText\tclass_label\n"
        + "".join(f"{i}\t{text}\t{label}\n" for i, (text, label) in enumerate(rows)),
        encoding="utf-8",
    )
    main(["--checkthat", str(tsv)])
    out = capsys.readouterr().out
    assert "CheckThat dev-test: 5 sentences, 3 Yes" in out
    (line,) = [ln for ln in out.splitlines() if ln.startswith("through extract_claims")]
    assert line.endswith("P 1.000  R 0.667  F1 0.800")
    with pytest.raises(SystemExit):
        main(["--checkthat", str(tsv), "--opinion-bars"])  # the bars need ClaimBuster
    assert "--opinion-bars needs --claimbuster" in capsys.readouterr().err
