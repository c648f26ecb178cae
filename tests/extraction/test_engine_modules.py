"""The engine's modules: each step imports only the steps before it, and engine.py keeps the
names other code reaches it by."""

from __future__ import annotations

from claims.extraction import engine, extract_claims, scoring
from tests.test_architecture import import_graph

# engine.py's docstring promises this order to a reader; a module may import only those
# before it, which also keeps the engine free of import cycles.
STEPS = ["units", "claim", "classify", "clauses", "speech", "engine"]


def _steps_imported_by(step: str) -> set[str]:
    imported = import_graph()[f"claims.extraction.{step}"]
    return {name.removeprefix("claims.extraction.") for name in imported} & set(STEPS)


def test_each_step_imports_only_the_steps_before_it():
    for i, step in enumerate(STEPS):
        later = _steps_imported_by(step) - set(STEPS[:i])
        assert not later, f"{step}.py imports {sorted(later)}, which come after it"


def test_the_steps_really_import_each_other():
    # Guards the check above against reading nothing: speech builds on all the lower steps.
    assert _steps_imported_by("speech") == {"units", "claim", "classify"}
    assert _steps_imported_by("engine") == set(STEPS) - {"engine"}


def test_the_opinion_bar_is_read_from_engine_at_call_time(nlp, monkeypatch):
    # evaluate_checkworthiness --opinion-bars sweeps the bar by setting engine.OPINION_BAR.
    monkeypatch.setattr(
        scoring, "_model_scores", lambda spans: [(0.9, ["model: 0.90"]) for _ in spans]
    )
    body = "The bank had a terrible year."
    monkeypatch.setattr(engine, "OPINION_BAR", 0.95)
    assert extract_claims(nlp, body) == []
    monkeypatch.setattr(engine, "OPINION_BAR", 0.9)
    assert [c.text for c in extract_claims(nlp, body)] == [body]
