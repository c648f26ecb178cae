"""Role checks, enforced in views (templates only hide what a view would refuse anyway)."""

from __future__ import annotations

VIEW_CLAIMS = "claims.view_claim"
REVIEW_CLAIMS = "claims.change_claim"
ASSIGN_CLAIMS = "claims.assign_claim"
UPLOAD_ARTICLES = "claims.add_article"
RUN_EXTRACTION = "claims.add_extractionjob"

# Roles are Django groups created by migration 0002; these are their permissions.
ROLE_PERMISSIONS = {
    "editor": [
        "view_article", "add_article", "change_article",
        "view_extractionjob", "add_extractionjob",
        "view_claim", "view_source", "view_statuschange",
    ],
    "reviewer": [
        "view_article", "view_extractionjob",
        "view_claim", "change_claim",
        "view_source", "add_source",
        "view_statuschange", "add_statuschange",
    ],
    "desk chief": [
        "view_article", "view_extractionjob",
        "view_claim", "change_claim", "assign_claim",
        "view_source", "add_source",
        "view_statuschange", "add_statuschange",
    ],
}  # fmt: skip
