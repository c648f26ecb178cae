"""Feeds and article pages as a newsroom's sources serve them, for the local web server."""

from __future__ import annotations

from html import escape

STORY = (
    "{place}, May 2 (Test Wire) – Officials said {n:,} people were moved from their homes "
    "after the {river} river flooded on Monday, and about {pct} percent of roads were closed.\n"
    "The regional office said repairs would cost {cost} million euros, according to a "
    "statement released on Tuesday. Residents of {place} said the water rose within hours."
)


def story_text(n: int, place: str = "Karven") -> str:
    return STORY.format(place=place, n=1000 + n, river=f"Alder-{n}", pct=10 + n % 80, cost=n + 3)


def article_page(
    n: int,
    *,
    canonical: str = "",
    title: str = "",
    place: str = "Karven",
    author: str = "Jane Reporter",
    extra: str = "",
) -> str:
    """A news page with the chrome trafilatura must drop (menu, share links, footer)."""
    title = title or f"Floods move {1000 + n:,} people in {place}"
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in story_text(n, place).split("\n"))
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)} | Test Wire</title>
{link}<meta property="og:site_name" content="Test Wire"><meta name="author" content="{escape(author)}">
<meta property="article:published_time" content="2024-05-02T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{escape(title)}</h1>{paragraphs}{extra}</article>
<aside>Share this article</aside><footer>© Test Wire</footer></body></html>"""


def rss(items: list[tuple[str, str]], *, title: str = "Test Wire: World") -> str:
    """An RSS 2.0 feed of (guid, link) items."""
    entries = "".join(
        f"<item><title>Story {escape(guid)}</title><link>{escape(link)}</link>"
        f"<guid>{escape(guid)}</guid></item>"
        for guid, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://wire.test/</link>{entries}</channel></rss>"
    )


def atom(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f'<entry><id>{escape(guid)}</id><title>Story {escape(guid)}</title><link href="{escape(link)}"/>'
        "<updated>2024-05-02T10:00:00Z</updated></entry>"
        for guid, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom wire</title><id>urn:wire</id><updated>2024-05-02T10:00:00Z</updated>{entries}</feed>"
    )
