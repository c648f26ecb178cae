"""Issue 14: a pasted article's dateline date becomes its published date when none is given."""

import datetime

import pytest

from claims import services

pytestmark = pytest.mark.django_db

PASTED = (
    "Council Backs Light-Rail Plan\n\n"
    "HARBORVIEW, March 14, 2025 — The city council voted 9-2 on Tuesday to approve the plan.\n"
)


def test_the_dateline_date_is_the_published_date_when_none_is_given():
    article = services.article_create(text=PASTED, enqueue=False)
    assert article.dateline_place == "Harborview"
    assert article.published_date == datetime.date(2025, 3, 14)


def test_a_given_published_date_wins_over_the_dateline():
    article = services.article_create(text=PASTED, published_date="2025-03-15", enqueue=False)
    assert article.published_date == datetime.date(2025, 3, 15)


def test_a_dateline_without_a_year_leaves_the_published_date_empty():
    text = PASTED.replace("March 14, 2025", "March 14")
    article = services.article_create(text=text, enqueue=False)
    assert article.dateline_date == "--03-14"
    assert article.published_date is None
