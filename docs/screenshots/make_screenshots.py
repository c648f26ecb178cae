"""Make the README's screenshots of the desk, from the browser tests that show each view.

    .venv/bin/python docs/screenshots/make_screenshots.py

The browser tests save a screenshot at the moment they check a view when
NEWSFACTS_SCREENSHOT_DIR names a folder (tests/browser/conftest.py, ``screenshot``); this
runs those tests with it set to docs/screenshots. So a screenshot shows the desk's demo
data exactly as the tests check it: queue.png (1366×900), queue-phone.png (390×844),
article.png and api-docs.png. Needs /usr/bin/chromium, like the browser tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = [
    "tests/browser/test_dashboard.py::test_a_reviewer_filters_opens_an_article_and_verifies_a_claim",
    "tests/browser/test_verdicts_and_layout.py::"
    "test_on_a_phone_filters_fold_and_a_tapped_claim_brings_its_panel",
    "tests/browser/test_api_docs.py",
]


def main() -> int:
    env = {**os.environ, "NEWSFACTS_SCREENSHOT_DIR": "docs/screenshots", "CI": "true"}
    # CI=true: a missing Chromium fails loudly instead of skipping with no screenshots.
    return subprocess.call([sys.executable, "-m", "pytest", "-q", *TESTS], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
