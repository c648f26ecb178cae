"""Writes: every change to articles, jobs and claims goes through these functions.

Views, admin actions, management commands and Celery tasks all call them, so a rule
(duplicate detection, review rules, optimistic locking, idempotent jobs) lives in one place.
One module per aggregate:

- ``articles``: an article in (paste, file, bulk import), duplicates refused;
- ``jobs``: extraction jobs queued, sent to the broker, run, failed; ``sweeper`` resends
  the stuck ones;
- ``reconciliation``: an article's claims made to match a fresh extraction, reviews kept;
- ``review``: a reviewer's status change, sources and history;
- ``verdicts``: a claim rated on the desk's scale, comments on claims;
- ``bulk``: a desk chief's assignment and status change over many claims;
- ``feeds``: feeds polled and pages imported by URL; ``webhooks``: events told to other
  systems; ``tokens``: the API's personal tokens.
"""

from claims.services.articles import (
    DuplicateArticle,
    ImportReport,
    article_create,
    articles_import,
)
from claims.services.bulk import (
    BulkReviewReport,
    claims_assign,
    claims_bulk_set_status,
)
from claims.services.edits import article_duplicate_body, article_update, claim_edit
from claims.services.feeds import (
    HtmlUpload,
    feed_poll,
    feeds_send_due,
    html_uploads_create,
    page_import_run,
    page_import_timed_out,
    page_imports_create,
    page_imports_retry,
    page_imports_send_due,
)
from claims.services.jobs import (
    IMPORT_BATCH_SIZE,
    TRANSIENT_ERRORS,
    extractor,
    job_enqueue,
    job_fail,
    job_retry_article,
    jobs_enqueue,
    jobs_run,
    jobs_send,
)
from claims.services.reconciliation import claim_fingerprint, claims_replace_extraction
from claims.services.review import (
    ReviewConflict,
    ReviewRuleError,
    claim_add_source,
    claim_set_status,
)
from claims.services.sweeper import jobs_requeue_stuck
from claims.services.tokens import api_token_authenticate, api_token_create, api_tokens_revoke
from claims.services.verdicts import claim_add_comment, claim_set_rating
from claims.services.webhooks import (
    webhook_deliver,
    webhook_deliveries_send_due,
    webhooks_announce,
)

__all__ = [
    "IMPORT_BATCH_SIZE",
    "TRANSIENT_ERRORS",
    "BulkReviewReport",
    "DuplicateArticle",
    "ImportReport",
    "ReviewConflict",
    "ReviewRuleError",
    "article_create",
    "articles_import",
    "claim_add_source",
    "claim_fingerprint",
    "claim_set_status",
    "claims_assign",
    "claims_bulk_set_status",
    "claims_replace_extraction",
    "extractor",
    "job_enqueue",
    "job_fail",
    "job_retry_article",
    "jobs_enqueue",
    "jobs_requeue_stuck",
    "jobs_run",
    "jobs_send",
]
__all__ += ["HtmlUpload", "html_uploads_create"]
__all__ += ["article_duplicate_body", "article_update", "claim_edit"]
__all__ += [
    "api_token_authenticate",
    "api_token_create",
    "api_tokens_revoke",
    "feed_poll",
    "feeds_send_due",
    "page_import_run",
    "page_import_timed_out",
    "page_imports_create",
    "page_imports_retry",
    "page_imports_send_due",
    "webhook_deliver",
    "webhook_deliveries_send_due",
    "webhooks_announce",
]

from claims.services.corrections import (  # noqa: E402
    claim_add,
    claim_correct,
    claim_dismiss,
    claim_restore,
)

__all__ += ["claim_add", "claim_correct", "claim_dismiss", "claim_restore"]
__all__ += ["claim_add_comment", "claim_set_rating"]
