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

# Feeds and imports by URL (migration 0005 grants these; 0002 predates their models).
# Editors put articles in, so they import by URL and see the feeds; desk chiefs subscribe
# the desk to feeds. Webhooks and other people's API tokens are the admin's.
IMPORT_PAGES = "claims.add_pageimport"
WEB_ROLE_PERMISSIONS = {
    "editor": ["view_feed", "view_pageimport", "add_pageimport"],
    "desk chief": [
        "view_feed", "add_feed", "change_feed", "delete_feed",
        "view_pageimport", "add_pageimport",
    ],
}  # fmt: skip

# Verdict ratings and comments (issue 15). Rating a claim and commenting are review work
# (REVIEW_CLAIMS); the rating scale is the desk chief's, edited in the admin.
VERDICT_ROLE_PERMISSIONS = {
    "editor": ["view_claimcomment"],
    "reviewer": ["view_verdictrating", "view_claimcomment", "add_claimcomment"],
    "desk chief": [
        "view_verdictrating", "add_verdictrating", "change_verdictrating",
        "view_claimcomment", "add_claimcomment",
    ],
}  # fmt: skip
COMMENT_CLAIMS = "claims.add_claimcomment"
