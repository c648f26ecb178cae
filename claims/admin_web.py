"""Admin for the desk's links to the web: feeds, imports by URL, API tokens, webhooks.

Registered from claims/admin.py. Writes go through the services (page imports, tokens);
feeds and webhook subscriptions are settings the desk edits as they are.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from claims import fetching, services
from claims.models import (
    ApiToken,
    Feed,
    PageImport,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

MAX_PASTED_URLS = 100


def _checked_url(url: str) -> str:
    try:
        fetching.check_url(url)
    except fetching.FetchError as exc:
        raise forms.ValidationError(str(exc)) from None
    return url


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# --- feeds and pages -----------------------------------------------------------------------


class FeedForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = Feed
        fields = ["name", "url", "outlet", "interval_minutes", "is_active"]

    def clean_url(self):
        return _checked_url(self.cleaned_data["url"])


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    form = FeedForm
    list_display = [
        "name", "is_active", "interval_minutes", "last_polled_at", "next_poll_at",
        "items_imported", "failures", "error",
    ]  # fmt: skip
    list_filter = ["is_active"]
    search_fields = ["name", "url", "outlet"]
    readonly_fields = [
        "last_polled_at", "next_poll_at", "last_error", "failures", "items_imported",
        "etag", "last_modified", "created_by", "created_at",
    ]  # fmt: skip
    actions = ["poll_now"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Last error")
    def error(self, obj: Feed) -> str:
        return _short(obj.last_error)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Poll now", permissions=["change"])
    def poll_now(self, request, queryset):
        queryset.update(next_poll_at=timezone.now(), sent_at=None)
        sent = services.feeds_send_due()
        self.message_user(request, f"{sent} feeds sent to be polled; refresh to see them.")


class UrlImportForm(forms.Form):
    urls = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text=f"One address per line, at most {MAX_PASTED_URLS}. Each page is fetched, "
        "reduced to its article text and imported like an upload.",
    )

    def clean_urls(self):
        urls = [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]
        if len(urls) > MAX_PASTED_URLS:
            raise forms.ValidationError(
                f"{len(urls)} addresses pasted; import at most {MAX_PASTED_URLS} at a time."
            )
        return urls


@admin.register(PageImport)
class PageImportAdmin(admin.ModelAdmin):
    list_display = ["page", "feed", "state", "attempts", "problem", "article_link", "created_at"]
    list_filter = ["state", "feed"]
    list_select_related = ["feed", "article"]
    search_fields = ["url", "title", "canonical_url", "error"]
    # Not the uploaded markup itself: megabytes the page would show as text.
    readonly_fields = [f.name for f in PageImport._meta.fields if f.name != "html"]
    exclude = ["html"]
    actions = ["try_again"]
    change_list_template = "admin/claims/pageimport/change_list.html"

    @admin.display(description="Page")
    def page(self, obj: PageImport) -> str:
        return _short(obj.title or obj.url or obj.upload_name, 70)

    @admin.display(description="Error")
    def problem(self, obj: PageImport) -> str:
        return _short(obj.error)

    @admin.display(description="Article")
    def article_link(self, obj: PageImport) -> str:
        if not obj.article_id:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.article.get_absolute_url(), obj.article_id)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:claims_pageimport_import_urls")

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_urls_view)
        return [
            path("import-urls/", view, name="claims_pageimport_import_urls"),
            *super().get_urls(),
        ]

    def import_urls_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UrlImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            recorded, refused = services.page_imports_create(
                urls=form.cleaned_data["urls"], requested_by=request.user
            )
            if recorded:
                self.message_user(
                    request,
                    f"{len(recorded)} pages are being fetched; each one's state is below.",
                    messages.SUCCESS,
                )
            for url, reason in refused:
                self.message_user(request, f"{_short(url)}: {reason}", messages.ERROR)
            return redirect(reverse("admin:claims_pageimport_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import articles by URL",
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/claims/pageimport/import_urls.html", context)

    @admin.action(description="Try again", permissions=["add"])
    def try_again(self, request, queryset):
        count = services.page_imports_retry(page_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} pages will be fetched again.")


# --- API tokens ----------------------------------------------------------------------------


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope", "expires_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Personal tokens. Admins make them for anyone; any other staff member for themselves.
    A token is shown once, on the page that follows its creation, and never again."""

    form = ApiTokenForm
    list_display = ["name", "user", "scope", "prefix", "created_at", "last_used_at", "state"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username", "prefix"]
    actions = ["revoke"]

    @admin.display(description="State")
    def state(self, obj: ApiToken) -> str:
        if obj.revoked_at:
            return f"revoked {obj.revoked_at:%Y-%m-%d %H:%M}"
        return "live" if obj.is_usable else "expired"

    def _manages_all(self, request) -> bool:
        return request.user.has_perm("claims.change_apitoken")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (
            obj is None or obj.user_id == request.user.pk or self._manages_all(request)
        )

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        return tokens if self._manages_all(request) else tokens.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a made token changes only by being revoked
            return ["user", "name", "scope", "expires_at", "prefix", "revoked_at", "last_used_at"]
        return [] if self._manages_all(request) else ["user"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        user = form.cleaned_data.get("user") if self._manages_all(request) else None
        token, raw = services.api_token_create(
            user=user or request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.cleaned_data.get("expires_at"),
            created_by=request.user,
        )
        obj.pk, obj.user = token.pk, token.user
        request.newsfacts_new_token = raw

    def response_add(self, request, obj, post_url_continue=None):
        # The token itself goes in this one response, never in a message, a cookie or a log.
        context = {
            **self.admin_site.each_context(request),
            "title": "Copy the new token now",
            "token": obj,
            "raw": request.newsfacts_new_token,
            "opts": self.opts,
        }
        response = TemplateResponse(request, "admin/claims/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = services.api_tokens_revoke(token_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} tokens revoked; they open nothing from now on.")


# --- webhooks ------------------------------------------------------------------------------


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "is_active"]

    def clean_url(self):
        return _checked_url(self.cleaned_data["url"])


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["attempted_at", "status", "error", "seconds"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "is_active", "event_names", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Events")
    def event_names(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subscription", "state", "attempts", "last_status", "created_at"]
    list_filter = ["state", "event", "subscription"]
    list_select_related = ["subscription"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again", permissions=["change"])
    def send_again(self, request, queryset):
        count = queryset.exclude(state=WebhookDelivery.State.DELIVERED).update(
            state=WebhookDelivery.State.PENDING, attempts=0, next_attempt_at=timezone.now(),
            sent_at=None,
        )  # fmt: skip
        self.message_user(request, f"{count} deliveries will be sent again within a minute.")
