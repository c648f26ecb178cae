"""HTML uploads are read by a worker: the request stores the file and answers at once."""

from __future__ import annotations

import threading

import pytest
import trafilatura
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claims import services, uploads, webpages
from claims.models import Article, ExtractionJob, PageImport
from tests.conftest import wait_for
from tests.factories import UserFactory

STORY = (
    "<html><head><title>Strike ends</title></head><body><nav>Menu</nav><article>"
    "<h1>Port strike ends</h1><p>Dockworkers returned to work on Thursday after an "
    "eight-day strike that left more than 340 container ships waiting offshore, the port "
    "authority said.</p><p>The union agreed to a 6.5 percent pay rise over two years.</p>"
    "</article></body></html>"
)


def many_attributes(count: int = 200_000) -> bytes:
    """A page of ~3 MB whose markup takes an HTML parser minutes (the adversarial file)."""
    attributes = " ".join(f'd{n}="{n}"' for n in range(count))
    return f"<html><body><div {attributes}><p>Short text.</p></div></body></html>".encode()


@pytest.fixture
def editor(db):
    return UserFactory(username="ed", is_staff=True, is_superuser=True)


@pytest.fixture
def no_parsing(monkeypatch):
    """Every way to read HTML fails the test if a request calls it."""

    def refuse(*args, **kwargs):
        raise AssertionError("HTML was parsed in the request")

    for target, name in [
        (trafilatura, "bare_extraction"),
        (uploads, "html_to_text"),
        (webpages, "check_markup"),
        (webpages, "page_article"),
    ]:
        monkeypatch.setattr(target, name, refuse)
    return monkeypatch


def post_upload(client: Client, name: str, data: bytes):
    upload = SimpleUploadedFile(name, data, "text/html")
    fields = {"text": "", "title": "", "outlet": "", "url": "", "published_date": ""}
    return client.post(reverse("admin:claims_article_add"), {**fields, "upload": upload})


@pytest.mark.django_db
def test_a_200k_attribute_upload_is_stored_unparsed_and_answered_at_once(
    editor, client, no_parsing
):
    client.force_login(editor)
    data = many_attributes()
    response = post_upload(client, "huge.html", data)
    assert response.status_code == 302
    assert response.url == reverse("admin:claims_pageimport_changelist")
    page = PageImport.objects.get()
    assert page.state == PageImport.State.PENDING
    assert page.html == data.decode() and page.upload_name == "huge.html"
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_worker_refuses_it_by_its_structure_and_the_desk_sees_why(editor, client):
    client.force_login(editor)
    post_upload(client, "huge.html", many_attributes())
    page = PageImport.objects.get()
    assert services.page_import_run(page_id=page.pk).state == PageImport.State.FAILED
    page.refresh_from_db()
    assert "attributes, more than the 50,000 the desk reads" in page.error
    assert page.html  # nothing lost: the file stays for a look or another try
    listing = client.get(reverse("admin:claims_pageimport_changelist")).content.decode()
    assert "huge.html" in listing and "attributes" in listing
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_good_page_becomes_an_article_with_what_the_editor_typed(editor, client):
    client.force_login(editor)
    upload = SimpleUploadedFile("strike.html", STORY.encode(), "text/html")
    fields = {"text": "", "title": "", "outlet": "Coast Wire", "url": "", "published_date": ""}
    client.post(reverse("admin:claims_article_add"), {**fields, "upload": upload})
    page = PageImport.objects.get()
    assert services.page_import_run(page_id=page.pk).state == PageImport.State.IMPORTED
    page.refresh_from_db()
    article = page.article
    assert "340 container ships" in article.body and article.outlet == "Coast Wire"
    assert article.uploaded_by == editor and article.jobs.count() == 1
    assert page.html == ""  # read and stored: the markup is not kept twice
    # The same file again is reported as a duplicate, not stored twice.
    post_upload(client, "again.html", STORY.encode())
    again = PageImport.objects.exclude(pk=page.pk).get()
    assert services.page_import_run(page_id=again.pk).state == PageImport.State.DUPLICATE
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_bulk_import_hands_html_to_the_worker(editor, client, no_parsing):
    client.force_login(editor)
    files = [
        SimpleUploadedFile("a.html", many_attributes(), "text/html"),
        SimpleUploadedFile("b.htm", STORY.encode(), "text/html"),
        SimpleUploadedFile("c.txt", b"Harbour Reopens\n\nThe harbour reopened on Monday.", "text/plain"),
    ]  # fmt: skip
    response = client.post(
        reverse("admin:claims_article_bulk_import"), {"files": files}, follow=True
    )
    assert response.status_code == 200
    assert "2 HTML files are being read" in response.content.decode()
    assert sorted(PageImport.objects.values_list("upload_name", flat=True)) == ["a.html", "b.htm"]
    assert Article.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_while_two_such_uploads_are_in_flight(no_parsing, monkeypatch):
    editor = UserFactory(username="ed", is_staff=True, is_superuser=True)
    inside, answered = threading.Event(), threading.Event()
    real_create = services.html_uploads_create

    def create_while_health_is_checked(**kwargs):
        # The first upload holds its request open until /healthz has answered; the second
        # is in flight behind it (on SQLite, waiting for the write lock).
        if not inside.is_set():
            inside.set()
            assert answered.wait(timeout=60)
        return real_create(**kwargs)

    monkeypatch.setattr(services, "html_uploads_create", create_while_health_is_checked)
    responses: dict[int, object] = {}

    def upload(i):
        client = Client()
        client.force_login(editor)
        try:
            responses[i] = post_upload(client, f"huge-{i}.html", many_attributes())
        except Exception as exc:  # the assertions say which
            responses[i] = exc

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    assert inside.wait(timeout=60)
    try:
        health = Client().get("/healthz")
    finally:
        answered.set()
    for thread in threads:
        thread.join(timeout=60)
    assert health.status_code in (200, 503) and "database" in health.json()
    assert [getattr(responses[i], "status_code", responses[i]) for i in range(2)] == [302, 302]
    assert PageImport.objects.filter(state=PageImport.State.PENDING).count() == 2


@pytest.mark.worker
def test_an_uploaded_page_is_read_and_extracted_by_the_worker(celery_worker):
    editor = UserFactory(username="ed", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(editor)
    assert post_upload(client, "strike.html", STORY.encode()).status_code == 302
    page = wait_for(
        lambda: PageImport.objects.filter(state=PageImport.State.IMPORTED).first(),
        what="the page to be read",
    )
    wait_for(
        lambda: page.article.jobs.filter(state=ExtractionJob.State.DONE).exists(),
        what="its extraction",
    )
    assert page.article.claims.filter(text__contains="340 container ships").exists()
