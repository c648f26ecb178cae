from __future__ import annotations

import pytest

from claims.matching import Encoder


@pytest.fixture(scope="session")
def encoder():
    # The shipped model, loaded once for the session (about half a second).
    return Encoder()
