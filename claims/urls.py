from django.urls import path

from claims import health, verdict_views, views, views_bulk, views_corrections, views_matching
from claims.exports import views as export_views

urlpatterns = [
    path("", views.claims_queue, name="claims-queue"),
    path("claims/counts/", views.claims_counts, name="claims-counts"),
    path("claims/outlets/", views.outlet_options, name="claims-outlet-options"),
    path("claims/bulk/", views_bulk.claims_bulk, name="claims-bulk"),
    path("claims/<int:pk>/", views.claim_panel, name="claims-panel"),
    path("claims/<int:pk>/status/", views.claim_set_status, name="claims-set-status"),
    path("claims/<int:pk>/assign/", views.claim_assign, name="claims-assign"),
    path("claims/<int:pk>/dismiss/", views_corrections.claim_dismiss, name="claims-dismiss"),
    path("claims/<int:pk>/restore/", views_corrections.claim_restore, name="claims-restore"),
    path("claims/<int:pk>/correct/", views_corrections.claim_correct, name="claims-correct"),
    path("articles/<int:pk>/claims/add/", views_corrections.claim_add, name="claims-add"),
    path("claims/<int:pk>/rating/", verdict_views.claim_set_rating, name="claims-set-rating"),
    path("claims/<int:pk>/comments/", verdict_views.claim_comments, name="claims-comments"),
    path(
        "claims/<int:pk>/comments/add/",
        verdict_views.claim_add_comment,
        name="claims-add-comment",
    ),
    # The desk's memory (claims/views_matching.py).
    path(
        "claims/<int:pk>/matches/<int:match_pk>/apply/",
        views_matching.match_apply,
        name="claims-match-apply",
    ),
    path(
        "claims/<int:pk>/matches/<int:match_pk>/reject/",
        views_matching.match_reject_view,
        name="claims-match-reject",
    ),
    path("claims/<int:pk>/group/", views_matching.group_apply, name="claims-group-apply"),
    path("overview/", views.claims_overview, name="claims-overview"),
    path("articles/<int:pk>/", views.article_detail, name="claims-article"),
    path("articles/<int:pk>/text/", views.article_text, name="claims-article-text"),
    path("articles/<int:pk>/part/", views.article_part, name="claims-article-part"),
    path("articles/<int:pk>/job/", views.article_job, name="claims-article-job"),
    path("articles/<int:pk>/claims/", views.article_claim_index, name="claims-article-index"),
    path("jobs/live/", views.jobs_live, name="claims-jobs-live"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="claims-job-retry"),
    path("export/claims.csv", export_views.export_claims_csv, name="claims-export-csv"),
    path("export/claimreview.json", export_views.claimreview_feed, name="claims-claimreview-feed"),
    path(
        "claims/<int:pk>/claimreview.json",
        export_views.claim_claimreview,
        name="claims-claimreview",
    ),
    path(
        "articles/<int:pk>/claimreview.json",
        export_views.article_claimreview,
        name="claims-article-claimreview",
    ),
    path("healthz", health.healthz, name="healthz"),
]
