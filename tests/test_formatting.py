"""Figures as a reader writes them (issue 15: values showed as "310000000.0 USD")."""

import re

import pytest
from django.urls import reverse

from claims.formatting import format_quantities, format_quantity
from tests.factories import ClaimFactory, UserFactory

MILLIONS = {"text": "$310 million", "value": 310000000.0, "unit": "USD"}


@pytest.mark.parametrize(
    "quantity, shown",
    [
        (MILLIONS, "$310 million"),
        ({"text": "9-2", "value": None}, "9-2"),
        ({"text": "9–2", "value": 9.0}, "9-2"),
        ({"text": "3.9%", "value": 3.9, "unit": "percent"}, "3.9%"),
        ({"text": "£600m", "value": 6e8, "unit": "GBP"}, "£600 million"),
        ({"text": "$4.2bn", "value": 4.2e9, "unit": "USD"}, "$4.2 billion"),
        ({"text": "250 million euros", "value": 2.5e8, "unit": "EUR"}, "€250 million"),
        ({"text": "4.8 million", "value": 4.8e6}, "4.8 million"),
        (
            {
                "text": "more than 80,000",
                "value": 8e4,
                "low": 8e4,
                "qualifier": "more than",
                "unit": "people",
            },
            "more than 80,000 people",
        ),  # fmt: skip
        (
            {
                "text": "between 60 and 70 percent",
                "value": None,
                "low": 60.0,
                "high": 70.0,
                "qualifier": "between",
                "unit": "percent",
            },
            "60–70%",
        ),  # fmt: skip
        (
            {
                "text": "hundreds of thousands",
                "value": None,
                "low": 2e5,
                "high": 9e5,
                "qualifier": "vague",
            },
            "hundreds of thousands",
        ),  # fmt: skip
        ({"text": "1,140", "value": 1140.0, "unit": "cases"}, "1,140 cases"),
        ({"text": "6.50 percent", "value": 6.5, "unit": "percent"}, "6.5%"),
    ],
)
def test_a_quantity_reads_as_a_reader_writes_it(quantity, shown):
    assert format_quantity(quantity) == shown


def test_several_quantities_and_none():
    assert format_quantities([MILLIONS, {"text": "3.9%", "value": 3.9, "unit": "percent"}]) == (
        "$310 million; 3.9%"
    )
    assert format_quantities(None) == "" and format_quantities([]) == ""


@pytest.mark.django_db
def test_the_panel_and_the_queue_show_formatted_figures(client):
    client.force_login(UserFactory(username="rita", role="reviewer"))
    claim = ClaimFactory(quantities=[MILLIONS])
    panel = client.get(reverse("claims-panel", args=[claim.pk]), headers={"HX-Request": "true"})
    queue = client.get(reverse("claims-queue"))
    # The correction form's textarea holds the raw figure on purpose (it is what a
    # reviewer edits and the server parses back); everything a reader sees is formatted.
    shown = re.sub(r"<textarea.*?</textarea>", "", panel.content.decode(), flags=re.S)
    for html in (shown, queue.content.decode()):
        assert "$310 million" in html
        assert "310000000" not in html
