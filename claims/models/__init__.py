"""The desk's records, one module per aggregate.

- ``article``: Article, ExtractionJob;
- ``claim``: Claim, Source, StatusChange (its review history);
- ``feeds``: Feed, PageImport (a feed's item or a pasted URL on its way to an article);
- ``matching``: FactCheck (the archive of verdicts), ClaimVector, ClaimMatch, LexicalTerm;
- ``tally``: ClaimStatusTally (live claims per status, kept by database triggers);
- ``verdicts``: VerdictRating (the desk's scale), ClaimRating, RatingChange, ClaimComment;
- ``api``: ApiToken; ``webhooks``: WebhookSubscription, WebhookDelivery, WebhookAttempt.
"""

from claims.models.api import ApiToken
from claims.models.article import Article, ExtractionJob
from claims.models.claim import Claim, Source, StatusChange
from claims.models.feeds import Feed, PageImport
from claims.models.matching import ClaimMatch, ClaimVector, FactCheck, LexicalTerm
from claims.models.tally import ClaimStatusTally
from claims.models.verdicts import ClaimComment, ClaimRating, RatingChange, VerdictRating
from claims.models.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

__all__ = ["Article", "Claim", "ExtractionJob", "Source", "StatusChange"]
__all__ += ["ApiToken", "Feed", "PageImport", "WebhookAttempt", "WebhookDelivery"]
__all__ += ["WebhookEvent", "WebhookSubscription"]
__all__ += ["ClaimComment", "ClaimRating", "RatingChange", "VerdictRating"]
__all__ += ["ClaimMatch", "ClaimVector", "FactCheck", "LexicalTerm"]
__all__ += ["ClaimStatusTally"]
