"""Admin for the desk's rating scale: desk chiefs add, rename, reorder and retire ratings."""

from __future__ import annotations

from django.contrib import admin

from claims.models import VerdictRating


@admin.register(VerdictRating)
class VerdictRatingAdmin(admin.ModelAdmin):
    list_display = ["name", "value", "order", "is_active", "description"]
    list_editable = ["value", "order", "is_active"]
    ordering = ["order", "id"]

    # A rating given to claims stays (PROTECT); retire it with "is active" instead.
    def has_delete_permission(self, request, obj=None):
        return False
