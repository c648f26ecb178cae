"""/api/v1/articles, /jobs, /imports: an article in (its text, or its URL), then its job."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Status

from claims import permissions, selectors, services
from claims.api.auth import require
from claims.api.schemas import (
    ArticleIn,
    ArticleOut,
    DuplicateOut,
    ImportOut,
    JobOut,
    Message,
    article_ref,
    desk_url,
    import_out,
    job_out,
)
from claims.models import Article, ExtractionJob, PageImport
from claims.uploads import UploadError

router = Router(tags=["articles"])


def _job(request: HttpRequest, job: ExtractionJob | None) -> dict | None:
    url = request.build_absolute_uri(reverse("api-v1:get_job", args=[job.pk])) if job else ""
    return job_out(job, url=url)


def _article(request: HttpRequest, article: Article) -> dict:
    return {
        **article_ref(article),
        "published_date": article.published_date,
        "dateline_place": article.dateline_place,
        "dateline_date": article.dateline_date,
        "created_at": article.created_at,
        "claim_count": article.claims.filter(is_orphaned=False).count(),
        "job": _job(request, selectors.article_latest_job(article=article)),
        "desk_url": desk_url(article.get_absolute_url()),
    }


def _import(request: HttpRequest, page: PageImport) -> dict:
    job = selectors.article_latest_job(article=page.article) if page.article else None
    url = request.build_absolute_uri(reverse("api-v1:get_import", args=[page.pk]))
    return import_out(page, job=_job(request, job), url=url)


@router.post(
    "/articles",
    response={201: ArticleOut, 202: ImportOut, 409: DuplicateOut, 422: Message},
    summary="Put an article in: its text (201), or only its URL for the desk to fetch (202)",
)
def create_article(request: HttpRequest, article: ArticleIn):
    """With ``text`` the article is stored at once and its extraction job queued: follow
    ``job.url``. With only ``url`` the desk fetches and reads the page in the background:
    follow ``status_url`` until the import is ``imported`` (or ``duplicate``, ``failed``).
    The same text twice is refused with 409 and the stored article's id."""
    require(request, permissions.UPLOAD_ARTICLES, write=True)
    if not article.text.strip():
        if not article.url.strip():
            return Status(
                422, {"detail": "Send the article's text, or its url for the desk to fetch."}
            )
        recorded, refused = services.page_imports_create(
            urls=[article.url], requested_by=request.user
        )
        if refused:
            return Status(422, {"detail": refused[0][1]})
        return Status(202, _import(request, recorded[0]))
    try:
        stored = services.article_create(
            text=article.text,
            title=article.title,
            outlet=article.outlet,
            url=article.url,
            published_date=article.published_date,
            uploaded_by=request.user,
        )
    except services.DuplicateArticle as exc:
        return Status(409, {"detail": str(exc), "article_id": exc.existing.pk})
    except UploadError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, _article(request, stored))


@router.get(
    "/articles/{int:article_id}",
    response={200: ArticleOut, 404: Message},
    summary="One article, its claim count and its latest job",
)
def get_article(request: HttpRequest, article_id: int):
    require(request, permissions.VIEW_CLAIMS)
    return _article(request, get_object_or_404(Article, pk=article_id))


@router.get(
    "/jobs/{int:job_id}",
    response={200: JobOut, 404: Message},
    url_name="get_job",
    summary="One extraction job",
)
def get_job(request: HttpRequest, job_id: int):
    """An extraction job: queued, running, done (with its claim count) or failed (with why)."""
    require(request, "claims.view_extractionjob")
    return _job(request, get_object_or_404(ExtractionJob, pk=job_id))


@router.get(
    "/imports/{int:import_id}",
    response={200: ImportOut, 404: Message},
    url_name="get_import",
    summary="One import by URL",
)
def get_import(request: HttpRequest, import_id: int):
    """A URL import: waiting, fetching, imported (with its article and job), duplicate
    (with the article already stored) or failed (with why)."""
    require(request, "claims.view_article")
    return _import(
        request, get_object_or_404(PageImport.objects.select_related("article"), pk=import_id)
    )
