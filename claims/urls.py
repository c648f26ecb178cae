from django.urls import path

from claims import health, views, views_export

urlpatterns = [
    path("", views.claims_queue, name="claims-queue"),
    path("articles/<int:pk>/", views.article_detail, name="claims-article"),
    path("articles/<int:pk>/job/", views.article_job, name="claims-article-job"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="claims-job-retry"),
    path("claims/<int:pk>/status/", views.claim_set_status, name="claims-set-status"),
    path("export/claims.csv", views_export.export_claims_csv, name="claims-export-csv"),
    path("healthz", health.healthz, name="healthz"),
]
