"""The engine's whole contract: text in, claims out, for the desk and the command line alike.

``Extractor`` owns what both callers need beyond the rules of ``engine.py``: loading the
pipeline once, cutting a body too long for spaCy into pieces, batching articles through
``nlp.pipe``, a fresh pipeline after a failed batch, and an article that breaks a batch
failing alone. ``manage.py extract_claims`` and the desk's extraction jobs both go
through it, so they give the same claims for the same text.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from .pipeline import extract_claims, extract_claims_many, load_nlp
from .types import ExtractedClaim

logger = logging.getLogger(__name__)

# Articles of one extract_many step: a few of nlp.pipe's batches, so a long JSON Lines
# input streams instead of being read whole.
_STEP = 256
# The longest text spaCy is given at once. A Doc's memory grows with its length (the
# parser's and the check-worthiness model's arrays are per token), so a longer body, or
# one endless paragraph, is cut into pieces of at most this many characters: an
# article's memory is bounded by the piece, not the article (docs/reliability.md).
PIECE_CHARS = 50_000


@dataclass
class ArticleResult:
    """One article's outcome: its claims, or the error that stopped it."""

    claims: list[ExtractedClaim]
    nlp_seconds: float
    error: str = ""
    # Claims found but left out by the caller's cap on claims per article.
    dropped: int = 0


class Extractor:
    """Claims of article bodies with the spaCy pipeline ``model_name``.

    ``abort_on`` names exceptions that stop the whole run instead of failing one article
    (a job's time limit: the caller decides what to do with the unfinished ones).
    """

    def __init__(
        self,
        model_name: str,
        *,
        batch_size: int = 32,
        abort_on: tuple[type[BaseException], ...] = (),
        piece_chars: int = PIECE_CHARS,
    ) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self.abort_on = abort_on
        self.piece_chars = piece_chars

    @property
    def nlp(self):
        return load_nlp(self.model_name)

    def warm_up(self) -> None:
        """Load the pipeline, the check-worthiness models and the engine's calibration
        now, not on the first article."""
        from .calibration import get_calibration
        from .checkworthiness import get_ensemble

        self.nlp  # noqa: B018 - loading is the point
        get_ensemble()  # loads the lexical model too
        get_calibration()  # hashes the model files it belongs to

    def reset(self) -> None:
        """Load a fresh pipeline next time, after an exception escaped an NLP pass.

        In spaCy 3.8 an exception leaving ``memory_zone`` (extract_claims_many runs in one)
        leaves the vocabulary pointing at freed strings, and the next zone in the process
        reads garbage. A failed batch is rare; reloading is the only safe state.
        """
        load_nlp.cache_clear()

    def extract(
        self, body: str, *, reference_date: datetime.date | None = None
    ) -> list[ExtractedClaim]:
        """Claims of one body, with offsets into it, whatever its length.

        A body longer than ``piece_chars`` (uploads may be several megabytes) is cut at
        paragraph breaks, else sentence ends, else spaces, into pieces no longer than that;
        offsets are shifted back, so ``body[start:end] == text`` still holds.
        """
        nlp = self.nlp
        size = max(1, min(self.piece_chars, nlp.max_length))
        if len(body) <= size:
            return extract_claims(nlp, body, reference_date=reference_date)
        found = []
        for offset, piece in body_pieces(body, size):
            for claim in extract_claims(nlp, piece, reference_date=reference_date):
                found.append(
                    dataclasses.replace(claim, start=claim.start + offset, end=claim.end + offset)
                )
        return found

    def extract_many(
        self, articles: Iterable[tuple[str, datetime.date | None]]
    ) -> Iterator[ArticleResult]:
        """One result per (body, reference date), in order, through shared nlp.pipe passes.

        An article that breaks a shared pass is extracted again alone, so it fails only
        itself; the articles the pass got through keep their claims.
        """
        articles = iter(articles)
        while step := list(islice(articles, _STEP)):
            yield from self._extract_step(step)

    def _extract_step(self, step: list[tuple[str, datetime.date | None]]) -> list[ArticleResult]:
        results: list[ArticleResult | None] = [None] * len(step)
        max_length = min(self.piece_chars, self.nlp.max_length)
        shared = [i for i, (body, _) in enumerate(step) if len(body or "") <= max_length]
        try:
            passes = extract_claims_many(
                self.nlp, (step[i] for i in shared), batch_size=self.batch_size
            )
            clock = time.perf_counter()
            # nlp.pipe works a batch at a time, so the first article of each batch waits
            # for most of it: per article the split is rough, the sum is right.
            for i, claims in zip(shared, passes, strict=True):
                results[i] = ArticleResult(claims, time.perf_counter() - clock)
                clock = time.perf_counter()
        except self.abort_on:
            self.reset()
            raise
        except Exception:
            self.reset()
            logger.exception("A shared NLP pass failed; extracting its other articles alone")
        return [
            result if result is not None else self._extract_alone(*step[i])
            for i, result in enumerate(results)
        ]

    def _extract_alone(self, body: str, reference_date) -> ArticleResult:
        clock = time.perf_counter()
        try:
            claims = self.extract(body or "", reference_date=reference_date)
        except self.abort_on:
            raise
        except Exception as exc:
            logger.exception("Extraction of an article failed")
            return ArticleResult([], time.perf_counter() - clock, f"{type(exc).__name__}: {exc}")
        return ArticleResult(claims, time.perf_counter() - clock)


def body_pieces(body: str, size: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering body, each piece at most `size` long, cut at a blank line,
    else a line break, else a sentence end, else a space, where one falls in the second
    half of the piece; a piece with none of these is cut at `size`."""
    start = 0
    while start < len(body):
        end = min(start + size, len(body))
        if end < len(body):
            for separator in ("\n\n", "\n", ". ", " "):
                cut = body.rfind(separator, start + size // 2, end)
                if cut != -1:
                    end = cut + len(separator)
                    break
        yield start, body[start:end]
        start = end
