"""Browser tests: Playwright (PyPI) driving Debian's Chromium against pytest-django's live server.

Chromium starts once for all of them (package scope). Without /usr/bin/chromium the tests skip on a laptop
and fail in CI (CI=true), like every other service the suite needs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claims.models import Claim
from tests.conftest import ROOT, create_roles, unavailable
from tests.factories import ArticleFactory, ClaimFactory, JobFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
# Set to a folder (e.g. docs/screenshots) to save screenshots of the queue and article.
SCREENSHOT_DIR = os.getenv("NEWSFACTS_SCREENSHOT_DIR", "")


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but serving static files as production does.

    Its default handler answers /static/ from the finders, which know nothing of the
    hashed names that the manifest storage puts in pages; with it out of the way,
    whitenoise serves STATIC_ROOT (collected by the session fixture) as in production.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost", start=False)
    server.thread.static_handler = _whitenoise_serves_static
    server.start()
    yield server
    server.stop()


def _whitenoise_serves_static(app):
    return app


@pytest.fixture(scope="package")
def async_unsafe_allowed():
    """Playwright's sync API keeps an event loop running in the test thread, so Django
    would refuse the (still synchronous, still safe) ORM calls of the tests and fixtures.

    Allowed for this package only: set for the whole session, the variable would leak into
    later tests, e.g. the `check --deploy` run, which rightly refuses it.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(async_unsafe_allowed):
    """Chromium, launched once for all browser tests and stopped after the last one (so
    no event loop outlives them)."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        unavailable(f"Chromium did not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def roles(transactional_db):
    """The role groups, as migration 0002 makes them."""
    create_roles()


@pytest.fixture
def new_page(browser, live_server):
    """Open a signed-in page: new_page("rita") gives a fresh context logged in as rita."""
    contexts = []

    def open_page(username: str, *, width: int = 1366, height: int = 900, javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
        )
        context.set_default_timeout(8000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    if SCREENSHOT_DIR:
        folder = ROOT / SCREENSHOT_DIR
        folder.mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret injects a style, which the CSP rightly blocks.
        page.screenshot(path=str(folder / name), full_page=False, caret="initial")


def _article(name: str, outlet: str):
    headline, _, body = (ROOT / "claims" / "demo_articles" / name).read_text().partition("\n\n")
    return ArticleFactory(title=headline.strip(), body=body, outlet=outlet)


def _claim(article, text: str, **kwargs) -> Claim:
    start = article.body.index(text)
    kwargs.setdefault("summary", text)
    return ClaimFactory(article=article, text=text, start=start, end=start + len(text), **kwargs)


@pytest.fixture
def desk(roles):
    """Three wire stories with claims at their real offsets, and the desk's people."""
    rita = UserFactory(username="rita", role="reviewer")
    sam = UserFactory(username="sam", role="reviewer")
    carla = UserFactory(username="carla", role="desk chief")
    harbour = _article("harbour-strike.txt", "Coastal Wire")
    flood = _article("flood-relief.txt", "Meridian News")
    vaccine = _article("vaccine-campaign.txt", "Northline Press")
    claims = {
        "ships": _claim(
            harbour,
            "Dockworkers at the Port of Valmora returned to work on Thursday after an "
            "eight-day strike that left more than 340 container ships waiting offshore, "
            "the port authority said.",
            summary="340+ container ships waited offshore during 8-day strike",
            speaker="port authority",
            score=0.91,
            assignee=rita,
        ),  # fmt: skip
        "pay": _claim(
            harbour,
            "The union agreed to a 6.5 percent pay rise over two years, down from the 12 "
            "percent it had demanded in January.",
            summary="6.5% pay rise over two years (12% demanded)",
            score=0.84,
            assignee=rita,
        ),  # fmt: skip
        "quote": _claim(
            harbour,
            "“This deal protects every job on the quay and gives our members the raise they "
            "earned,” union leader Marta Ellison told reporters outside the harbour office.",
            type=Claim.Type.QUOTE,
            speaker="Marta Ellison",
            score=0.55,
            summary="Ellison: deal protects every job on the quay",
        ),  # fmt: skip
        "cost": _claim(
            harbour,
            "Port director Henrik Sollberg said the stoppage had cost shippers about $1.2 "
            "billion in delays.",
            summary="Strike cost shippers ~$1.2 billion",
            speaker="Henrik Sollberg",
            score=0.88,
        ),  # fmt: skip
        "containers": _claim(
            harbour,
            "According to the national statistics office, the port handled 4.8 million "
            "containers last year, nearly a third of the country’s sea freight.",
            type=Claim.Type.ATTRIBUTION,
            speaker="national statistics office",
            score=0.79,
            summary="Port handled 4.8 million containers last year",
        ),  # fmt: skip
        "rates": _claim(
            harbour,
            "Analysts expect freight rates on the route to fall by up to 15 percent once the "
            "queue of ships is gone.",
            type=Claim.Type.PREDICTION,
            speaker="Analysts",
            score=0.62,
            summary="Freight rates to fall up to 15%",
        ),  # fmt: skip
    }
    for text, status, score, kind in [
        ("forced at least 48,000 people from their homes", "verified", 0.93, "statistic"),
        ("17 people had died and about 2,300 homes were destroyed", "sourced", 0.9, "statistic"),
        ("Between 60 and 70 percent of the delta’s rice fields", "unreviewed", 0.76, "statistic"),
        ("released 250 million euros in emergency aid", "disputed", 0.81, "event"),
        ("forecast another 200 millimetres of rain", "unreviewed", 0.58, "prediction"),
    ]:
        _claim(flood, text, status=status, score=score, type=kind, speaker="officials")
    for text, status, score in [
        ("Nearly 92 percent of children under five were vaccinated", "verified", 0.95),
        ("reported measles cases fell to 1,140 in 2024", "unreviewed", 0.87),
        ("The campaign cost 38 million dollars", "sourced", 0.8),
        ("coverage of at least 95 percent is needed", "unreviewed", 0.7),
    ]:
        _claim(vaccine, text, status=status, score=score, speaker="health ministry")
    JobFactory(article=harbour, state="done", claim_count=6, attempts=1)
    return {"rita": rita, "sam": sam, "carla": carla, "harbour": harbour, **claims}
