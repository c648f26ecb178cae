"""The desk's records, one module per aggregate.

- ``article``: Article, ExtractionJob;
- ``claim``: Claim, Source, StatusChange (its review history).
"""

from claims.models.article import Article, ExtractionJob
from claims.models.claim import Claim, Source, StatusChange

__all__ = ["Article", "Claim", "ExtractionJob", "Source", "StatusChange"]
