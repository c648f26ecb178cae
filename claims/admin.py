"""Admin: where editors upload articles (paste, file, or bulk) and admins manage accounts."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from claims import services
from claims.exports import csv_response
from claims.forms import ArticleUploadForm
from claims.models import Article, Claim, ExtractionJob, Source, StatusChange
from claims.uploads import (
    UploadError,
    check_upload_size,
    decode_text,
    is_html_upload,
    read_upload,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for a field that takes several files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class BulkImportForm(forms.Form):
    files = MultipleFileField(
        help_text=".txt, .md or .html files (one article each) or .jsonl files "
        '(one {"title", "text", "outlet", "url", "published_date"} object per line).'
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.NEWSFACTS_MAX_UPLOAD_FILES
        if len(files) > limit:
            raise forms.ValidationError(
                f"{len(files)} files chosen; upload at most {limit} at a time."
            )
        return files


class ArticleEditForm(forms.ModelForm):
    """The admin's change form: a body that another article already has is refused."""

    def clean_body(self):
        body = self.cleaned_data["body"]
        existing = services.article_duplicate_body(article=self.instance, body=body)
        if existing:
            raise forms.ValidationError(
                f"This text is already stored as “{existing.title}” (article {existing.pk})."
            )
        return body


class ExtractionJobInline(admin.TabularInline):
    model = ExtractionJob
    fields = [
        "state",
        "attempts",
        "claim_count",
        "created_at",
        "started_at",
        "finished_at",
        "error",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "outlet",
        "dateline_place",
        "published_date",
        "uploaded_by",
        "created_at",
        "extraction_state",
        "claim_count",
        "desk_link",
    ]
    list_filter = ["outlet", "created_at"]
    search_fields = ["title", "body", "outlet", "url"]
    readonly_fields = ["body_hash", "uploaded_by", "created_at", "updated_at"]
    inlines = [ExtractionJobInline]
    actions = ["rerun_extraction"]
    change_list_template = "admin/claims/article/change_list.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # The list's extraction state and claim count, in the list's one query.
        latest = ExtractionJob.objects.filter(article=OuterRef("pk")).order_by("-created_at", "-id")
        live = Count("claims", filter=Q(claims__is_orphaned=False), distinct=True)
        return (
            super()
            .get_queryset(request)
            .annotate(job_state=Subquery(latest.values("state")[:1]), live_claims=live)
        )

    @admin.display(description="Extraction", ordering="job_state")
    def extraction_state(self, obj: Article) -> str:
        state = getattr(obj, "job_state", None)
        return ExtractionJob.State(state).label if state else "Not run"

    @admin.display(description="Claims", ordering="live_claims")
    def claim_count(self, obj: Article) -> int:
        return getattr(obj, "live_claims", 0)

    @admin.display(description="Desk")
    def desk_link(self, obj: Article) -> str:
        return format_html('<a href="{}">Claims</a>', obj.get_absolute_url())

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # a new article has no jobs yet

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleUploadForm
            kwargs["fields"] = None
        else:
            kwargs["form"] = ArticleEditForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["text", "upload"]}),
                ("Details (optional: read from the text when left empty)", {
                    "fields": ["title", "outlet", "url", "published_date"]
                }),
            ]  # fmt: skip
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            # Through the service: a new body is re-hashed and extracted again.
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            article = services.article_update(
                article_id=obj.pk, changes=changes, edited_by=request.user
            )
            obj.__dict__.update(article.__dict__)
            if "body" in changes:
                self.message_user(
                    request, "The text changed: its claims are being extracted again."
                )
            return None
        # New articles go through the service (dateline, duplicates, extraction job);
        # the admin then carries on with the stored article as its object.
        if "html_upload" in form.prepared:
            # Read by a worker; the editor follows it among the page imports.
            (request.newsfacts_page_import,) = services.html_uploads_create(
                uploads=[form.prepared["html_upload"]], requested_by=request.user
            )
            return
        try:
            article = services.article_create(**form.prepared, uploaded_by=request.user)
        except services.DuplicateArticle as exc:
            # Stored by someone else since the form checked: the editor is sent to it.
            article = exc.existing
            request.newsfacts_duplicate = True
        obj.__dict__.update(article.__dict__)

    def log_addition(self, request, obj, message):
        if getattr(request, "newsfacts_duplicate", False) or obj.pk is None:
            return None  # nothing added: a duplicate, or an HTML file still to be read
        return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        page = getattr(request, "newsfacts_page_import", None)
        if page is not None:
            self.message_user(
                request,
                f"{page.upload_name} is being read; the article appears here once it is "
                "(or the reason it could not be).",
            )
            return redirect(reverse("admin:claims_pageimport_changelist"))
        if getattr(request, "newsfacts_duplicate", False):
            self.message_user(
                request, f"Already stored as “{obj.title}” (article {obj.pk}).", messages.WARNING
            )
            return redirect(obj.get_absolute_url())
        # After a plain "Save", show the article on the desk, where its extraction job
        # reports progress live, rather than the admin list.
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        # Tagged so the article page can replace it when the job finishes (article_job).
        self.message_user(
            request,
            f"Stored “{obj.title}”; extracting its claims now.",
            extra_tags="extraction-notice",
        )
        return redirect(obj.get_absolute_url())

    def get_urls(self):
        urls = super().get_urls()
        bulk = path(
            "bulk-import/",
            self.admin_site.admin_view(self.bulk_import_view),
            name="claims_article_bulk_import",
        )
        return [bulk, *urls]

    def bulk_import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BulkImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            uploads, html_uploads, refused = [], [], []
            for upload in form.cleaned_data["files"]:
                try:
                    check_upload_size(upload)
                    if is_html_upload(upload.name):
                        html = decode_text(upload.read(), name=upload.name)
                        html_uploads.append(services.HtmlUpload(name=upload.name, html=html))
                    else:
                        uploads.extend(read_upload(upload.name, upload.read()))
                except UploadError as exc:
                    refused.append((upload.name, str(exc)))
            report = services.articles_import(uploads=uploads, uploaded_by=request.user)
            report.errors[:0] = refused
            if html_uploads:
                services.html_uploads_create(uploads=html_uploads, requested_by=request.user)
                self.message_user(
                    request,
                    format_html(
                        '{} HTML files are being read; follow them in <a href="{}">Page '
                        "imports</a>.",
                        len(html_uploads),
                        reverse("admin:claims_pageimport_changelist"),
                    ),
                )
            self.message_user(
                request, report.summary(), messages.SUCCESS if report.created else messages.WARNING
            )
            for name, existing in report.duplicates:
                self.message_user(
                    request, f"{name}: already stored as “{existing.title}”.", messages.WARNING
                )
            for name, error in report.errors:
                self.message_user(request, f"{name}: {error}", messages.ERROR)
            return redirect(reverse("admin:claims_article_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Bulk import articles",
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/claims/article/bulk_import.html", context)

    @admin.action(description="Re-run extraction", permissions=["add"])
    def rerun_extraction(self, request, queryset):
        for article in queryset:
            services.job_retry_article(article=article, requested_by=request.user)
        self.message_user(request, f"Extraction queued for {queryset.count()} articles.")


@admin.register(ExtractionJob)
class ExtractionJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "article",
        "state",
        "attempts",
        "claim_count",
        "created_at",
        "finished_at",
    ]
    list_filter = ["state"]
    list_select_related = ["article"]
    readonly_fields = [f.name for f in ExtractionJob._meta.fields]

    def has_add_permission(self, request):
        return False


class SourceInline(admin.TabularInline):
    model = Source
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0
    readonly_fields = ["added_by", "added_at"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["changed_by", "changed_at", "from_status", "to_status", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "summary",
        "type",
        "score",
        "speaker",
        "status",
        "assignee",
        "article",
        "is_orphaned",
    ]
    list_filter = ["status", "type", "is_orphaned"]
    list_select_related = ["article", "assignee"]
    search_fields = ["text", "summary", "speaker"]
    raw_id_fields = ["article", "assignee", "reviewed_by"]
    # Status changes go through the desk (rules, history, locking), not through this form.
    readonly_fields = ["status", "version", "reviewed_by", "reviewed_at", "fingerprint"]
    inlines = [SourceInline, StatusChangeInline]
    actions = ["export_csv"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Through the service: the version moves on and the history says what changed.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        claim = services.claim_edit(claim_id=obj.pk, changes=changes, user=request.user)
        obj.__dict__.update(claim.__dict__)
        return None

    def save_formset(self, request, form, formset, change):
        sources = formset.save(commit=False)
        for source in sources:
            if isinstance(source, Source) and source.added_by_id is None:
                source.added_by = request.user
            source.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    @admin.action(description="Export selected claims as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_response(request, queryset, name="newsfacts-selected-claims")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "url", "claim", "is_counter", "added_by", "added_at"]
    raw_id_fields = ["claim"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["claim", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    readonly_fields = ["claim", "changed_by", "changed_at", "from_status", "to_status", "note"]

    def has_add_permission(self, request):
        return False


# Feeds, imports by URL, API tokens, webhooks, the rating scale and fact-checks have their
# own modules.
from claims import admin_matching, admin_verdicts, admin_web  # noqa: E402, F401
