"""Admin for the archive of verdicts: fact-checks listed, edited, and imported from a file
(the same service as ``manage.py import_factchecks``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from claims.models import ClaimMatch, FactCheck
from claims.services.factchecks import FactCheckFileError, fact_checks_import


class FactCheckImportForm(forms.Form):
    file = forms.FileField(
        help_text="ClaimReview JSON-LD, JSON Lines ({id, text, rating, publisher, url, date} "
        "per line) or CLEF TSV (id, text, title). Importing a file again updates its records."
    )


@admin.register(FactCheck)
class FactCheckAdmin(admin.ModelAdmin):
    list_display = ["text", "rating", "publisher", "date", "origin"]
    list_filter = ["origin", "publisher", "rating"]
    search_fields = ["text", "title", "publisher", "url", "external_id"]
    readonly_fields = ["created_at", "updated_at"]
    change_list_template = "admin/claims/factcheck/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="claims_factcheck_import"), *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = FactCheckImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.NEWSFACTS_MAX_UPLOAD_BYTES * 20:
                self.message_user(request, f"{upload.name} is too large.", messages.ERROR)
                return redirect(reverse("admin:claims_factcheck_import"))
            try:
                report = fact_checks_import(data=upload.read(), name=upload.name)
            except FactCheckFileError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return redirect(reverse("admin:claims_factcheck_import"))
            level = messages.WARNING if report.errors else messages.SUCCESS
            self.message_user(request, f"{upload.name}: {report}", level)
            for error in report.errors[:50]:
                self.message_user(request, error, messages.ERROR)
            return redirect(reverse("admin:claims_factcheck_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import fact-checks",
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/claims/factcheck/import.html", context)


@admin.register(ClaimMatch)
class ClaimMatchAdmin(admin.ModelAdmin):
    list_display = ["claim", "fact_check", "other_claim", "score", "has_conflict", "rejected_at"]
    list_filter = ["has_conflict"]
    raw_id_fields = ["claim", "fact_check", "other_claim", "rejected_by"]
