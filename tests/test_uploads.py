import codecs
import json

import pytest

from claims.uploads import UploadError, decode_text, read_upload


def test_it_decodes_utf8():
    assert decode_text("Zürich – 5 €".encode()) == "Zürich – 5 €"


def test_it_decodes_utf8_with_bom():
    assert decode_text(codecs.BOM_UTF8 + "Café".encode()) == "Café"


def test_it_decodes_utf16_with_bom():
    assert decode_text("Café said “yes”".encode("utf-16")) == "Café said “yes”"


def test_it_falls_back_to_a_legacy_encoding():
    text = "Le ministre a déclaré que la réforme coûtera très cher à l'État français."
    assert decode_text(text.encode("latin-1")) == text


def test_it_refuses_binary():
    with pytest.raises(UploadError, match="binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_it_refuses_oversize(settings):
    settings.NEWSFACTS_MAX_UPLOAD_BYTES = 10
    with pytest.raises(UploadError, match="limit is 10 bytes"):
        decode_text(b"x" * 11, name="big.txt")


def test_it_strips_control_characters():
    assert decode_text(b"One\x07 two\r\nthree") == "One two\nthree"


def test_it_reduces_html_to_article_text():
    html = """<html><head><title>Port strike ends</title><script>alert(1)</script></head>
    <body><nav>Home | News</nav><article><h1>Port strike ends</h1>
    <p>Dockworkers returned to work on Thursday after an eight-day strike that left more than
    340 container ships waiting offshore, the port authority said in a statement.</p>
    <p>The union agreed to a 6.5 percent pay rise over two years, down from 12 percent.</p>
    <img src=x onerror=alert(2)></article></body></html>"""
    [article] = read_upload("strike.html", html.encode())
    assert "340 container ships" in article.text
    assert "alert" not in article.text
    assert "<" not in article.text


def test_it_refuses_html_without_text():
    with pytest.raises(UploadError, match="no article text"):
        read_upload("empty.html", b"<html><body><script>x()</script></body></html>")


def test_it_reads_jsonl():
    lines = [
        json.dumps({"title": "A", "text": "First article text.", "outlet": "Wire"}),
        "",
        json.dumps({"body": "Second article text.", "url": "https://example.org/b"}),
    ]
    articles = read_upload("batch.jsonl", "\n".join(lines).encode())
    assert [a.text for a in articles] == ["First article text.", "Second article text."]
    assert articles[0].outlet == "Wire"
    assert articles[1].url == "https://example.org/b"


def test_it_names_the_bad_jsonl_line():
    good, bad = read_upload("batch.jsonl", b'{"text": "ok"}\n{not json}\n')
    assert good.text == "ok" and not good.error
    assert bad.name == "batch.jsonl line 2" and "not valid JSON" in bad.error


def test_it_refuses_unknown_file_types():
    with pytest.raises(UploadError, match="unsupported file type .pdf"):
        read_upload("report.pdf", b"%PDF-1.7")


def test_a_central_european_file_keeps_its_encoding():
    text = (
        "Vláda oznámila, že rozpočet vzroste o 3 procenta. Příliš žluťoučký kůň úpěl ďábelské ódy."
    )
    assert decode_text(text.encode("cp1250")) == text
