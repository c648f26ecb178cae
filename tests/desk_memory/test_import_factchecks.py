"""manage.py import_factchecks: the three formats, re-import, bad records."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import FactCheck, LexicalTerm
from claims.services.factchecks import FactCheckFileError, fact_checks_import

pytestmark = pytest.mark.django_db

CLAIMREVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checker.example.org/syria-deaths",
    "claimReviewed": "More than 80,000 people have died in Syria since March 2011.",
    "headline": "Syria death toll claim checked",
    "datePublished": "2013-05-20",
    "author": {"@type": "Organization", "name": "Checker"},
    "reviewRating": {"@type": "Rating", "alternateName": "True"},
}


def run(tmp_path, name, content, *args):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out, err = [], []

    class Sink:
        def __init__(self, into):
            self.into = into

        def write(self, text):
            self.into.append(text)

        def flush(self):
            pass

    call_command("import_factchecks", str(path), *args, stdout=Sink(out), stderr=Sink(err))
    return "".join(out), "".join(err)


def test_claimreview_json_ld_is_imported_with_its_verdict(tmp_path):
    out, err = run(tmp_path, "reviews.json", json.dumps([CLAIMREVIEW]), "--no-encode")
    fc = FactCheck.objects.get()
    assert fc.rating == "True"
    assert fc.publisher == "Checker"
    assert fc.url == CLAIMREVIEW["url"]
    assert fc.date.isoformat() == "2013-05-20"
    assert fc.title == "Syria death toll claim checked"
    assert "1 created" in out and not err


def test_claimreview_inside_a_graph_is_found():
    data = json.dumps({"@context": "https://schema.org", "@graph": [CLAIMREVIEW]}).encode()
    report = fact_checks_import(data=data, encode=False)
    assert report.created == 1


def test_json_lines_are_imported_and_reimport_changes_nothing(tmp_path):
    lines = "\n".join(
        json.dumps(r)
        for r in [
            {
                "id": "a1",
                "text": "The strike closed 12 ports.",
                "rating": "False",
                "date": "2024-01-02",
            },
            {"id": "a2", "text": "Exports rose 4% last year.", "publisher": "Desk"},
        ]
    )
    run(tmp_path, "checks.jsonl", lines, "--no-encode")
    out, _ = run(tmp_path, "checks.jsonl", lines, "--no-encode")
    assert FactCheck.objects.count() == 2
    assert "0 created, 0 updated, 2 unchanged" in out


def test_a_changed_record_updates_its_row(tmp_path):
    run(
        tmp_path,
        "c.jsonl",
        json.dumps({"id": "a1", "text": "Old words.", "rating": "False"}),
        "--no-encode",
    )
    out, _ = run(
        tmp_path,
        "c.jsonl",
        json.dumps({"id": "a1", "text": "Old words.", "rating": "True"}),
        "--no-encode",
    )
    assert FactCheck.objects.get().rating == "True"
    assert "1 updated" in out


def test_clef_tsv_is_imported_with_titles(tmp_path):
    tsv = "vclaim_id\tvclaim\ttitle\nvclaim-sno-1\tA claim about ships.\tShips checked\n"
    run(tmp_path, "verified_claims.docs.tsv", tsv, "--no-encode")
    fc = FactCheck.objects.get()
    assert (fc.external_id, fc.text, fc.title) == (
        "clef:vclaim-sno-1",
        "A claim about ships.",
        "Ships checked",
    )


def test_bad_records_are_reported_by_line_and_good_ones_kept(tmp_path):
    lines = "\n".join(
        [
            json.dumps({"id": "ok", "text": "Good claim."}),
            "{not json",
            json.dumps({"id": "no-text"}),
            json.dumps({"id": "bad-date", "text": "x", "date": "yesterday"}),
            json.dumps({"id": "bad-url", "text": "x", "url": "javascript:alert(1)"}),
            json.dumps({"id": "ok", "text": "Twice."}),
        ]
    )
    out, err = run(tmp_path, "mixed.jsonl", lines, "--no-encode")
    assert list(FactCheck.objects.values_list("external_id", flat=True)) == ["ok"]
    assert "mixed.jsonl:2:" in err
    assert "mixed.jsonl:3: no claim text" in err
    assert "mixed.jsonl:4: date 'yesterday'" in err
    assert "mixed.jsonl:5: url" in err
    assert "mixed.jsonl:6: id 'ok' already given at" in err
    assert "5 bad records skipped" in out


def test_a_bad_claimreview_record_is_named_by_its_number():
    data = json.dumps(
        [CLAIMREVIEW, {"@type": "ClaimReview", "url": "https://x.example/2"}]
    ).encode()
    report = fact_checks_import(data=data, name="f.json", encode=False)
    assert report.created == 1
    assert report.errors == ["f.json: record 2: no claim text"]


def test_tsv_rows_with_one_column_are_reported(tmp_path):
    _, err = run(tmp_path, "v.tsv", "id\ttext\n1\tfine\n2\n", "--no-encode")
    assert "v.tsv:3: expected id<TAB>text" in err
    assert FactCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe bad", "not UTF-8"),
        (b"just one column\n", "header row"),
        (b'[{"@type": "ClaimReview",\n', ":2: not valid JSON-LD"),
    ],
)
def test_unreadable_files_are_refused_clearly(content, message):
    with pytest.raises(FactCheckFileError, match=message):
        fact_checks_import(data=content, encode=False)


def test_the_command_fails_when_nothing_could_be_imported(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_factchecks", str(path))


def test_import_encodes_and_counts_the_archive_once(tmp_path):
    lines = json.dumps({"id": "a1", "text": "Dockers closed 12 ports on Monday."})
    run(tmp_path, "c.jsonl", lines)
    run(tmp_path, "c.jsonl", lines)
    fc = FactCheck.objects.get()
    assert fc.vector is not None and len(bytes(fc.vector)) == 384 * 4
    assert LexicalTerm.objects.get(term=LexicalTerm.TOTAL_DOCUMENTS).documents == 1
    assert LexicalTerm.objects.get(term="docker").documents == 1


def test_an_admin_imports_a_file_and_sees_bad_records(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    content = json.dumps({"id": "a1", "text": "Good."}) + "\n{broken\n"
    upload = SimpleUploadedFile("checks.jsonl", content.encode())
    response = admin_client.post(
        reverse("admin:claims_factcheck_import"), {"file": upload}, follow=True
    )
    assert FactCheck.objects.filter(external_id="a1").exists()
    shown = " | ".join(str(m) for m in response.context["messages"])
    assert "1 created" in shown and "checks.jsonl:2:" in shown


def test_the_import_page_is_refused_without_add_permission(client):
    from django.urls import reverse

    from tests.factories import UserFactory

    reviewer = UserFactory(role="reviewer", is_staff=True)
    client.force_login(reviewer)
    response = client.get(reverse("admin:claims_factcheck_import"))
    assert response.status_code == 403


def test_a_reimport_with_new_words_reencodes_and_recounts(tmp_path):
    run(tmp_path, "c.jsonl", json.dumps({"id": "a1", "text": "Dockers closed 12 ports."}))
    before = bytes(FactCheck.objects.get().vector)
    run(tmp_path, "c.jsonl", json.dumps({"id": "a1", "text": "Pilots closed 12 airports."}))
    assert bytes(FactCheck.objects.get().vector) != before
    assert LexicalTerm.objects.get(term=LexicalTerm.TOTAL_DOCUMENTS).documents == 1
    assert LexicalTerm.objects.get(term="docker").documents == 0
    assert LexicalTerm.objects.get(term="pilot").documents == 1
