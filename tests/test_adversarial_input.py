"""Issue 16, items 6 and 7: oversized pastes refused clearly, nothing dropped silently."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import services
from claims.models import Article, PageImport
from claims.uploads import UploadError, flatten_deep_html, html_to_text, read_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STORY = "Police said 4,000 people were evacuated from the flooded valley on Monday."


@pytest.fixture
def editor_client(client):
    editor = UserFactory(username="ed", role="editor")
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    return client


def _paste(client, text):
    fields = {"text": text, "title": "", "outlet": "", "url": "", "published_date": ""}
    return client.post(reverse("admin:claims_article_add"), fields)


def test_a_paste_over_the_file_limit_is_refused_with_a_clear_message(editor_client, settings):
    settings.NEWSFACTS_MAX_UPLOAD_BYTES = 20_000
    text = "Big story\n\n" + (STORY + "\n\n") * 400  # about 30 kB
    response = _paste(editor_client, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "the limit is 20,000 bytes (as for files)" in html
    assert not Article.objects.exists()


def test_a_paste_within_the_limit_is_stored(editor_client, settings):
    settings.NEWSFACTS_MAX_UPLOAD_BYTES = 20_000
    response = _paste(editor_client, "Small story\n\n" + (STORY + "\n\n") * 10)
    assert response.status_code == 302
    assert Article.objects.count() == 1


def test_the_service_bounds_text_from_every_path(settings):
    """The API and imports call article_create too: the bound lives there as well."""
    settings.NEWSFACTS_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(UploadError, match="limit is 1,000 bytes"):
        services.article_create(text="Headline\n\n" + "é" * 600, enqueue=False)
    assert not Article.objects.exists()


def _nested(depth: int) -> str:
    paragraphs = "".join(f"<p>{STORY} Report number {n}.</p>" for n in range(3))
    return (
        "<html><head><title>Flood</title></head><body>"
        + "<div>" * depth
        + paragraphs
        + "</div>" * depth
        + "</body></html>"
    )


def test_text_inside_ten_thousand_nested_divs_is_kept():
    article = html_to_text(_nested(10_000), name="deep.html")
    for n in range(3):
        assert f"Report number {n}." in article.text


def test_shallow_html_is_left_as_it_is():
    html = _nested(5)
    assert flatten_deep_html(html) == (html, 0)


def test_flattening_keeps_every_text_node_and_bounds_the_depth():
    flat, flattened = flatten_deep_html(_nested(1000), max_depth=50)
    assert flattened > 900
    assert flat.count("<div>") <= 50
    assert flat.count("Report number") == 3


def test_a_deeply_nested_upload_reaches_the_article(editor_client):
    upload = SimpleUploadedFile("deep.html", _nested(10_000).encode(), "text/html")
    response = editor_client.post(
        reverse("admin:claims_article_add"),
        {"upload": upload, "text": "", "title": "", "outlet": "", "url": "", "published_date": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # HTML is read by the worker (issue 16 item 2): run what it runs.
    page = services.page_import_run(page_id=PageImport.objects.get().pk)
    assert page.state == PageImport.State.IMPORTED, page.error
    assert "Report number 2." in Article.objects.get().body


def _jsonl(*lines: str) -> bytes:
    return "\n".join(lines).encode()


GOOD_1 = json.dumps({"title": "One", "text": "Police said 12 people were hurt in Valmora."})
GOOD_2 = json.dumps({"title": "Two", "text": "The mayor said 300 homes were flooded."})


def test_a_bad_jsonl_line_costs_only_itself():
    items = read_upload("batch.jsonl", _jsonl(GOOD_1, "{not json}", '["a list"]', GOOD_2))
    good = [item for item in items if not item.error]
    bad = [(item.name, item.error) for item in items if item.error]
    assert [item.title for item in good] == ["One", "Two"]
    assert bad == [
        (
            "batch.jsonl line 2",
            "not valid JSON (Expecting property name enclosed in double quotes).",
        ),
        ("batch.jsonl line 3", "expected a JSON object."),
    ]


def test_bulk_import_keeps_the_good_lines_and_reports_the_bad_one(editor_client):
    batch = _jsonl(GOOD_1, '{"title": "no text"}', GOOD_2)
    files = [SimpleUploadedFile("batch.jsonl", batch, "application/jsonl")]
    response = editor_client.post(
        reverse("admin:claims_article_bulk_import"), {"files": files}, follow=True
    )
    html = response.content.decode()
    assert sorted(Article.objects.values_list("title", flat=True)) == ["One", "Two"]
    assert "2 imported, 0 duplicates skipped, 1 refused" in html
    assert "atch.jsonl line 2: no &quot;text&quot; or &quot;body&quot; field." in html


def test_a_jsonl_file_with_no_article_is_refused():
    with pytest.raises(UploadError, match="no articles"):
        read_upload("empty.jsonl", b"\n\n")
