"""Editors upload through the admin: paste, one file, or many files at once."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import services
from claims.models import Article, PageImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Port Strike Ends\n\nVALMORA, March 14 (Coastal Wire) – More than 340 ships waited offshore, the port authority said.\n"


@pytest.fixture
def editor_client(client):
    editor = UserFactory(username="ed", role="editor")
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    return client


def add(client, **data):
    fields = {"text": "", "title": "", "outlet": "", "url": "", "published_date": ""}
    fields.update(data)
    return client.post(reverse("admin:claims_article_add"), fields)


def test_an_editor_pastes_an_article(editor_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = add(editor_client, text=TEXT)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.title == "Port Strike Ends"
    assert article.outlet == "Coastal Wire"
    assert article.uploaded_by.username == "ed"
    assert article.jobs.get().state == "queued"
    # A plain "Save" lands on the desk's article page, where extraction progress shows.
    assert response.url == reverse("claims-article", args=[article.pk])


def test_an_editor_uploads_a_text_file(editor_client):
    upload = SimpleUploadedFile("strike.txt", TEXT.encode("utf-16"), "text/plain")
    response = editor_client.post(
        reverse("admin:claims_article_add"),
        {"upload": upload, "text": "", "title": "", "outlet": "", "url": "", "published_date": ""},
    )
    assert response.status_code == 302
    assert Article.objects.get().body.startswith("VALMORA")


def test_an_html_file_is_reduced_to_its_text(editor_client):
    html = (
        "<html><head><title>Strike ends</title></head><body><nav>Menu</nav><article>"
        "<p>Dockworkers returned to work on Thursday after an eight-day strike that left more "
        "than 340 container ships waiting offshore, the port authority said.</p>"
        "<script>document.location='https://evil.example'</script></article></body></html>"
    )
    upload = SimpleUploadedFile("strike.html", html.encode(), "text/html")
    response = editor_client.post(
        reverse("admin:claims_article_add"),
        {"upload": upload, "text": "", "title": "", "outlet": "", "url": "", "published_date": ""},
    )
    # The editor is answered at once; a worker reads the page (here: its service).
    assert response.status_code == 302
    assert response.url == reverse("admin:claims_pageimport_changelist")
    assert not Article.objects.exists()
    page = PageImport.objects.get()
    assert services.page_import_run(page_id=page.pk).state == PageImport.State.IMPORTED
    article = Article.objects.get()
    assert "340 container ships" in article.body
    assert "evil" not in article.body and "<" not in article.body


def test_a_duplicate_upload_is_refused_with_a_clear_error(editor_client):
    add(editor_client, text=TEXT)
    response = add(editor_client, text=TEXT + "\n\n")
    assert response.status_code == 200
    assert "already stored as" in response.content.decode()
    assert Article.objects.count() == 1


def test_an_empty_form_is_refused(editor_client):
    response = add(editor_client)
    assert response.status_code == 200
    assert "Paste the article" in response.content.decode()


def test_a_binary_file_is_refused(editor_client):
    upload = SimpleUploadedFile("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "text/plain")
    response = editor_client.post(
        reverse("admin:claims_article_add"),
        {"upload": upload, "text": "", "title": "", "outlet": "", "url": "", "published_date": ""},
    )
    assert response.status_code == 200
    assert "binary" in response.content.decode()
    assert not Article.objects.exists()


def test_bulk_import_takes_many_files_and_jsonl(editor_client):
    lines = "\n".join(
        json.dumps({"title": f"Story {n}", "text": f"Police said {n} people were hurt."})
        for n in range(3)
    )
    files = [
        SimpleUploadedFile("a.txt", TEXT.encode(), "text/plain"),
        SimpleUploadedFile("batch.jsonl", lines.encode(), "application/jsonl"),
        SimpleUploadedFile("again.txt", TEXT.encode(), "text/plain"),
        SimpleUploadedFile("bad.pdf", b"%PDF", "application/pdf"),
    ]
    response = editor_client.post(
        reverse("admin:claims_article_bulk_import"), {"files": files}, follow=True
    )
    html = response.content.decode()
    assert Article.objects.count() == 4
    assert "4 imported, 1 duplicates skipped, 1 refused" in html
    assert "bad.pdf" in html


def test_reviewers_cannot_reach_the_upload_form(client):
    reviewer = UserFactory(username="rita", role="reviewer")
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    assert client.get(reverse("admin:claims_article_add")).status_code == 403
    assert client.get(reverse("admin:claims_article_bulk_import")).status_code == 403


def test_the_article_list_shows_extraction_state_and_claim_count(editor_client):
    from tests.factories import ArticleFactory, ClaimFactory, JobFactory

    done = ArticleFactory(title="Done story")
    JobFactory(article=done, state="failed")
    JobFactory(article=done, state="done", claim_count=2)  # the latest job counts
    ClaimFactory(article=done, text="a", fingerprint="a")
    ClaimFactory(article=done, text="b", fingerprint="b")
    ClaimFactory(article=done, text="c", fingerprint="c", is_orphaned=True)
    ArticleFactory(title="Never run")
    html = editor_client.get(reverse("admin:claims_article_changelist")).content.decode()
    assert "Extraction</a>" in html and "Claims</a>" in html  # sortable column headers
    row = html[html.index("Done story") :]
    row = row[: row.index("</tr>")]
    assert '<td class="field-extraction_state">Done</td>' in row
    assert '<td class="field-claim_count">2</td>' in row
    never = html[html.index("Never run") :]
    assert '<td class="field-extraction_state">Not run</td>' in never[: never.index("</tr>")]


def test_the_favicon_is_ours_and_never_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert "max-age=86400" in response["Cache-Control"]
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/claims/favicon' in page and 'href="data:,"' not in page
